// What a piece of the SQLite store needs from SqliteStore: prepared statements and the group-commit queue.
import type { Statement } from 'better-sqlite3';

export interface SqliteParts {
  sql(text: string): Statement;
  write<T>(work: () => T): Promise<T>;
}
