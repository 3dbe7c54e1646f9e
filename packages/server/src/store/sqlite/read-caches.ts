// The SQLite store's read caches: what a publish, a getApplication, a send's signing and an API key's authentication
// would otherwise read on every call. One connection owns the database file's writes in a process, so the copies are
// exact as long as every write that could change them drops them (endpoints, applications, secrets: all at once, one
// rule; API keys on their own writes too) and a
// commit by another connection (another process on the same file, `hookline` CLI) is noticed through data_version.
import type { Statement } from 'better-sqlite3';
import type { ApiKey } from '../api-keys.js';
import type { FanOutEndpoint } from '../fan-out.js';
import type { SecretRow } from '../secrets.js';
import type { Application, EventType } from '../types.js';

/** Bounds of the caches: past them a cache starts over rather than grow. */
export const CACHED_APPLICATIONS = 10_000;
export const CACHED_ENDPOINTS = 10_000;
export const CACHED_EVENT_TYPES = 10_000;
export const CACHED_API_KEYS = 10_000;

export class ReadCaches {
  /** Each application's enabled endpoints with their filters parsed, so a publish neither selects nor parses them. */
  /** Each application's enabled endpoints as publish fans out to them (sqlite/messages.ts). */
  readonly enabledEndpoints = new Map<string, Array<FanOutEndpoint & { ordered: boolean }>>();
  /** Applications by id and by uid: every publish looks one up. */
  readonly applications = new Map<string, Application>();
  /** Each endpoint's secrets, expired ones too (which are active depends on the time of the send). */
  readonly secrets = new Map<string, SecretRow[]>();
  /** Event types by name, null for a name with none: every publish looks its event type up (for its schema). */
  readonly eventTypes = new Map<string, EventType | null>();
  /**
   * Unrevoked API keys by the SHA-256 of the key: every request with an API key looks its key up. Only keys that
   * exist are kept, so presenting made-up tokens grows nothing.
   */
  readonly apiKeys = new Map<string, ApiKey>();
  private dataVersion: number | null = null;
  private forgotten = 0;
  /** A look at data_version was taken in this turn of the event loop (see forgetIfChangedElsewhereThisTurn). */
  private lookedThisTurn = false;
  private readonly nextTurn = () => {
    this.lookedThisTurn = false;
  };

  constructor(private readonly dataVersionStatement: Statement) {}

  /**
   * Moves at every forget(): what is kept beside the caches and could be made wrong by the same events (a rollback,
   * another connection's commit, an endpoint write), the claim's skipped runs, compares it.
   */
  get generation(): number {
    return this.forgotten;
  }

  /** Dropped on every endpoint, application or event type write and on any rollback: no copy outlives its rows. */
  forget(): void {
    this.forgotten++;
    this.enabledEndpoints.clear();
    this.applications.clear();
    this.secrets.clear();
    this.eventTypes.clear();
    this.apiKeys.clear();
  }

  /** Dropped on every API key write (a revocation, a key's last use): applications and endpoints stay. */
  forgetApiKeys(): void {
    this.apiKeys.clear();
  }

  /**
   * data_version moves when another connection commits (never for this one's own commits). Exact: what a write
   * transaction runs at BEGIN, under its lock, where the look is cheap (the transaction already holds the WAL index).
   */
  forgetIfChangedElsewhere(): void {
    const version = this.dataVersionStatement.get() as number;
    if (version !== this.dataVersion) this.forget();
    this.dataVersion = version;
  }

  /**
   * For reads outside a transaction (a publish's application and event type, a send's secrets): at most one look per
   * turn of the event loop. Each look outside a transaction opens and closes a read transaction, two fcntl(2) calls
   * on the WAL index: ~3 % of serve's CPU under bench/delivery, with three looks per event. A read later in the same
   * turn sees what the turn's first look saw, as if it had run then, so it may miss a commit another connection made
   * during the turn (a few ms at most under load); the next turn sees it. This process's own writes drop the copies
   * themselves, and every write transaction still looks at BEGIN (forgetIfChangedElsewhere).
   */
  forgetIfChangedElsewhereThisTurn(): void {
    if (this.lookedThisTurn) return;
    this.lookedThisTurn = true;
    setImmediate(this.nextTurn);
    this.forgetIfChangedElsewhere();
  }
}
