// What the operations need from whoever calls them (the API's serve(), embedded mode): the store, the clock, the
// settings the rules depend on, and a way to say new work is queued.
import type { Store } from '../store/store.js';
import type { OperationalEventSink } from './operational-events.js';
import type { PayloadValidator } from './payload-validation.js';

export type UrlVerdict = { ok: true; url: URL } | { ok: false; code: string; detail: string };

export interface OperationsContext {
  store: Store;
  now(): number;
  /** Where the operations tell what changed (endpoint created, updated, deleted, enabled, disabled). */
  operationalEvents: OperationalEventSink;
  /** Called after a publish or a replay queued deliveries, so an engine in this process looks at once. */
  workQueued(): void;
  /** Whether an endpoint URL may be delivered to (the SSRF guard's static check, with the server's policy). */
  checkEndpointUrl(url: string): UrlVerdict;
  /** Checks published payloads against their event type's JSON Schema (compiled once, cached). */
  payloadValidator: PayloadValidator;
  /** Publishing an event type nobody created: false accepts it (the default, as Svix), true refuses it. */
  rejectUnknownEventTypes: boolean;
  /** Grace during which a rotated-out secret keeps signing. */
  secretRotationGraceMs: number;
  /**
   * How far ahead a message may be scheduled (deliverAt); null: any time. The API keeps Svix's 24 h, so code
   * written against Svix behaves the same; embedded mode allows any time (the database is the caller's own).
   */
  maxDeliverAheadMs: number | null;
}
