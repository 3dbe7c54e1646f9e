// What every route needs, built once by serve().
import type { DeliveryEngine } from '../engine/delivery-engine.js';
import type { HooklineMetrics } from '../metrics/metrics.js';
import type { Store } from '../store/store.js';
import type { PayloadValidator } from './payload-validation.js';

export type UrlVerdict = { ok: true; url: URL } | { ok: false; code: string; detail: string };

export interface ApiContext {
  store: Store;
  /** Rung after a publish or replay so the engine looks at once; absent when this process runs no engine. */
  engine: Pick<DeliveryEngine, 'notify' | 'pause' | 'resume' | 'stats'> | null;
  /** SHA-256 of the admin token, hex. */
  adminTokenSha256: string;
  checkEndpointUrl(url: string): UrlVerdict;
  /** Grace during which a rotated-out secret keeps signing. */
  secretRotationGraceMs: number;
  /** Checks published payloads against their event type's JSON Schema (compiled once, cached). */
  payloadValidator: PayloadValidator;
  /** Publishing an event type nobody created: false accepts it (the default, as Svix), true answers 422. */
  rejectUnknownEventTypes: boolean;
  now(): number;
  /** This process's Prometheus metrics; absent in tests of the API alone. */
  metrics?: HooklineMetrics;
  /** Who may scrape /metrics from off the machine (loopback scrapers need nothing); null: nobody. */
  metricsTokenSha256?: string | null;
}
