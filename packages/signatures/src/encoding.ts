// Strict shape checks for encoded signatures and secrets. Decoders in the crypto backends are lenient (node's
// Buffer skips bad characters and ignores unused trailing bits), so a value is checked here before it is decoded:
// a signature has exactly one accepted spelling, and any change to its text is a mismatch.

const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const BASE64_LOOSE = /^[A-Za-z0-9+/]+={0,2}$/;
const LOWER_HEX = /^(?:[0-9a-f]{2})+$/;
const PAD = 0x3d; // '='

/** Each ASCII code's 6-bit value in the base64 alphabet, or -1: one table read per character, no regex. */
const BASE64_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < BASE64_ALPHABET.length; i++) BASE64_VALUE[BASE64_ALPHABET.charCodeAt(i)] = i;

function base64Value(code: number): number {
  return code < 128 ? (BASE64_VALUE[code] as number) : -1;
}

/**
 * Canonical, padded base64, as every scheme here writes its signatures: the bits the last character carries past
 * the data must be zero, so two texts never decode to the same signature. (The empty string is canonical: it
 * decodes to no bytes, which match no signature.)
 */
export function isBase64(value: string): boolean {
  const length = value.length;
  if (length % 4 !== 0) return false;
  let padding = 0;
  if (length > 0 && value.charCodeAt(length - 1) === PAD) padding = value.charCodeAt(length - 2) === PAD ? 2 : 1;
  const dataEnd = length - padding;
  for (let i = 0; i < dataEnd; i++) if (base64Value(value.charCodeAt(i)) < 0) return false;
  if (padding === 2) return (base64Value(value.charCodeAt(length - 3)) & 0b1111) === 0;
  if (padding === 1) return (base64Value(value.charCodeAt(length - 2)) & 0b11) === 0;
  return true;
}

/** Base64 with or without padding, as secrets are found in the wild. */
export function isLooseBase64(value: string): boolean {
  return BASE64_LOOSE.test(value) && value.replace(/=+$/, '').length % 4 !== 1;
}

/** Lowercase hex, as GitHub, Stripe, Slack and the plain scheme send it (their own libraries compare it as text). */
export function isHex(value: string): boolean {
  return LOWER_HEX.test(value);
}

/** Visible ASCII only: what may go into a header value and a signed string without escaping. */
export function isHeaderSafe(value: string): boolean {
  return /^[\x21-\x7e]+$/.test(value);
}
