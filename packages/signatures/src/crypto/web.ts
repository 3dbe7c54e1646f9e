// Web Crypto only: no node:* import anywhere on this path, so it bundles for Cloudflare Workers, Vercel Edge,
// Deno and browsers. Keys are imported once per secret (the schemes cache them), since importKey is the slow part.
import type {
  CryptoBackend,
  Ed25519KeyPair,
  Ed25519SigningKey,
  Ed25519VerifyKey,
  HmacKey,
  MessagePart,
} from './backend.js';

const encoder = new TextEncoder();
const ED25519 = { name: 'Ed25519' } as const;
const HEX_DIGITS = '0123456789abcdef';

function subtle(): SubtleCrypto {
  const crypto = globalThis.crypto;
  if (crypto?.subtle === undefined) {
    throw new Error('Web Crypto (globalThis.crypto.subtle) is not available in this runtime');
  }
  return crypto.subtle;
}

function concat(message: readonly MessagePart[]): Uint8Array<ArrayBuffer> {
  const parts = message.map((part) => (typeof part === 'string' ? encoder.encode(part) : part));
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function copy(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(bytes);
}

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) {
    binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  }
  return btoa(binary);
}

function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

function base64url(bytes: Uint8Array): string {
  return toBase64(bytes).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64url(text: string): Uint8Array {
  const padded = text.replace(/-/g, '+').replace(/_/g, '/');
  return fromBase64(padded + '='.repeat((4 - (padded.length % 4)) % 4));
}

function pairFromJwk(jwk: JsonWebKey): Ed25519KeyPair {
  if (jwk.x === undefined || jwk.d === undefined) throw new Error('ed25519 key export lacks x or d');
  return { seed: fromBase64url(jwk.d), publicKey: fromBase64url(jwk.x) };
}

export const webCrypto: CryptoBackend = {
  name: 'web',

  async importHmacKey(raw) {
    const key = await subtle().importKey('raw', copy(raw), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    return key as unknown as HmacKey;
  },

  async hmacSha256(key, message) {
    return new Uint8Array(await subtle().sign('HMAC', key as unknown as CryptoKey, concat(message)));
  },

  async importEd25519SigningKey(pair) {
    const jwk: JsonWebKey = { kty: 'OKP', crv: 'Ed25519', d: base64url(pair.seed), x: base64url(pair.publicKey) };
    return (await subtle().importKey('jwk', jwk, ED25519, false, ['sign'])) as unknown as Ed25519SigningKey;
  },

  async importEd25519VerifyKey(publicKey) {
    const key = await subtle().importKey('raw', copy(publicKey), ED25519, false, ['verify']);
    return key as unknown as Ed25519VerifyKey;
  },

  async ed25519Sign(key, message) {
    return new Uint8Array(await subtle().sign(ED25519, key as unknown as CryptoKey, concat(message)));
  },

  async ed25519Verify(key, message, signature) {
    return subtle().verify(ED25519, key as unknown as CryptoKey, copy(signature), concat(message));
  },

  async generateEd25519KeyPair() {
    const pair = (await subtle().generateKey(ED25519, true, ['sign', 'verify'])) as CryptoKeyPair;
    return pairFromJwk(await subtle().exportKey('jwk', pair.privateKey));
  },

  async ed25519PublicKey(seed) {
    // PKCS#8 wrapping of a raw Ed25519 seed (RFC 8410): a fixed 16-byte prefix, then the 32 bytes.
    const pkcs8 = concat([fromHexString('302e020100300506032b657004220420'), seed]);
    const key = await subtle().importKey('pkcs8', pkcs8, ED25519, true, ['sign']);
    return pairFromJwk(await subtle().exportKey('jwk', key)).publicKey;
  },

  randomBytes(length) {
    return globalThis.crypto.getRandomValues(new Uint8Array(length));
  },

  timingSafeEqual(a, b) {
    if (a.length !== b.length) return false;
    let difference = 0;
    for (let i = 0; i < a.length; i++) difference |= (a[i] as number) ^ (b[i] as number);
    return difference === 0;
  },

  utf8(text) {
    return encoder.encode(text);
  },

  toBase64,
  fromBase64,

  toHex(bytes) {
    let out = '';
    for (const byte of bytes) out += HEX_DIGITS.charAt(byte >> 4) + HEX_DIGITS.charAt(byte & 15);
    return out;
  },

  fromHex: fromHexString,
};

function fromHexString(text: string): Uint8Array {
  const out = new Uint8Array(text.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(text.slice(i * 2, i * 2 + 2), 16);
  return out;
}
