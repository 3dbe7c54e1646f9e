// The Web Crypto entry point (`@hookline/signatures/web`, and the default export condition for edge runtimes):
// every scheme over globalThis.crypto.subtle, with no node:* import.
import { bindSchemes } from './bind-schemes.js';
import { webCrypto } from './crypto/web.js';

export * from './exports.js';

export const { standardWebhooks, github, stripe, shopify, slack, hmacSha256, createHmacSha256, schemes } =
  bindSchemes(webCrypto);
