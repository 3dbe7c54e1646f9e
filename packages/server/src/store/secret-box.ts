// Encryption at rest for what the database keeps that would let a reader act as the sender: endpoint signing
// secrets and custom header values. AES-256-GCM with keys from the environment, in a versioned envelope that names
// its key, so several keys can be held at once while rows move from one to the next (rotation).
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * `enc:v1:<key id>:<iv>:<tag>:<ciphertext>`, base64url parts. A stored value without the prefix is clear text from
 * before encryption (or from a server without a key): no secret or header JSON Hookline writes starts with `enc:`.
 */
const PREFIX = 'enc:v1:';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Opened values kept so the hot path (a claim, each send's secrets) decrypts a value once, not every time. */
const OPENED_CACHE_MAX = 4096;

export class InvalidEncryptionKeyError extends Error {
  readonly code = 'HOOKLINE_ENCRYPTION_KEY_INVALID';
}

/**
 * A stored value this server cannot read: encrypted under a key it is not given, altered, or moved from another row.
 * Never a wrong value instead: GCM's tag fails for a wrong key, a changed byte or another row's context.
 */
export class StoredSecretUnreadableError extends Error {
  readonly code = 'HOOKLINE_SECRET_UNREADABLE';
  constructor(
    readonly context: string,
    readonly keyId: string | null,
    reason: string,
  ) {
    super(`${context} cannot be decrypted: ${reason}`);
  }
}

/** A key as configured: 32 bytes in base64 or base64url (`openssl rand -base64 32`). */
export function parseEncryptionKey(text: string, source: string): Buffer {
  const trimmed = text.trim();
  const key = /^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed) ? Buffer.from(trimmed, 'base64') : null;
  if (key === null || key.length !== KEY_BYTES) {
    throw new InvalidEncryptionKeyError(
      `${source} must be ${KEY_BYTES} random bytes in base64 (generate one with: openssl rand -base64 32)`,
    );
  }
  return key;
}

/** A short, stable name for a key, written in each envelope: tells which key to use, and says nothing of the key. */
export function encryptionKeyId(key: Buffer): string {
  return createHash('sha256').update('hookline encryption key id\0').update(key).digest('hex').slice(0, 8);
}

export interface EncryptionKeys {
  /** Encrypts every value written; null: values are written in clear. */
  current: Buffer | null;
  /** Decrypt only: keys rows may still be under until the re-encryption pass has moved them to the current one. */
  old: readonly Buffer[];
}

export class SecretBox {
  /** Keys by id; the current one among them. */
  private readonly keys = new Map<string, Buffer>();
  readonly currentKeyId: string | null;
  private readonly opened = new Map<string, string>();

  constructor(keys: EncryptionKeys = { current: null, old: [] }) {
    this.currentKeyId = keys.current === null ? null : encryptionKeyId(keys.current);
    for (const key of [...(keys.current === null ? [] : [keys.current]), ...keys.old]) {
      this.keys.set(encryptionKeyId(key), key);
    }
  }

  /** True when values are written encrypted. */
  get encrypts(): boolean {
    return this.currentKeyId !== null;
  }

  /**
   * The stored form of `clear`. `context` names the row and column (`endpoints.headers:ep_…`) and is bound to the
   * ciphertext, so a value copied into another row (say, an endpoint whose URL an attacker chose) does not open.
   */
  seal(clear: string, context: string): string {
    if (this.currentKeyId === null) return clear;
    const key = this.keys.get(this.currentKeyId) as Buffer;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(clear, 'utf8'), cipher.final()]);
    const parts = [iv, cipher.getAuthTag(), ciphertext].map((part) => part.toString('base64url'));
    return `${PREFIX}${this.currentKeyId}:${parts.join(':')}`;
  }

  /** The clear value of a stored one (clear text passes through); throws StoredSecretUnreadableError. */
  open(stored: string, context: string): string {
    if (!stored.startsWith('enc:')) return stored;
    const cacheKey = `${context}\0${stored}`;
    const cached = this.opened.get(cacheKey);
    if (cached !== undefined) return cached;
    const clear = this.decrypt(stored, context);
    if (this.opened.size >= OPENED_CACHE_MAX) this.opened.clear();
    this.opened.set(cacheKey, clear);
    return clear;
  }

  /** The key id a stored value names; null for clear text. */
  keyIdOf(stored: string): string | null {
    return stored.startsWith(PREFIX) ? (stored.slice(PREFIX.length).split(':')[0] ?? null) : null;
  }

  /** True when `stored` is already in the form seal() writes now (under the current key, or clear without one). */
  isCurrent(stored: string): boolean {
    return this.currentKeyId === null ? !stored.startsWith('enc:') : this.keyIdOf(stored) === this.currentKeyId;
  }

  /** True when this box holds the key `stored` needs (clear text needs none). */
  canOpen(stored: string): boolean {
    if (!stored.startsWith('enc:')) return true;
    const keyId = this.keyIdOf(stored);
    return keyId !== null && this.keys.has(keyId);
  }

  private decrypt(stored: string, context: string): string {
    const parts = stored.startsWith(PREFIX) ? stored.slice(PREFIX.length).split(':') : [];
    if (parts.length !== 4) throw new StoredSecretUnreadableError(context, null, 'not a Hookline v1 envelope');
    const [keyId, iv, tag, ciphertext] = parts as [string, string, string, string];
    const key = this.keys.get(keyId);
    if (key === undefined) {
      throw new StoredSecretUnreadableError(
        context,
        keyId,
        `it is encrypted under key ${keyId}, which this server is not given (HOOKLINE_ENCRYPTION_KEY, HOOKLINE_ENCRYPTION_OLD_KEYS)`,
      );
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(context, 'utf8'));
      const tagBytes = Buffer.from(tag, 'base64url');
      if (tagBytes.length !== TAG_BYTES) throw new Error('bad tag length');
      decipher.setAuthTag(tagBytes);
      return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new StoredSecretUnreadableError(
        context,
        keyId,
        `it does not authenticate under key ${keyId} (altered, or copied from another row)`,
      );
    }
  }
}

/**
 * The columns sealed at rest: what would let a reader sign as the sender, pass a source's verification, or publish
 * to a broker destination (the URL with its credentials).
 */
export type SealedColumn =
  | 'endpoint_secrets.secret'
  | 'endpoints.headers'
  | 'endpoints.sealed_url'
  | 'sources.verification';

/** The context a sealed value is bound to: its column and the endpoint or source the row belongs to. */
export function sealContext(column: SealedColumn, ownerId: string): string {
  return `${column}:${ownerId}`;
}

/** The box a configuration's keys make (strings as in HOOKLINE_ENCRYPTION_KEY / _OLD_KEYS, checked at load). */
export function secretBoxFrom(keys: { key: string | null; oldKeys: readonly string[] }): SecretBox {
  return new SecretBox({
    current: keys.key === null ? null : parseEncryptionKey(keys.key, 'HOOKLINE_ENCRYPTION_KEY'),
    old: keys.oldKeys.map((key) => parseEncryptionKey(key, 'HOOKLINE_ENCRYPTION_OLD_KEYS')),
  });
}
