// This process's liveness, as PostgreSQL sees it: a session of its own holding an advisory lock on a random key.
// Every lease this process takes carries that key. When the process dies (kill -9, a crash, a lost machine) its
// sessions end and the lock is freed, so other processes' claims take its leases back at once (LEASE_OWNER_LOCK_CLASS
// in the claim function) instead of holding the endpoint's concurrency slots until the leases run out.
import { randomInt } from 'node:crypto';
import type pg from 'pg';
import { pgDriver } from './pg-driver.js';

/** The advisory lock class of lease owners; the claim function reads pg_locks for it. */
export const LEASE_OWNER_LOCK_CLASS = 720_615;

/** Largest key: positive int4, so pg_locks.objid (an unsigned oid) reads back as the same number. */
const MAX_KEY = 2 ** 31 - 1;

const RETRY_OPEN_AFTER_MS = 1000;
const REOPEN_EVERY_MS = 200;

export interface LeaseOwnerLogger {
  warn(object: object, message?: string): void;
}

export class LeaseOwner {
  private client: pg.Client | null = null;
  private opening: Promise<number | null> | null = null;
  private key = randomInt(1, MAX_KEY);
  private closed = false;
  /** After a failed open, claims go on without an owner until then, rather than each waiting for a connect. */
  private retryAt = 0;
  private reopenTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly config: pg.ClientConfig,
    private readonly logger: LeaseOwnerLogger,
  ) {}

  /**
   * The key this process's leases carry, or null when its session cannot be held now (the database is away):
   * leases taken without an owner run out by time only, as before owners existed. Never throws.
   */
  current(): Promise<number | null> {
    if (this.closed) return Promise.resolve(null);
    if (this.client !== null) return Promise.resolve(this.key);
    if (Date.now() < this.retryAt) return Promise.resolve(null);
    this.opening ??= this.open().finally(() => {
      this.opening = null;
    });
    return this.opening;
  }

  private async open(): Promise<number | null> {
    const client = new pgDriver.Client(this.config);
    const lost = (error?: Error) => {
      if (this.client !== client) return;
      // Until the same key is held again, other processes may take this process's leases back, and a send in
      // flight may be sent twice (at least once; the same webhook-id). A database restart ends every session at
      // once: the key is taken again as soon as the database answers, to keep that window short.
      this.logger.warn({ err: error }, 'lease owner session lost; its leases may be taken back by other processes');
      this.client = null;
      this.retryAt = 0;
      client.end().catch(() => undefined);
      this.reopenSoon();
    };
    client.on('error', lost);
    client.on('end', () => lost());
    try {
      await client.connect();
      // A key another live process holds (1 in 2^31) is replaced: two processes must never share one.
      for (let tries = 0; tries < 5; tries++) {
        const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS locked', [
          LEASE_OWNER_LOCK_CLASS,
          this.key,
        ]);
        if (rows[0]?.locked === true) {
          if (this.closed) break;
          this.client = client;
          return this.key;
        }
        this.key = randomInt(1, MAX_KEY);
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'lease owner session could not be opened; leases run out by time only');
    }
    this.retryAt = Date.now() + RETRY_OPEN_AFTER_MS;
    client.removeAllListeners();
    client.on('error', () => undefined);
    await client.end().catch(() => undefined);
    return null;
  }

  /** Tries again every REOPEN_EVERY_MS until the key is held (or closed); claims meanwhile go on without owner. */
  private reopenSoon(): void {
    if (this.closed || this.reopenTimer !== null) return;
    this.reopenTimer = setTimeout(() => {
      this.reopenTimer = null;
      this.retryAt = 0;
      void this.current().then((key) => {
        if (key === null) this.reopenSoon();
      });
    }, REOPEN_EVERY_MS);
    this.reopenTimer.unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.reopenTimer !== null) clearTimeout(this.reopenTimer);
    this.reopenTimer = null;
    await this.opening;
    const client = this.client;
    this.client = null;
    if (client === null) return;
    client.removeAllListeners();
    client.on('error', () => undefined);
    await client.end().catch(() => undefined);
  }
}
