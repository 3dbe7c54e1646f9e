import type { CryptoBackend, HmacKey } from './crypto/backend.js';
import { KeyCache } from './key-cache.js';
import type { Secret } from './types.js';

/**
 * HMAC keys for the schemes whose secret is plain text (GitHub, Stripe, Shopify, Slack, plain HMAC): a string is its
 * UTF-8 bytes, a `whsec_`-looking Stripe secret included (Stripe keys its HMAC with the whole string).
 */
export function utf8HmacKeys(crypto: CryptoBackend): (secret: Secret) => Promise<HmacKey> {
  const cache = new KeyCache<HmacKey>();
  const make = (secret: Secret) => crypto.importHmacKey(typeof secret === 'string' ? crypto.utf8(secret) : secret);
  return (secret) => cache.get(secret, make);
}
