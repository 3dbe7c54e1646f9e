// A map with a hard bound on entries and O(1) operations, for the in-memory stores. Two generations: writes go to
// the current one; when it is full it becomes the previous one and the old previous is dropped whole. So at most
// `maxEntries` are kept, and what goes first is what was written longest ago (by generation).
// Why not a Map used as an LRU (delete the first key when full): V8 leaves deleted slots in place until a rehash,
// so `keys().next()` rescans them on every eviction; a full 100,000-entry store measured 3-4x slower per request.

export class BoundedMap<K, V> {
  #current = new Map<K, V>();
  #previous = new Map<K, V>();
  readonly #generationSize: number;

  constructor(maxEntries: number) {
    this.#generationSize = Math.max(1, Math.floor(maxEntries / 2));
  }

  get size(): number {
    return this.#current.size + this.#previous.size;
  }

  get(key: K): V | undefined {
    return this.#current.get(key) ?? this.#previous.get(key);
  }

  /** The value only if it was written in the current generation, where changing it in place is as good as `set`. */
  getRecent(key: K): V | undefined {
    return this.#current.get(key);
  }

  /**
   * `set` for a key most likely written moments ago: replaced in place when it is in the current generation (one
   * lookup, the bound untouched), else set as new.
   */
  setRecent(key: K, value: V): void {
    const size = this.#current.size;
    this.#current.set(key, value);
    if (this.#current.size === size) return;
    this.#previous.delete(key);
    this.#rotateWhenFull();
  }

  set(key: K, value: V): void {
    this.#previous.delete(key);
    this.#insert(key, value);
  }

  /**
   * `set` for a key the caller has just seen `get` miss: it skips looking in the previous generation again. Each
   * lookup in a full map is a few cache misses, and a new dedupe id would otherwise pay for six of them.
   */
  setAbsent(key: K, value: V): void {
    this.#insert(key, value);
  }

  #insert(key: K, value: V): void {
    this.#current.set(key, value);
    this.#rotateWhenFull();
  }

  #rotateWhenFull(): void {
    if (this.#current.size >= this.#generationSize) {
      this.#previous = this.#current;
      this.#current = new Map();
    }
  }

  delete(key: K): void {
    this.#current.delete(key);
    this.#previous.delete(key);
  }
}
