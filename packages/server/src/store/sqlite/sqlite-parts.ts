// What a piece of the SQLite store needs from SqliteStore: prepared statements and the group-commit queue.
import type { Statement } from 'better-sqlite3';
import type { WriteOptions } from './write-queue.js';

export interface SqliteParts {
  sql(text: string): Statement;
  write<T>(work: () => T, options?: WriteOptions): Promise<T>;
}
