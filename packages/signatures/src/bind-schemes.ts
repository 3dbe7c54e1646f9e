// Builds every scheme over one crypto backend. node.ts and web.ts each call it once; nothing else does.
import type { CryptoBackend } from './crypto/backend.js';
import { createGithub } from './schemes/github.js';
import { createHmacSha256 } from './schemes/hmac-sha256.js';
import type { RawBodyHmacOptions } from './schemes/raw-body-hmac.js';
import { createShopify } from './schemes/shopify.js';
import { createSlack } from './schemes/slack.js';
import { createStandardWebhooks, type StandardWebhooksScheme } from './schemes/standard-webhooks.js';
import { createStripe } from './schemes/stripe.js';
import type { Scheme } from './types.js';

export interface BoundSchemes {
  standardWebhooks: StandardWebhooksScheme;
  github: Scheme;
  stripe: Scheme;
  shopify: Scheme;
  slack: Scheme;
  hmacSha256: Scheme;
  /** A plain-HMAC scheme with another header, prefix or encoding than `X-Webhook-Signature: sha256=<hex>`. */
  createHmacSha256(options?: Partial<RawBodyHmacOptions>): Scheme;
  /** Every built-in scheme by its name. */
  schemes: Readonly<Record<BuiltInSchemeName, Scheme>>;
}

export type BuiltInSchemeName = 'standard-webhooks' | 'github' | 'stripe' | 'shopify' | 'slack' | 'hmac-sha256';

export function bindSchemes(crypto: CryptoBackend): BoundSchemes {
  const standardWebhooks = createStandardWebhooks(crypto);
  const github = createGithub(crypto);
  const stripe = createStripe(crypto);
  const shopify = createShopify(crypto);
  const slack = createSlack(crypto);
  const hmacSha256 = createHmacSha256(crypto);
  return {
    standardWebhooks,
    github,
    stripe,
    shopify,
    slack,
    hmacSha256,
    createHmacSha256: (options) => createHmacSha256(crypto, options),
    schemes: Object.freeze({
      'standard-webhooks': standardWebhooks,
      github,
      stripe,
      shopify,
      slack,
      'hmac-sha256': hmacSha256,
    }),
  };
}
