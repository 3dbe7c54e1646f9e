// The plain scheme many in-house senders use: `X-Webhook-Signature: sha256=<hex HMAC-SHA256(secret, raw body)>`.
// `createHmacSha256` with options covers the variants (another header, no prefix, base64).
import type { CryptoBackend } from '../crypto/backend.js';
import type { Scheme } from '../types.js';
import { createRawBodyHmac, type RawBodyHmacOptions } from './raw-body-hmac.js';

export const HMAC_SHA256_DEFAULTS: RawBodyHmacOptions = {
  name: 'hmac-sha256',
  header: 'x-webhook-signature',
  prefix: 'sha256=',
  encoding: 'hex',
};

export function createHmacSha256(crypto: CryptoBackend, options: Partial<RawBodyHmacOptions> = {}): Scheme {
  return createRawBodyHmac(crypto, { ...HMAC_SHA256_DEFAULTS, ...options });
}
