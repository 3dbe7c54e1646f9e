import type { Secret } from './types.js';

/**
 * Remembers the key made from each secret, so a hot verifier decodes and imports a secret once, not per request
 * (Web Crypto's importKey costs more than the HMAC itself). Bounded: a receiver with more live secrets than this
 * re-imports, it does not grow. Once a key is made, `peek` hands it out without a promise, for synchronous verifies.
 */
export class KeyCache<K> {
  private readonly byString = new Map<string, { promise: Promise<K>; key?: K }>();
  private readonly byBytes = new WeakMap<Uint8Array, { promise: Promise<K>; key?: K }>();
  private readonly maxEntries: number;

  constructor(maxEntries = 256) {
    this.maxEntries = maxEntries;
  }

  get(secret: Secret, make: (secret: Secret) => Promise<K>): Promise<K> {
    if (typeof secret !== 'string') {
      let entry = this.byBytes.get(secret);
      if (entry === undefined) {
        entry = this.made(make(secret), () => this.byBytes.delete(secret));
        this.byBytes.set(secret, entry);
      }
      return entry.promise;
    }
    let entry = this.byString.get(secret);
    if (entry === undefined) {
      if (this.byString.size >= this.maxEntries) {
        const oldest = this.byString.keys().next();
        if (oldest.done !== true) this.byString.delete(oldest.value);
      }
      entry = this.made(make(secret), () => this.byString.delete(secret));
      this.byString.set(secret, entry);
    }
    return entry.promise;
  }

  /** The key already made from this secret, or undefined while it is being made (or never was, or failed). */
  peek(secret: Secret): K | undefined {
    return (typeof secret === 'string' ? this.byString.get(secret) : this.byBytes.get(secret))?.key;
  }

  private made(promise: Promise<K>, forget: () => void): { promise: Promise<K>; key?: K } {
    const entry: { promise: Promise<K>; key?: K } = { promise };
    promise.then((key) => {
      entry.key = key;
    }, forget);
    return entry;
  }
}
