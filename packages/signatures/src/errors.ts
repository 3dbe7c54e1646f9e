// Every verification failure is one of these classes, each with a stable `code` that callers (and the receiver's
// HTTP answers) match on. A `detail` never contains a secret or an expected signature.

export type SignatureErrorCode =
  | 'HOOKLINE_SIGNATURE_MISSING_HEADER'
  | 'HOOKLINE_SIGNATURE_MALFORMED_HEADER'
  | 'HOOKLINE_SIGNATURE_MISMATCH'
  | 'HOOKLINE_SIGNATURE_TIMESTAMP_OUT_OF_TOLERANCE'
  | 'HOOKLINE_SIGNATURE_INVALID_SECRET'
  | 'HOOKLINE_SIGNATURE_INVALID_INPUT';

export abstract class SignatureError extends Error {
  abstract readonly code: SignatureErrorCode;
  readonly detail: string;

  constructor(detail: string) {
    super(detail);
    this.detail = detail;
    this.name = new.target.name;
  }
}

/** A header the scheme needs is absent (or empty). */
export class MissingHeaderError extends SignatureError {
  readonly code = 'HOOKLINE_SIGNATURE_MISSING_HEADER';
  readonly header: string;

  constructor(header: string) {
    super(`missing header ${header}`);
    this.header = header;
  }
}

/** A header is present but cannot be read as the scheme defines it. */
export class MalformedHeaderError extends SignatureError {
  readonly code = 'HOOKLINE_SIGNATURE_MALFORMED_HEADER';
  readonly header: string;

  constructor(header: string, reason: string) {
    super(`malformed header ${header}: ${reason}`);
    this.header = header;
  }
}

/** The header is well formed but no signature in it matches any of the secrets. */
export class SignatureMismatchError extends SignatureError {
  readonly code = 'HOOKLINE_SIGNATURE_MISMATCH';

  constructor(detail = 'no signature matches the body and secrets') {
    super(detail);
  }
}

/** The signed timestamp is further from now than the tolerance allows, in the past (replay) or the future. */
export class TimestampOutOfToleranceError extends SignatureError {
  readonly code = 'HOOKLINE_SIGNATURE_TIMESTAMP_OUT_OF_TOLERANCE';
  readonly timestamp: number;
  readonly now: number;
  readonly toleranceSeconds: number;
  readonly direction: 'past' | 'future';

  constructor(timestamp: number, now: number, toleranceSeconds: number) {
    const direction = timestamp < now ? 'past' : 'future';
    const skew = Math.abs(now - timestamp);
    super(`timestamp ${timestamp} is ${skew}s in the ${direction}, beyond the tolerance of ${toleranceSeconds}s`);
    this.timestamp = timestamp;
    this.now = now;
    this.toleranceSeconds = toleranceSeconds;
    this.direction = direction;
  }
}

/** A secret or key given to sign or verify cannot be used (empty, bad encoding, wrong kind or length). */
export class InvalidSecretError extends SignatureError {
  readonly code = 'HOOKLINE_SIGNATURE_INVALID_SECRET';
}

/** Something given to `sign` cannot be put in a header safely (an id with a line break, say). */
export class InvalidSignInputError extends SignatureError {
  readonly code = 'HOOKLINE_SIGNATURE_INVALID_INPUT';
}

export function isSignatureError(error: unknown): error is SignatureError {
  return error instanceof SignatureError;
}
