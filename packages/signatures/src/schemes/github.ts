// GitHub: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(secret, raw body)>`, delivery id in `X-GitHub-Delivery`.
import type { CryptoBackend } from '../crypto/backend.js';
import type { Scheme } from '../types.js';
import { createRawBodyHmac } from './raw-body-hmac.js';

export function createGithub(crypto: CryptoBackend): Scheme {
  return createRawBodyHmac(crypto, {
    name: 'github',
    header: 'x-hub-signature-256',
    prefix: 'sha256=',
    encoding: 'hex',
    idHeader: 'x-github-delivery',
  });
}
