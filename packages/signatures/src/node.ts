// The Node entry point: every scheme over node:crypto.
import { bindSchemes } from './bind-schemes.js';
import { nodeCrypto } from './crypto/node.js';

export * from './exports.js';

export const { standardWebhooks, github, stripe, shopify, slack, hmacSha256, createHmacSha256, schemes } =
  bindSchemes(nodeCrypto);
