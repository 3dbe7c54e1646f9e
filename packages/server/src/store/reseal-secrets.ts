// The migration of existing rows for encryption at rest: every sealed value (endpoint secrets, custom headers,
// source verifications) is brought to the form the configured keys write now: clear rows and rows under an old key
// are encrypted under the current key (or, with no current key but the old one given, written back in clear). Each
// store supplies reading and compare-and-set writing of its columns; the walk is here, once.
import { type SealedColumn, type SecretBox, sealContext } from './secret-box.js';

/** A stored value, with the key that orders the walk (rowid, serial or id) and the endpoint or source it is bound to. */
export interface SealedValue {
  rowKey: string | number;
  ownerId: string;
  value: string;
}

/** Which stored values are not in the current form: see staleFilter. */
export interface StaleFilter {
  /** A LIKE pattern on the value. */
  like: string;
  /** True: the values NOT matching `like` are stale. */
  not: boolean;
}

export interface SealedColumnAccess {
  column: SealedColumn;
  /** Up to `limit` values after `after` in rowKey order that match `stale`. */
  stale(after: string | number | null, limit: number, stale: StaleFilter): Promise<SealedValue[]>;
  /**
   * Writes each `to` where the row still holds `from` (a value changed meanwhile was written in the current form
   * already), in one transaction; returns how many rows it changed.
   */
  replace(changes: ReadonlyArray<{ rowKey: string | number; from: string; to: string }>): Promise<number>;
}

export interface ResealReport {
  /** Values rewritten in the current form. */
  resealed: number;
  /** Values no configured key opens (or altered): their deliveries fail until the key is given. */
  unreadable: number;
  /** The key ids those values name (null-free; a malformed value names none). */
  unknownKeyIds: string[];
}

export interface ResealOptions {
  /** Values read and written per transaction: bounds each statement, so the pass never holds the store long. */
  batchSize?: number;
  /** Stops the pass between batches (the process is closing); what is done stays done, the rest waits for the next. */
  signal?: AbortSignal;
}

const DEFAULT_BATCH_SIZE = 200;

/** The values that are not in the form `box` writes: encrypted under another key, or clear while there is a key. */
export function staleFilter(box: SecretBox): StaleFilter {
  return box.currentKeyId === null
    ? { like: 'enc:%', not: false }
    : { like: `enc:v1:${box.currentKeyId}:%`, not: true };
}

/**
 * Walks each column once in row order, a batch per transaction, and rewrites what is stale. Idempotent: a second
 * run finds nothing to do. Several processes may run it at once (PostgreSQL): the writes are compare-and-set.
 */
export async function resealColumns(
  box: SecretBox,
  columns: readonly SealedColumnAccess[],
  options: ResealOptions = {},
): Promise<ResealReport> {
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const filter = staleFilter(box);
  const report: ResealReport = { resealed: 0, unreadable: 0, unknownKeyIds: [] };
  const unknown = new Set<string>();
  for (const access of columns) {
    let after: string | number | null = null;
    while (options.signal?.aborted !== true) {
      const page = await access.stale(after, batchSize, filter);
      if (page.length === 0) break;
      after = (page[page.length - 1] as SealedValue).rowKey;
      const changes: Array<{ rowKey: string | number; from: string; to: string }> = [];
      for (const row of page) {
        const context = sealContext(access.column, row.ownerId);
        let clear: string;
        try {
          clear = box.open(row.value, context);
        } catch {
          report.unreadable += 1;
          const keyId = box.keyIdOf(row.value);
          if (keyId !== null && !box.canOpen(row.value)) unknown.add(keyId);
          continue;
        }
        changes.push({ rowKey: row.rowKey, from: row.value, to: box.seal(clear, context) });
      }
      if (changes.length > 0) report.resealed += await access.replace(changes);
      // Let requests in between batches: on SQLite the pass shares the process's one connection.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  report.unknownKeyIds = [...unknown].sort();
  return report;
}
