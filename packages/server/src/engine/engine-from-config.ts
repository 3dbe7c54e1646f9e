// The delivery engine as the configuration describes it: the guarded HTTP dispatcher (SSRF check at connect time)
// and the engine's options; observers (metrics, operational events) are the caller's. Shared by `hookline serve` and embedded use.
import type { Logger } from 'pino';
import type { ServerConfig } from '../config.js';
import type { Store } from '../store/store.js';
import { DEFAULT_ENGINE_OPTIONS, DeliveryEngine, type EngineOptions } from './delivery-engine.js';
import { LazyDispatcher } from './lazy-dispatcher.js';
import { type NetworkPolicy, parseCidrs } from './ssrf-guard.js';

export interface ConfiguredEngine {
  engine: DeliveryEngine;
  policy: NetworkPolicy;
  /** Closed after the engine has stopped. undici is loaded at the first send (lazy-dispatcher.ts). */
  dispatcher: LazyDispatcher;
}

export function engineFromConfig(
  config: ServerConfig,
  store: Store,
  logger: Logger,
  observers: Pick<EngineOptions, 'onAttemptRecorded' | 'onDeliveryError' | 'onOperationalEvent'> = {},
): ConfiguredEngine {
  const policy: NetworkPolicy = {
    allowPrivateNetworks: config.allowPrivateNetworks,
    allowedCidrs: config.allowedCidrs,
    requireHttps: config.requireHttps,
  };
  // A bad allowlist fails at start, not at the first send that makes the connector.
  parseCidrs(policy.allowedCidrs);
  const dispatcher = new LazyDispatcher(async () => {
    const [{ Agent }, { createGuardedConnector }] = await Promise.all([
      import('undici'),
      import('./guarded-connector.js'),
    ]);
    return new Agent({
      connect: createGuardedConnector({ policy, connectTimeoutMs: Math.min(10_000, config.delivery.timeoutMs) }),
      keepAliveTimeout: 30_000,
      keepAliveMaxTimeout: 600_000,
    });
  });
  const engine = new DeliveryEngine({
    ...DEFAULT_ENGINE_OPTIONS,
    store,
    dispatcher,
    networkPolicy: policy,
    logger,
    timeoutMs: config.delivery.timeoutMs,
    concurrency: config.delivery.concurrency,
    concurrencyPerEndpoint: config.delivery.concurrencyPerEndpoint,
    pollIntervalMs: config.delivery.pollIntervalMs,
    leaseMarginMs: config.delivery.leaseMarginMs,
    retrySchedule: config.delivery.retrySchedule,
    autoDisableAfterMs: config.delivery.autoDisableAfterMs,
    circuit: {
      failureThreshold: config.delivery.circuitFailureThreshold,
      openMs: config.delivery.circuitOpenMs,
      maxOpenMs: Math.max(config.delivery.circuitOpenMs, 600_000),
    },
    ...observers,
  });
  return { engine, policy, dispatcher };
}
