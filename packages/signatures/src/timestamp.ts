import { MalformedHeaderError, TimestampOutOfToleranceError } from './errors.js';

export const DEFAULT_TOLERANCE_SECONDS = 300;

/** Unix seconds as the schemes send them: plain decimal digits, no sign, no exponent, no fraction. */
export function parseUnixSeconds(value: string, header: string): number {
  const length = value.length;
  let valid = length >= 1 && length <= 12;
  for (let i = 0; valid && i < length; i++) {
    const code = value.charCodeAt(i);
    valid = code >= 0x30 && code <= 0x39;
  }
  if (!valid) throw new MalformedHeaderError(header, 'timestamp must be integer Unix seconds');
  return Number(value);
}

export function resolveTolerance(toleranceSeconds: number | undefined): number {
  const tolerance = toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (!Number.isFinite(tolerance) || tolerance < 0) {
    throw new RangeError(`toleranceSeconds must be a finite number >= 0, got ${String(toleranceSeconds)}`);
  }
  return tolerance;
}

/** Rejects a timestamp too far in the past (a replay) or in the future (a skewed or forged clock). */
export function assertWithinTolerance(
  timestampSeconds: number,
  nowMs: number,
  toleranceSeconds: number | undefined,
): void {
  const tolerance = resolveTolerance(toleranceSeconds);
  const nowSeconds = Math.floor(nowMs / 1000);
  if (Math.abs(nowSeconds - timestampSeconds) > tolerance) {
    throw new TimestampOutOfToleranceError(timestampSeconds, nowSeconds, tolerance);
  }
}

export function currentUnixSeconds(now: (() => number) | undefined): number {
  return Math.floor((now ?? Date.now)() / 1000);
}

export function assertSignableTimestamp(timestamp: number): number {
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) {
    throw new RangeError(`timestamp must be integer Unix seconds, got ${String(timestamp)}`);
  }
  return timestamp;
}
