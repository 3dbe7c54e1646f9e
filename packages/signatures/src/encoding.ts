// Strict shape checks for encoded signatures and secrets. Decoders in the crypto backends are lenient (node's
// Buffer skips bad characters and ignores unused trailing bits), so a value is checked here before it is decoded:
// a signature has exactly one accepted spelling, and any change to its text is a mismatch.

const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const BASE64_PADDED = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const BASE64_LOOSE = /^[A-Za-z0-9+/]+={0,2}$/;
const LOWER_HEX = /^(?:[0-9a-f]{2})+$/;

/**
 * Canonical, padded base64, as every scheme here writes its signatures: the bits the last character carries past
 * the data must be zero, so two texts never decode to the same signature.
 */
export function isBase64(value: string): boolean {
  if (!BASE64_PADDED.test(value)) return false;
  if (value.endsWith('==')) return (BASE64_ALPHABET.indexOf(value.charAt(value.length - 3)) & 0b1111) === 0;
  if (value.endsWith('=')) return (BASE64_ALPHABET.indexOf(value.charAt(value.length - 2)) & 0b11) === 0;
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
