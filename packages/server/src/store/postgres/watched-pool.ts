// The pg pool, watched: when PostgreSQL stops answering without refusing (packets dropped: a partition, a host
// gone), statements on open connections wait for their read timeout (statement timeout + 5 s) and new ones for the
// connect timeout, so every request hung 5-35 s and then answered 500. Here a statement unanswered for `stallMs`,
// or a connection that fails, makes the pool probe the database on a fresh connection; if that cannot get an
// answer either, the database is unreachable: statements in flight are abandoned (their sockets destroyed, so they
// fail at once), the connections are replaced, and every statement fails fast with StoreUnavailableError (the API
// answers 503 with Retry-After) until a probe gets an answer again.
import type pg from 'pg';
import { isStoreUnavailable, StoreUnavailableError } from '../errors.js';
import { pgDriver } from './pg-driver.js';
import { connectionConfig, type PostgresConnectionOptions } from './pool.js';

export interface WatchedPoolOptions extends PostgresConnectionOptions {
  /** A statement or checkout unanswered this long makes the pool check that the database still answers. */
  stallMs?: number;
  /** How long a probe (connect and SELECT 1 on a fresh connection) may take before the database counts as gone. */
  probeTimeoutMs?: number;
  /** While unreachable, how often a probe looks whether it answers again. */
  reprobeMs?: number;
  logger?: { warn(object: object, message?: string): void; info?(object: object, message?: string): void };
}

/** What runs a statement: the pool, or a client checked out of it for a transaction. */
export interface Queryable {
  query<R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
}

const WATCH_EVERY_MS = 250;

export class WatchedPool {
  private pool: pg.Pool;
  private readonly errorListeners: Array<(error: Error) => void> = [];
  /** Every open client of the current pool (to destroy when abandoned), and when each checked-out one was taken. */
  private clients = new Set<pg.PoolClient>();
  private readonly held = new Map<pg.PoolClient, number>();
  /** Statements and checkouts through this pool not yet settled: when each started, and how to fail it at once. */
  private readonly pending = new Map<number, { startedAt: number; fail: (error: Error) => void }>();
  private nextPending = 0;
  private reachable = true;
  private probing: Promise<void> | null = null;
  private lastAnswerAt = 0;
  private readonly watch: NodeJS.Timeout;
  private reprobe: NodeJS.Timeout | null = null;
  private ended = false;
  private readonly stallMs: number;
  private readonly probeTimeoutMs: number;
  private readonly reprobeMs: number;

  constructor(private readonly options: WatchedPoolOptions) {
    this.stallMs = options.stallMs ?? 2000;
    this.probeTimeoutMs = options.probeTimeoutMs ?? 3000;
    this.reprobeMs = options.reprobeMs ?? 1000;
    this.pool = this.createPool();
    this.watch = setInterval(() => this.look(), WATCH_EVERY_MS);
    this.watch.unref();
  }

  /** False from the moment a probe found the database gone until one finds it answering. */
  isReachable(): boolean {
    return this.reachable;
  }

  /**
   * Whether the database answered a statement or a probe in the last `ms`, and the pool is open and not cut off:
   * a pool whose every connection is taken is busy, not gone (readiness asks this before queueing a read).
   */
  answeredWithin(ms: number): boolean {
    return !this.ended && this.reachable && Date.now() - this.lastAnswerAt < ms;
  }

  on(event: 'error', listener: (error: Error) => void): void {
    if (event !== 'error') return;
    this.errorListeners.push(listener);
    this.pool.on('error', listener);
  }

  query<R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>> {
    return this.track(() => this.pool.query<R>(text, values));
  }

  connect(): Promise<pg.PoolClient> {
    // A checkout that the black hole gives back after it was failed goes back to its (ended) pool, destroyed.
    return this.track(
      () => this.pool.connect(),
      (client) => client.release(true),
    );
  }

  async end(): Promise<void> {
    this.ended = true;
    clearInterval(this.watch);
    if (this.reprobe !== null) clearTimeout(this.reprobe);
    await this.pool.end();
  }

