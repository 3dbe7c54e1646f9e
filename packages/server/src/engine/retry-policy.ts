// When to try a failed delivery again. Pure: the clock and the randomness are passed in.

/** Seconds to wait after the 1st, 2nd, … failure; its length + 1 is the number of attempts (8 by default). */
export const DEFAULT_RETRY_SCHEDULE_SECONDS: readonly number[] = [5, 300, 1800, 7200, 18000, 36000, 36000];

/** ±20 %: retries from many deliveries that failed together spread out instead of arriving as one wave. */
export const DEFAULT_JITTER = 0.2;

export interface RetryAfterBounds {
  /** A Retry-After shorter than this is raised to it. */
  minMs: number;
  /** A Retry-After longer than this is cut to it, so an endpoint cannot park a delivery for a year. */
  maxMs: number;
}

export const DEFAULT_RETRY_AFTER_BOUNDS: RetryAfterBounds = { minMs: 1000, maxMs: 3_600_000 };

export function applyJitter(delayMs: number, random: number, jitter = DEFAULT_JITTER): number {
  // random in [0, 1) maps to a factor in [1 - jitter, 1 + jitter).
  return Math.round(delayMs * (1 - jitter + 2 * jitter * random));
}

/** Reads Retry-After as delay seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | null {
  if (value === undefined) return null;
  const text = value.trim();
  if (/^\d{1,10}$/.test(text)) return Number(text) * 1000;
  // Only the preferred HTTP-date form (RFC 9110 IMF-fixdate): Date.parse alone takes loose text like "later 5".
  if (
    !/^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(
      text,
    )
  ) {
    return null;
  }
  const date = Date.parse(text);
  if (Number.isNaN(date)) return null;
  return Math.max(0, date - nowMs);
}

export interface NextAttemptInput {
  /** Attempts made so far, the failed one included. */
  attemptsMade: number;
  schedule: readonly number[];
  nowMs: number;
  random: number;
  /** Parsed Retry-After, honoured only for statuses that mean "later" (429, 503). */
  retryAfterMs: number | null;
  retryAfterBounds?: RetryAfterBounds;
  jitter?: number;
}

/** The time of the next attempt, or null when the schedule is spent and the delivery is dead. */
export function nextAttemptAt(input: NextAttemptInput): number | null {
  const index = input.attemptsMade - 1;
  if (index < 0 || index >= input.schedule.length) return null;
  if (input.retryAfterMs !== null) {
    const bounds = input.retryAfterBounds ?? DEFAULT_RETRY_AFTER_BOUNDS;
    return input.nowMs + Math.min(bounds.maxMs, Math.max(bounds.minMs, input.retryAfterMs));
  }
  const delayMs = (input.schedule[index] as number) * 1000;
  return input.nowMs + applyJitter(delayMs, input.random, input.jitter ?? DEFAULT_JITTER);
}

export function validateSchedule(schedule: readonly number[]): string | null {
  if (schedule.length > 50) return 'a retry schedule has at most 50 entries';
  for (const seconds of schedule) {
    if (!Number.isFinite(seconds) || seconds < 0 || seconds > 7 * 86400) {
      return 'each retry delay must be a number of seconds between 0 and 604800';
    }
  }
  return null;
}
