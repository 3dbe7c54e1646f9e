// The Prometheus metrics of one Hookline process (prom-client, on a registry of its own so two servers in one
// process, as in tests, do not share counts). Counters move as work happens; queue depth and oldest pending age
// are read from the store, so they are true across processes sharing the store: the lag at every scrape (one index
// step), the depth through QueueDepthCache (a count over the whole queue, off the event loop, reused a while).
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { DELIVERY_ERROR_STAGES, type DeliveryErrorStage, type RecordedAttempt } from '../engine/delivery-engine.js';
import type { Store } from '../store/store.js';
import { EndpointOutcomes } from './endpoint-outcomes.js';
import { QUEUE_DEPTH_MAX_AGE_MS, QueueDepthCache } from './queue-depth-cache.js';

/** Endpoints with a series of their own in the success-rate metrics; the rest are summed as "other". */
export const TOP_ENDPOINTS = 20;

const LATENCY_BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export class HooklineMetrics {
  readonly registry = new Registry();
  private readonly endpointOutcomes = new EndpointOutcomes();
  private readonly published: Counter;
  private readonly delivered: Counter;
  private readonly failed: Counter;
  private readonly dead: Counter;
  private readonly retries: Counter;
  private readonly deliveryErrors: Counter<'stage'>;
  private readonly deliveryLatency: Histogram;
  private readonly httpLatency: Histogram<'method' | 'route' | 'status_code'>;

  constructor(store: Store, now: () => number = Date.now) {
    const registers = [this.registry];
    this.published = new Counter({
      name: 'hookline_messages_published_total',
      help: 'Messages accepted by the API',
      registers,
    });
    this.delivered = new Counter({
      name: 'hookline_deliveries_succeeded_total',
      help: 'Attempts that delivered a message (2xx)',
      registers,
    });
    this.failed = new Counter({
      name: 'hookline_attempts_failed_total',
      help: 'Attempts that failed (non-2xx, timeout, connection error)',
      registers,
    });
    this.dead = new Counter({
      name: 'hookline_deliveries_dead_total',
      help: 'Deliveries that failed their last attempt and went to the dead-letter list',
      registers,
    });
    this.retries = new Counter({
      name: 'hookline_delivery_retries_total',
      help: 'Attempts after the first of a delivery (scheduled retries and manual replays)',
      registers,
    });
    this.deliveryErrors = new Counter({
      name: 'hookline_delivery_errors_total',
      help: "Errors on Hookline's side around a delivery, by stage (endpoint settings, secrets, sign, headers, send, outcome: each recorded as a failed attempt; record: an attempt the store refused; claim: a claim that failed)",
      labelNames: ['stage'],
      registers,
    });
    // Every stage from zero, so a dashboard or alert sees the series before the first error.
    for (const stage of DELIVERY_ERROR_STAGES) this.deliveryErrors.inc({ stage }, 0);
    this.deliveryLatency = new Histogram({
      name: 'hookline_delivery_duration_seconds',
      help: 'Time from sending a webhook to its complete answer (or failure)',
      buckets: LATENCY_BUCKETS_SECONDS,
      registers,
    });
    this.httpLatency = new Histogram({
      name: 'hookline_http_request_duration_seconds',
      help: 'API request duration by route pattern',
      labelNames: ['method', 'route', 'status_code'],
      buckets: LATENCY_BUCKETS_SECONDS,
      registers,
    });
    const queueDepth = new QueueDepthCache(() => store.countQueuedDeliveries(), now);
    const maxAgeSeconds = QUEUE_DEPTH_MAX_AGE_MS / 1000;
    new Gauge({
      name: 'hookline_deliveries',
      help: `Deliveries not yet delivered, by status (the queue depth; delivered ones: hookline_deliveries_succeeded_total). Counted off the event loop and reused while recent: at most ${maxAgeSeconds} s old, see hookline_deliveries_count_age_seconds`,
      labelNames: ['status'],
      registers,
      async collect() {
        const reading = await queueDepth.read();
        for (const [status, n] of Object.entries(reading.depth)) this.set({ status }, n);
      },
    });
    new Gauge({
      name: 'hookline_deliveries_count_age_seconds',
      help: `How old the hookline_deliveries figures are: seconds since their count began (at most ${maxAgeSeconds})`,
      registers,
      // prom-client runs the collects of a scrape together: both gauges read the cache, which hands them the same
      // count (the one it serves, or the one both wait for).
      async collect() {
        const reading = await queueDepth.read();
        this.set(Math.max(0, (now() - reading.countedAt) / 1000));
      },
    });
    new Gauge({
      name: 'hookline_oldest_pending_delivery_age_seconds',
      help: 'How long the longest-waiting due delivery has waited since it became due (queue lag); 0 when none is due',
      registers,
      async collect() {
        const at = await store.oldestDueDeliveryAt(now());
        this.set(at === null ? 0 : Math.max(0, (now() - at) / 1000));
      },
    });
    const outcomes = this.endpointOutcomes;
    new Gauge({
      name: 'hookline_endpoint_success_ratio',
      help: `Successful attempts / all attempts per endpoint since start; the ${TOP_ENDPOINTS} busiest endpoints, the rest as endpoint="other"`,
      labelNames: ['endpoint'],
      registers,
      collect() {
        this.reset();
        for (const row of outcomes.summary(TOP_ENDPOINTS)) {
          this.set({ endpoint: row.endpoint }, row.succeeded / Math.max(1, row.succeeded + row.failed));
        }
      },
    });
    new Gauge({
      name: 'hookline_endpoint_attempts',
      help: `Attempts per endpoint and outcome since start; the ${TOP_ENDPOINTS} busiest endpoints, the rest as endpoint="other"`,
      labelNames: ['endpoint', 'outcome'],
      registers,
      collect() {
        this.reset();
        for (const row of outcomes.summary(TOP_ENDPOINTS)) {
          this.set({ endpoint: row.endpoint, outcome: 'succeeded' }, row.succeeded);
          this.set({ endpoint: row.endpoint, outcome: 'failed' }, row.failed);
        }
      },
    });
  }

  messagePublished(): void {
    this.published.inc();
  }

  attemptRecorded(attempt: RecordedAttempt): void {
    if (attempt.succeeded) this.delivered.inc();
    else this.failed.inc();
    if (attempt.dead) this.dead.inc();
    if (attempt.retry) this.retries.inc();
    this.deliveryLatency.observe(attempt.durationMs / 1000);
    this.endpointOutcomes.record(attempt.endpointId, attempt.succeeded);
  }

  deliveryError(stage: DeliveryErrorStage): void {
    this.deliveryErrors.inc({ stage });
  }

  httpRequest(method: string, route: string, statusCode: number, durationMs: number): void {
    this.httpLatency.observe({ method, route, status_code: String(statusCode) }, durationMs / 1000);
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
