// What the PostgreSQL stores (dedupe, inbox) share: the structural pg client type, and a CREATE TABLE run once on
// first use, retried after a failure rather than remembered as failed.

/** What these stores need of a pg `Pool` or `Client` (typed structurally: no runtime dependency on pg). */
export interface PostgresQueryable {
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
}

export class PostgresTable {
  #ready: Promise<void> | undefined;

  constructor(
    private readonly db: PostgresQueryable,
    private readonly createSql: string,
  ) {}

  ensure(): Promise<void> {
    this.#ready ??= this.db.query(this.createSql).then(
      () => undefined,
      (error: unknown) => {
        this.#ready = undefined;
        throw error;
      },
    );
    return this.#ready;
  }
}
