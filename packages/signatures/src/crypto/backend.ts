// The few primitives the schemes need, behind one interface: node:crypto on Node (fast, synchronous under the
// hood), Web Crypto where nothing else exists (edge runtimes, Deno, browsers). Schemes never import either.

/** What is signed: strings are encoded as UTF-8, bytes are used as they are, all concatenated in order. */
export type MessagePart = string | Uint8Array;

declare const opaque: unique symbol;
/** A key imported once and reused; its shape belongs to the backend that made it. */
export type HmacKey = { readonly [opaque]: 'hmac' };
export type Ed25519SigningKey = { readonly [opaque]: 'ed25519-signing' };
export type Ed25519VerifyKey = { readonly [opaque]: 'ed25519-verify' };

export interface Ed25519KeyPair {
  /** The 32-byte private seed. */
  seed: Uint8Array;
  /** The 32-byte public key. */
  publicKey: Uint8Array;
}

export interface CryptoBackend {
  readonly name: 'node' | 'web';
  importHmacKey(raw: Uint8Array): Promise<HmacKey>;
  hmacSha256(key: HmacKey, message: readonly MessagePart[]): Promise<Uint8Array>;
  importEd25519SigningKey(pair: Ed25519KeyPair): Promise<Ed25519SigningKey>;
  importEd25519VerifyKey(publicKey: Uint8Array): Promise<Ed25519VerifyKey>;
  ed25519Sign(key: Ed25519SigningKey, message: readonly MessagePart[]): Promise<Uint8Array>;
  ed25519Verify(key: Ed25519VerifyKey, message: readonly MessagePart[], signature: Uint8Array): Promise<boolean>;
  /**
   * The same as `hmacSha256` and `ed25519Verify`, without the promise, where the backend computes synchronously
   * anyway (node:crypto). A verifier on a hot path uses them to answer without a turn of the event loop; Web
   * Crypto has no synchronous form, so it leaves them out.
   */
  hmacSha256Sync?(key: HmacKey, message: readonly MessagePart[]): Uint8Array;
  ed25519VerifySync?(key: Ed25519VerifyKey, message: readonly MessagePart[], signature: Uint8Array): boolean;
  /** `hmacSha256Sync` as base64 text, for a verifier that compares the text a header carries without decoding it. */
  hmacSha256Base64Sync?(key: HmacKey, message: readonly MessagePart[]): string;
  generateEd25519KeyPair(): Promise<Ed25519KeyPair>;
  /** The public key of a 32-byte seed. */
  ed25519PublicKey(seed: Uint8Array): Promise<Uint8Array>;
  randomBytes(length: number): Uint8Array;
  /** Compares in time that depends only on the length, never on where the bytes differ. */
  timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean;
  utf8(text: string): Uint8Array;
  toBase64(bytes: Uint8Array): string;
  /** Decodes base64 already checked for shape (see encoding.ts). */
  fromBase64(text: string): Uint8Array;
  toHex(bytes: Uint8Array): string;
  /** Decodes hex already checked for shape (see encoding.ts). */
  fromHex(text: string): Uint8Array;
}
