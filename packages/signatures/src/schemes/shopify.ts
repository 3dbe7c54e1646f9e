// Shopify: `X-Shopify-Hmac-Sha256: <base64 HMAC-SHA256(secret, raw body)>`, id in `X-Shopify-Webhook-Id`.
import type { CryptoBackend } from '../crypto/backend.js';
import type { Scheme } from '../types.js';
import { createRawBodyHmac } from './raw-body-hmac.js';

export function createShopify(crypto: CryptoBackend): Scheme {
  return createRawBodyHmac(crypto, {
    name: 'shopify',
    header: 'x-shopify-hmac-sha256',
    prefix: '',
    encoding: 'base64',
    idHeader: 'x-shopify-webhook-id',
  });
}