  private createPool(): pg.Pool {
    const pool = new pgDriver.Pool({
      ...connectionConfig(this.options),
      max: this.options.max ?? 10,
      idleTimeoutMillis: 10_000,
    });
    const clients = new Set<pg.PoolClient>();
    this.clients = clients;
    pool.on('connect', (client) => clients.add(client));
    pool.on('remove', (client) => {
      clients.delete(client);
      this.held.delete(client);
    });
    pool.on('acquire', (client) => this.held.set(client, Date.now()));
    pool.on('release', (_error, client) => this.held.delete(client));
    for (const listener of this.errorListeners) pool.on('error', listener);
    return pool;
  }

  private async track<T>(run: () => Promise<T>, late?: (result: T) => void): Promise<T> {
    if (!this.reachable) throw new StoreUnavailableError();
    const id = this.nextPending++;
    let failed = false;
    const abandoned = new Promise<never>((_resolve, reject) => {
      this.pending.set(id, {
        startedAt: Date.now(),
        fail: (error) => {
          failed = true;
          reject(error);
        },
      });
    });
    const running = run();
    // Once failed by abandon(), what the old pool does with it later is nobody's business but this.
    running.then(
      (result) => {
        if (failed) late?.(result);
      },
      () => undefined,
    );
    try {
      const result = await Promise.race([running, abandoned]);
      this.lastAnswerAt = Date.now();
      return result;
    } catch (error) {
      if (!isStoreUnavailable(error)) throw error;
      if (this.reachable) this.probe();
      // Failed because the pool was abandoned under it: said the same way as the statements that come after.
      throw this.reachable ? error : new StoreUnavailableError();
    } finally {
      this.pending.delete(id);
    }
  }

  /** Runs every WATCH_EVERY_MS: probes when something has waited past stallMs since the last answer. */
  private look(): void {
    if (!this.reachable || this.probing !== null) return;
    const since = Date.now() - this.stallMs;
    if (this.lastAnswerAt > since) return;
    let stalled = false;
    for (const { startedAt } of this.pending.values()) stalled ||= startedAt <= since;
    for (const takenAt of this.held.values()) stalled ||= takenAt <= since;
    if (stalled) this.probe();
  }

  private probe(): void {
    if (this.probing !== null || this.ended) return;
    const startedAt = Date.now();
    this.probing = this.answers()
      .then((answered) => {
        // A statement answered while the probe waited is an answer too: a slow probe alone never condemns.
        if (answered || this.lastAnswerAt >= startedAt) {
          this.lastAnswerAt = Date.now();
          if (!this.reachable) {
            this.reachable = true;
            this.options.logger?.info?.({}, 'PostgreSQL answers again');
          }
        } else {
          if (this.reachable) this.abandon();
          this.scheduleReprobe();
        }
      })
      .finally(() => {
        this.probing = null;
      });
  }

  /** True when a fresh connection gets an answer to SELECT 1 in time; an answer that is an error counts as one. */
  private async answers(): Promise<boolean> {
    const client = new pgDriver.Client({
      ...connectionConfig(this.options),
      connectionTimeoutMillis: this.probeTimeoutMs,
      query_timeout: this.probeTimeoutMs,
    });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('SELECT 1');
      await client.end();
      return true;
    } catch (error) {
      client.connection.stream.destroy();
      // An error the server sent (a refused login, too many clients) is an answer: the database is there. Anything
      // else (a timeout, a refused or reset connection) is not.
      return error instanceof pgDriver.DatabaseError;
    }
  }

  /**
   * The database is gone: fail what waits on it now, and start over with a new pool, so no statement ever waits on
   * a connection that went into the hole (the old pool's sockets would each wait out their read timeout).
   */
  private abandon(): void {
    this.reachable = false;
    this.options.logger?.warn(
      { stallMs: this.stallMs, probeTimeoutMs: this.probeTimeoutMs },
      'PostgreSQL does not answer: failing statements at once until it does',
    );
    const old = this.pool;
    const oldClients = this.clients;
    this.pool = this.createPool();
    for (const client of oldClients) {
      // A client checked out for a transaction has no pool listener: its 'error' would be uncaught.
      client.on('error', () => undefined);
      client.connection.stream.destroy();
    }
    for (const { fail } of this.pending.values()) fail(new StoreUnavailableError());
    this.pending.clear();
    old.end().catch(() => undefined);
  }

  private scheduleReprobe(): void {
    if (this.ended || this.reprobe !== null) return;
    this.reprobe = setTimeout(() => {
      this.reprobe = null;
      if (!this.reachable) this.probe();
    }, this.reprobeMs);
    this.reprobe.unref();
  }
}
