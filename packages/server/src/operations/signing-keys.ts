// The keys an endpoint signs with: a Standard Webhooks `whsec_` secret (HMAC, shared with the receiver) or a `whsk_`
// Ed25519 secret key (kept here; receivers get its `whpk_` public key). Which kinds a signature scheme can use.
import { isSignatureError, standardWebhooks } from '@hookline/signatures';
import { schemeAcceptsSecret } from '../engine/delivery-signing.js';
import type { SignatureScheme } from '../store/types.js';
import { invalidField } from './errors.js';

export const KEY_TYPES = ['hmac', 'ed25519'] as const;
export type KeyType = (typeof KEY_TYPES)[number];

/** A new key of the type asked for: a `whsec_` secret, or a `whsk_` secret key (seed and public half, 64 bytes). */
export async function generateSigningKey(keyType: KeyType | undefined): Promise<string> {
  if (keyType === 'ed25519') return (await standardWebhooks.generateKeyPair()).secretKey;
  return standardWebhooks.generateSecret();
}

/**
 * A key given by the caller: `whsec_` and 24-64 bytes of base64, or a `whsk_` secret key whose halves belong
 * together. A `whpk_` key is refused with a hint: it verifies, it cannot sign.
 */
export async function checkSigningKey(key: string, field: string): Promise<string> {
  if (key.startsWith('whpk_')) {
    throw invalidField([field], 'a whpk_ public key cannot sign: give the whsk_ secret key (receivers get the whpk_)');
  }
  if (key.startsWith('whsk_')) {
    try {
      await standardWebhooks.publicKeyOf(key);
    } catch (error) {
      if (isSignatureError(error)) throw invalidField([field], error.message);
      throw error;
    }
    return key;
  }
  const match = /^whsec_([A-Za-z0-9+/]+={0,2})$/.exec(key);
  const bytes = match === null ? 0 : Buffer.from(match[1] as string, 'base64').length;
  if (bytes < 24 || bytes > 64) {
    throw invalidField(
      [field],
      'must be whsec_ followed by 24 to 64 bytes of base64, or a whsk_ Ed25519 secret key (64 bytes, or a 32-byte seed)',
    );
  }
  return key;
}

/** What a receiver is given to verify with: the `whsec_` secret itself, or the `whpk_` of a `whsk_` key. */
export async function verifyingKeyOf(secret: string): Promise<string> {
  return secret.startsWith('whsk_') ? standardWebhooks.publicKeyOf(secret) : secret;
}

/** Refuses a scheme and key that cannot go together: GitHub's and the plain HMAC header have no Ed25519 form. */
export function checkSchemeFitsKey(scheme: SignatureScheme, key: string, field: string): void {
  if (!schemeAcceptsSecret(scheme, key)) {
    throw invalidField(
      [field],
      `the ${scheme} scheme signs with HMAC and this key is Ed25519 (whsk_): use signatureScheme standard-webhooks, or a whsec_ secret`,
    );
  }
}
