import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes as nodeRandomBytes,
  sign as nodeSign,
  timingSafeEqual as nodeTimingSafeEqual,
  verify as nodeVerify,
} from 'node:crypto';
import type {
  CryptoBackend,
  Ed25519KeyPair,
  Ed25519SigningKey,
  Ed25519VerifyKey,
  HmacKey,
  MessagePart,
} from './backend.js';
import { importNodeHmacKey, type NodeHmacKey, nodeHmacSha256, nodeHmacSha256Base64 } from './node-hmac.js';

function base64url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}

function concat(message: readonly MessagePart[]): Buffer {
  return Buffer.concat(message.map((part) => (typeof part === 'string' ? Buffer.from(part, 'utf8') : part)));
}

function fromJwk(jwk: { x?: string | undefined; d?: string | undefined }): Ed25519KeyPair {
  if (jwk.x === undefined || jwk.d === undefined) throw new Error('ed25519 key export lacks x or d');
  return { seed: Buffer.from(jwk.d, 'base64url'), publicKey: Buffer.from(jwk.x, 'base64url') };
}

function hmacSha256Sync(key: HmacKey, message: readonly MessagePart[]): Uint8Array {
  return nodeHmacSha256(key as unknown as NodeHmacKey, message);
}

function ed25519VerifySync(key: Ed25519VerifyKey, message: readonly MessagePart[], signature: Uint8Array): boolean {
  return nodeVerify(null, concat(message), key as unknown as KeyObject, signature);
}

export const nodeCrypto: CryptoBackend = {
  name: 'node',

  async importHmacKey(raw) {
    return importNodeHmacKey(raw) as unknown as HmacKey;
  },

  async hmacSha256(key, message) {
    return hmacSha256Sync(key, message);
  },

  hmacSha256Sync,

  hmacSha256Base64Sync(key, message) {
    return nodeHmacSha256Base64(key as unknown as NodeHmacKey, message);
  },

  async importEd25519SigningKey(pair) {
    const key = createPrivateKey({
      key: { kty: 'OKP', crv: 'Ed25519', d: base64url(pair.seed), x: base64url(pair.publicKey) },
      format: 'jwk',
    });
    return key as unknown as Ed25519SigningKey;
  },

  async importEd25519VerifyKey(publicKey) {
    const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: base64url(publicKey) }, format: 'jwk' });
    return key as unknown as Ed25519VerifyKey;
  },

  async ed25519Sign(key, message) {
    return nodeSign(null, concat(message), key as unknown as KeyObject);
  },

  async ed25519Verify(key, message, signature) {
    return ed25519VerifySync(key, message, signature);
  },

  ed25519VerifySync,

  async generateEd25519KeyPair() {
    const { privateKey } = generateKeyPairSync('ed25519');
    return fromJwk(privateKey.export({ format: 'jwk' }));
  },

  async ed25519PublicKey(seed) {
    // PKCS#8 wrapping of a raw Ed25519 seed (RFC 8410): a fixed 16-byte prefix, then the 32 bytes.
    const prefix = Buffer.from('302e020100300506032b657004220420', 'hex');
    const privateKey = createPrivateKey({ key: Buffer.concat([prefix, seed]), format: 'der', type: 'pkcs8' });
    return fromJwk(privateKey.export({ format: 'jwk' })).publicKey;
  },

  randomBytes(length) {
    return nodeRandomBytes(length);
  },

  timingSafeEqual(a, b) {
    return a.length === b.length && nodeTimingSafeEqual(a, b);
  },

  utf8(text) {
    return Buffer.from(text, 'utf8');
  },

  toBase64(bytes) {
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  },

  fromBase64(text) {
    return Buffer.from(text, 'base64');
  },

  toHex(bytes) {
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
  },

  fromHex(text) {
    return Buffer.from(text, 'hex');
  },
};
