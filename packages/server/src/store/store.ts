// The one seam between Hookline and its database. SQLite (embedded default) and PostgreSQL (many processes)
// implement it; one conformance suite runs against both. Every method is async so either fits. The Store is
// composed of one interface per module, each in its file here (applications.ts, queue.ts …), and each store
// dialect has the same file names in sqlite/ and postgres/ implementing them.
import type { ApiKeyStore } from './api-keys.js';
import type { ApplicationsStore } from './applications.js';
import type { EndpointsStore } from './endpoints.js';
import type { EventTypesStore } from './event-types.js';
import type { EndpointGates } from './gates.js';
import type { HistoryStore } from './history.js';
import type { IdempotencyStore } from './idempotency.js';
import type { MessagesStore } from './messages.js';
import type { OperatorViewsStore } from './operator-views.js';
import type { OrderingStore } from './ordering.js';
import type { QueueStore } from './queue.js';
import type { RetentionStore } from './retention.js';
import type { SettingsStore } from './settings.js';
import type { SourcesStore } from './sources.js';

// The types the Store's methods take, from their modules, so a caller of the Store imports them from one place.
export type { ApplicationPatch, NewApplication } from './applications.js';
export type { EndpointPatch, NewEndpoint } from './endpoints.js';
export type { EventTypeListOptions, EventTypePatch, NewEventType } from './event-types.js';
export type { AttemptListOptions, MessageListOptions, StatusCodeClass, TimeRange } from './history.js';
export type { NewMessage, PublishedOrDuplicate, PublishResult } from './messages.js';
export type { QueueDepth, RecentAttemptsQuery } from './operator-views.js';
export type { ListOptions, Page } from './paging.js';
export type { AttemptResult, ClaimOptions, DisabledEndpoint, RecordedAttempts } from './queue.js';
export type { PruneBatch, PruneResult } from './retention.js';

export interface Store
  extends ApplicationsStore,
    EventTypesStore,
    EndpointsStore,
    MessagesStore,
    QueueStore,
    OrderingStore,
    HistoryStore,
    OperatorViewsStore,
    ApiKeyStore,
    IdempotencyStore,
    SettingsStore,
    SourcesStore,
    RetentionStore {
  /**
   * The endpoint gates (concurrency, rate tokens, circuit) when the store keeps them for every process
   * (PostgreSQL: its claims already respect them). A store without it leaves the engine to keep them in process.
   */
  endpointGates?(): EndpointGates;
  /** Calls `onWork` when any process publishes or replays (across processes); returns how to stop listening. */
  watchForWork?(onWork: () => void): () => Promise<void>;

  /**
   * Whether the store answered any statement in the last `ms` (PostgreSQL: through its pool, or the pool's own
   * probe). Readiness asks this first, so a store whose pooled connections are all busy is not called down; a
   * store without it (SQLite, whose reads wait on no pool) is asked with a read.
   */
  answeredWithin?(ms: number): boolean;

  /**
   * Makes due the deliveries a race with their endpoint's enable left parked on an enabled endpoint; answers how
   * many. PostgreSQL only (postgres/stranded.ts): its readers of `disabled` can overlap an enable. SQLite has one
   * writer, so the race cannot happen there and it has none. The engine runs it on its periodic maintenance.
   */
  repairStrandedDeliveries?(now: number): Promise<number>;

  migrate(): Promise<void>;
  close(): Promise<void>;
}
