// Sources as the ingest URL finds them, kept a moment: a burst of provider requests (or a flood of junk at unknown
// names) reads the store once a second per name, not once per request. Each source is compiled once per version
// (its updatedAt), so a change (a rotated secret, a disabled source) takes effect within CACHE_MS.

/** How long a lookup, found or not, is reused. */
export const CACHE_MS = 1000;
/** Names remembered; past it the cache starts over rather than grow (random names must not fill memory). */
const MAX_ENTRIES = 10_000;

interface Versioned {
  id: string;
  updatedAt: number;
}

export class SourceCache<S extends Versioned, C> {
  private readonly entries = new Map<string, { at: number; compiled: C | null }>();
  private readonly compiledById = new Map<string, { updatedAt: number; compiled: C }>();

  constructor(
    private readonly find: (idOrUid: string) => Promise<S | null>,
    private readonly now: () => number,
    private readonly compile: (source: S) => C,
  ) {}

  async get(idOrUid: string): Promise<C | null> {
    const now = this.now();
    const entry = this.entries.get(idOrUid);
    if (entry !== undefined && now - entry.at < CACHE_MS) return entry.compiled;
    const source = await this.find(idOrUid);
    let compiled: C | null = null;
    if (source !== null) {
      const known = this.compiledById.get(source.id);
      if (known !== undefined && known.updatedAt === source.updatedAt) compiled = known.compiled;
      else {
        compiled = this.compile(source);
        if (this.compiledById.size >= MAX_ENTRIES) this.compiledById.clear();
        this.compiledById.set(source.id, { updatedAt: source.updatedAt, compiled });
      }
    }
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    this.entries.set(idOrUid, { at: now, compiled });
    return compiled;
  }
}
