import type { Secret } from './types.js';

/**
 * Remembers the key made from each secret, so a hot verifier decodes and imports a secret once, not per request
 * (Web Crypto's importKey costs more than the HMAC itself). Bounded: a receiver with more live secrets than this
 * re-imports, it does not grow.
 */
export class KeyCache<K> {
  private readonly byString = new Map<string, Promise<K>>();
  private readonly byBytes = new WeakMap<Uint8Array, Promise<K>>();
  private readonly maxEntries: number;

  constructor(maxEntries = 256) {
    this.maxEntries = maxEntries;
  }

  get(secret: Secret, make: (secret: Secret) => Promise<K>): Promise<K> {
    if (typeof secret !== 'string') {
      let key = this.byBytes.get(secret);
      if (key === undefined) {
        key = make(secret);
        this.byBytes.set(secret, key);
        key.catch(() => this.byBytes.delete(secret));
      }
      return key;
    }
    let key = this.byString.get(secret);
    if (key === undefined) {
      if (this.byString.size >= this.maxEntries) {
        const oldest = this.byString.keys().next();
        if (oldest.done !== true) this.byString.delete(oldest.value);
      }
      key = make(secret);
      this.byString.set(secret, key);
      key.catch(() => this.byString.delete(secret));
    }
    return key;
  }
}
