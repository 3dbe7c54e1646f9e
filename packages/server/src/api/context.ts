// What every route needs, built once by serve(): the operations' context (store, clock, rules' settings) and what
// only the HTTP edge uses.

import type { RetentionConfig } from '../config.js';
import type { DeliveryEngine } from '../engine/delivery-engine.js';
import type { NetworkPolicy } from '../engine/ssrf-guard.js';
import type { HooklineMetrics } from '../metrics/metrics.js';
import type { OperationsContext } from '../operations/context.js';

export interface ApiContext extends OperationsContext {
  /** This process's engine, for pause, resume, stats and endpoint gates; absent when this process runs no engine. */
  engine: Pick<DeliveryEngine, 'notify' | 'pause' | 'resume' | 'stats' | 'endpointGate'> | null;
  /** SHA-256 of the admin token, hex. */
  adminTokenSha256: string;
  /** This process's Prometheus metrics; absent in tests of the API alone. */
  metrics?: HooklineMetrics;
  /** Who may scrape /metrics from off the machine (loopback scrapers need nothing); null: nobody. */
  metricsTokenSha256?: string | null;
  /**
   * Inbound sources: who a fetch-back may reach (the server's SSRF policy; default public addresses only) and whom
   * to tell that a request was accepted (the relay). Absent: public only, and accepted requests wait for a sweep.
   */
  inbound?: { network: NetworkPolicy; accepted(): void };
  /** How long payloads and history are kept (shown to the operator); absent in tests of the API alone: nothing pruned. */
  retention?: Pick<RetentionConfig, 'payloadDays' | 'historyDays'>;
}
