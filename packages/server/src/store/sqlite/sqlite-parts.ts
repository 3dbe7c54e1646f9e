// What a module of the SQLite store needs from SqliteStore: prepared statements, the group-commit queue, and the
// read caches every write keeps honest.
import type { Statement } from 'better-sqlite3';
import type { ReadCaches } from './read-caches.js';
import type { WriteOptions } from './write-queue.js';

export interface SqliteParts {
  /** Prepared once per SQL text: the hot statements are compiled a single time. */
  sql(text: string): Statement;
  /** Runs `work` inside the next shared transaction (group commit); resolves once it is durable. */
  write<T>(work: () => T, options?: WriteOptions): Promise<T>;
  caches: ReadCaches;
}

/** The unique index a statement broke, when that is what failed (SQLITE_CONSTRAINT naming its columns). */
export function uniqueViolation(error: unknown, index: string): boolean {
  return (
    error instanceof Error &&
    (error as { code?: string }).code?.startsWith('SQLITE_CONSTRAINT') === true &&
    error.message.includes(index)
  );
}
