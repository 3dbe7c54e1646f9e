// The delivery loop: claim due deliveries in batches under a lease, sign, send, record, schedule. Claims respect
// each endpoint's gate (concurrency, rate, circuit) so one slow or failing endpoint cannot take every slot.
import { newId } from '../ids.js';
import { isStoreUnavailable } from '../store/errors.js';
import type { CircuitOptions, EndpointGateState, EndpointGates } from '../store/gates.js';
import type { AttemptResult, RecordedAttempts, Store } from '../store/store.js';
import type { ClaimedDelivery } from '../store/types.js';
import { type AttemptMilestone, attemptMilestone } from './attempt-milestones.js';
import { deliveryHeaders } from './delivery-headers.js';
import { DeliveryLog } from './delivery-log.js';
import { deliveryBody, signDelivery } from './delivery-signing.js';
import { DestinationPool } from './destinations/destination-pool.js';
import { InProcessEndpointGates } from './endpoint-gate.js';
import type { SendDispatcher } from './lazy-dispatcher.js';
import { decideOutcome, failedOnOurSide, type Outcome, type OutcomePolicy } from './outcome.js';
import { isRelayedMessage, relayedDeliveryHeaders } from './relayed-headers.js';
import { DEFAULT_RETRY_AFTER_BOUNDS, DEFAULT_RETRY_SCHEDULE_SECONDS, type RetryAfterBounds } from './retry-policy.js';
import { SendCancellation, type SendResult } from './sender.js';
import { redactSentHeaders } from './sensitive-headers.js';
import { DEFAULT_NETWORK_POLICY, type NetworkPolicy } from './ssrf-guard.js';
import { retryScheduleProblem, storedSettingsProblem } from './stored-settings.js';
import { Wakeup } from './wakeup.js';

export interface EngineLogger {
  info(object: object, message?: string): void;
  warn(object: object, message?: string): void;
  error(object: object, message?: string): void;
}

/** One recorded attempt, as observers (metrics) see it. */
export interface RecordedAttempt {
  endpointId: string;
  succeeded: boolean;
  /** An attempt after the first of its delivery (a retry, scheduled or manual). */
  retry: boolean;
  /** The delivery is dead after this attempt. */
  dead: boolean;
  durationMs: number;
}

/**
 * What the engine saw that operators are told about (Svix's operational events): an endpoint it disabled, and a
 * delivery's attempt that is a milestone (attempt-milestones.ts). The operations layer turns these into messages.
 */
export type EngineOperationalEvent =
  | {
      type: 'endpoint.disabled';
      trigger: 'automatic';
      appId: string;
      endpointId: string;
      endpointUid: string | null;
      reason: string;
      /** Since when the endpoint had failed without a success. */
      failSince: number;
      at: number;
    }
  | {
      type: AttemptMilestone;
      appId: string;
      endpointId: string;
      msgId: string;
      msgEventId: string | null;
      attemptId: string;
      /** The answer's status; 0 when there was none (refused, timed out). */
      responseStatusCode: number;
      at: number;
    };

/** An error on Hookline's side around a delivery; deliveryId and endpointId are absent for a failed claim. */
export interface DeliveryError {
  stage: DeliveryErrorStage;
  deliveryId?: string;
  endpointId?: string;
  error: string;
}

export interface EngineOptions {
  store: Store;
  dispatcher: SendDispatcher;
  /** Where broker destinations may connect (their hosts are checked like HTTP ones); default: public only. */
  networkPolicy?: NetworkPolicy;
  logger: EngineLogger;
  timeoutMs: number;
  /** Added to the HTTP timeout to make the lease: lease > timeout, so a slow request is never sent twice. */
  leaseMarginMs: number;
  /** Sends in flight across all endpoints. */
  concurrency: number;
  concurrencyPerEndpoint: number;
  batchSize: number;
  /** The safety net: how often to look for due work when nothing rang the in-process signal. */
  pollIntervalMs: number;
  retrySchedule: readonly number[];
  retryAfterBounds: RetryAfterBounds;
  circuit: CircuitOptions;
  autoDisableAfterMs: number;
  userAgent: string;
  /** Failed attempts and dead deliveries are logged at most once per endpoint per this many ms, with counts. */
  failureLogIntervalMs?: number;
  /**
   * How often the store's repair of deliveries stranded by the enable-vs-release race runs (a store that has one:
   * PostgreSQL), the first time at start. The store also repairs after each enable; this is the net behind it.
   */
  repairIntervalMs?: number;
  /**
   * Called once for each operational event a recorded result makes (an endpoint disabled, a delivery failing,
   * exhausted or recovered), after it is recorded; awaited, so a stop() waits for the announcements under way.
   */
  onOperationalEvent?: (event: EngineOperationalEvent) => Promise<void>;
  /** Called after each attempt is recorded. */
  onAttemptRecorded?: (attempt: RecordedAttempt) => void;
  /** Called for each error on Hookline's side around a delivery (the metric hookline_delivery_errors_total). */
  onDeliveryError?: (error: DeliveryError) => void;
  now?: () => number;
  random?: () => number;
}

export const DEFAULT_ENGINE_OPTIONS = {
  timeoutMs: 15_000,
  leaseMarginMs: 15_000,
  concurrency: 256,
  concurrencyPerEndpoint: 16,
  batchSize: 128,
  pollIntervalMs: 1000,
  retrySchedule: DEFAULT_RETRY_SCHEDULE_SECONDS,
  retryAfterBounds: DEFAULT_RETRY_AFTER_BOUNDS,
  autoDisableAfterMs: 5 * 86_400_000,
  userAgent: 'Hookline/0.1',
  failureLogIntervalMs: 30_000,
  repairIntervalMs: 60_000,
} as const;

/** The longest a refill waits for a batch of sends to finish before claiming anyway. */
const CLAIM_HOLD_OFF_MS = 10;

interface InFlight {
  cancellation: SendCancellation;
  deliveryId: string;
  done: Promise<void>;
}

export interface EngineStats {
  paused: boolean;
  inFlight: number;
  delivered: number;
  failed: number;
}

export class DeliveryEngine {
  /** The store's gates when it keeps them for every process (PostgreSQL), else this process's own. */
  private readonly gates: EndpointGates;
  private readonly wakeup = new Wakeup();
  private readonly inFlight = new Map<string, InFlight>();
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly policy: OutcomePolicy;
  private readonly log: DeliveryLog;
  private readonly destinations: DestinationPool;
  private loop: Promise<void> | null = null;
  /** Stops listening for other processes' work (a store that signals across processes). */
  private stopWatching: (() => Promise<void>) | null = null;
  private stopping = false;
  private paused = false;
  private delivered = 0;
  private finishedSinceClaim = 0;
  private failed = 0;

  constructor(private readonly options: EngineOptions) {
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    const log = new DeliveryLog({
      logger: options.logger,
      intervalMs: options.failureLogIntervalMs ?? DEFAULT_ENGINE_OPTIONS.failureLogIntervalMs,
      now: this.now,
    });
    this.log = log;
    this.destinations = new DestinationPool({
      dispatcher: options.dispatcher,
      policy: options.networkPolicy ?? DEFAULT_NETWORK_POLICY,
      connectTimeoutMs: Math.min(10_000, options.timeoutMs),
    });
    // Circuits kept in the database (PostgreSQL) change inside its statements: only in-process ones are logged.
    this.gates =
      options.store.endpointGates?.() ??
      new InProcessEndpointGates(options.concurrencyPerEndpoint, options.circuit, (change) =>
        change.circuit === 'open'
          ? log.circuitOpened(change.endpointId, change.reopensAt)
          : log.circuitClosed(change.endpointId),
      );
    this.policy = {
      retrySchedule: options.retrySchedule,
      retryAfterBounds: options.retryAfterBounds,
      autoDisableAfterMs: options.autoDisableAfterMs,
    };
  }

  start(): void {
    if (this.loop !== null) return;
    this.stopping = false;
    this.destinations.reopen();
    this.log.start();
    this.stopWatching = this.options.store.watchForWork?.(() => this.wakeup.notify()) ?? null;
    this.loop = this.run().catch((error: unknown) => {
      this.options.logger.error({ err: error }, 'delivery loop stopped on an error');
    });
  }

  /** New work exists (a publish, a replay): look now rather than at the next poll. */
  notify(): void {
    this.wakeup.notify();
  }

  /** Stops claiming new work (sends in flight finish); published events wait, durable, until resume(). */
  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.wakeup.notify();
  }

  stats(): EngineStats {
    return {
      paused: this.paused,
      inFlight: this.inFlight.size,
      delivered: this.delivered,
      failed: this.failed,
    };
  }

  /** The endpoint's gate (circuit, sends in flight) as the engine's gates see it now. */
  endpointGate(endpointId: string): Promise<EndpointGateState> {
    return this.gates.stateOf(endpointId, this.now());
  }

  /**
   * Stops claiming, lets sends in flight finish for up to `drainMs`, then aborts the rest and gives their leases
   * back, so another start picks them up at once instead of after the lease. The failure counts not yet logged are.
   */
  async stop(drainMs = 10_000): Promise<void> {
    this.stopping = true;
    this.wakeup.notify();
    await this.loop;
    this.loop = null;
    await this.stopWatching?.();
    this.stopWatching = null;
    try {
      await this.drain(drainMs);
    } finally {
      this.log.stop();
      await this.destinations.close();
    }
  }

  private async drain(drainMs: number): Promise<void> {
    const pending = [...this.inFlight.values()];
    if (pending.length === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(pending.map((flight) => flight.done)),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, drainMs);
      }),
    ]);
    clearTimeout(timer);
    const left = [...this.inFlight.values()];
    for (const flight of left) flight.cancellation.abort();
    await Promise.all(left.map((flight) => flight.done));
    if (left.length > 0) {
      await this.options.store.releaseLeases(
        left.map((flight) => flight.deliveryId),
        this.now(),
      );
    }
  }

  private async run(): Promise<void> {
    const { batchSize, concurrency } = this.options;
    // Refill in batches, not one slot at a time: every claim is a write transaction (a lease is a state change),
    // so a claim per finished send would cost a commit per delivery.
    const lowWater = Math.max(1, Math.min(batchSize, Math.floor(concurrency / 4)));
    let repairAt = 0;
    while (!this.stopping) {
      if (this.now() >= repairAt) {
        repairAt = this.now() + (this.options.repairIntervalMs ?? DEFAULT_ENGINE_OPTIONS.repairIntervalMs);
        await this.repairStranded();
      }
      try {
        await this.step(lowWater);
      } catch (error) {
        // The database is down or a statement failed: log, wait a poll interval, try again. The loop never dies,
        // and no lease is lost: what this process holds runs out and is claimed again.
        this.options.logger.error({ err: error }, 'claim failed; retrying after the poll interval');
        this.options.onDeliveryError?.({ stage: 'claim', error: describeError(error) });
        await this.wakeup.wait(this.options.pollIntervalMs);
      }
    }
  }

  /** The store logs what it repaired; a failure is logged here and tried again at the next interval. */
  private async repairStranded(): Promise<void> {
    try {
      await this.options.store.repairStrandedDeliveries?.(this.now());
    } catch (error) {
      this.options.logger.warn({ err: error }, 'repair of stranded deliveries failed; tried again later');
    }
  }

  private lastClaimShort = false;
  private lastClaimAt = 0;

  /** One turn of the loop: claim if there is room; sleep unless a full batch came back (then go again at once). */
  private async step(lowWater: number): Promise<void> {
    const { store, batchSize, concurrency } = this.options;
    const capacity = this.paused ? 0 : concurrency - this.inFlight.size;
    const want = Math.min(capacity, batchSize);
    // After a claim that found less than it asked for (per-endpoint limits, little due work), the next one waits
    // for a batch of sends to finish or a few milliseconds, whichever is first.
    const sinceClaimMs = this.now() - this.lastClaimAt;
    const holdOff =
      this.lastClaimShort &&
      this.inFlight.size > 0 &&
      this.finishedSinceClaim < lowWater &&
      sinceClaimMs < CLAIM_HOLD_OFF_MS;
    if (want > 0 && !holdOff && (want >= lowWater || this.inFlight.size === 0)) {
      const now = this.now();
      const { exclude, caps } = this.gates.claimLimits(now);
      const claimed = await store.claimDueDeliveries({
        now,
        leaseUntil: now + this.options.timeoutMs + this.options.leaseMarginMs,
        limit: want,
        excludeEndpointIds: exclude,
        perEndpointLimit: this.options.concurrencyPerEndpoint,
        endpointCaps: caps,
      });
      const { batch, leaseUntil } = await this.leaseFromReturn(claimed, now);
      this.lastClaimAt = now;
      this.finishedSinceClaim = 0;
      const giveBack: string[] = [];
      for (const item of batch) {
        if (!this.dispatch(item, leaseUntil)) giveBack.push(item.delivery.id);
      }
      if (giveBack.length > 0) await store.releaseLeases(giveBack, now);
      if (this.stopping) return;
      this.lastClaimShort = batch.length < want || giveBack.length > 0;
      if (!this.lastClaimShort) return;
    }
    const sleep = holdOff ? CLAIM_HOLD_OFF_MS - sinceClaimMs : await this.sleepMs();
    await this.wakeup.wait(Math.max(1, sleep));
  }

  /**
   * The lease counts from when the claim returned, not from when it was asked for: a claim that took long (a
   * database without statistics, a queue for a pool connection) handed out leases already too short to send under,
   * and every delivery of its batch would have been left to the next claim, which could take as long. When less
   * than the timeout and half the margin is left, the leases still held are moved on (one statement); the others
   * were taken back meanwhile and are not this process's to send.
   */
  private async leaseFromReturn(
    batch: ClaimedDelivery[],
    claimedAt: number,
  ): Promise<{ batch: ClaimedDelivery[]; leaseUntil: number }> {
    const { timeoutMs, leaseMarginMs } = this.options;
    const leaseUntil = claimedAt + timeoutMs + leaseMarginMs;
    const returnedAt = this.now();
    if (batch.length === 0 || leaseUntil - returnedAt >= timeoutMs + leaseMarginMs / 2) return { batch, leaseUntil };
    const extendedUntil = returnedAt + timeoutMs + leaseMarginMs;
    const held = new Set(
      await this.options.store.extendLeases(
        batch.map((item) => item.delivery.id),
        leaseUntil,
        extendedUntil,
      ),
    );
    this.options.logger.warn(
      { claimMs: returnedAt - claimedAt, claimed: batch.length, kept: held.size },
      'a claim returned late; its leases now count from its return',
    );
    return { batch: batch.filter((item) => held.has(item.delivery.id)), leaseUntil: extendedUntil };
  }

  private async sleepMs(): Promise<number> {
    const now = this.now();
    let wakeAt = now + this.options.pollIntervalMs;
    // With sends in flight, a finishing send (or another process's NOTIFY) wakes the loop and the poll bounds the
    // wait: asking the store for the next due time after every short claim would cost a statement per claim (a
    // round trip on PostgreSQL) for a time that rarely matters.
    // Paused, nothing is claimed whatever is due: resume() rings the signal.
    const due = this.inFlight.size > 0 || this.paused ? null : await this.options.store.nextDueAt();
    // A time already past means due work this loop could not take (its endpoints are gated): wait for a send to
    // finish (it rings the signal), a gate to open, or the poll.
    if (due !== null && due > now) wakeAt = Math.min(wakeAt, due);
    const opening = this.gates.nextOpeningAt(now);
    if (opening !== null) wakeAt = Math.min(wakeAt, opening);
    return Math.max(1, wakeAt - now);
  }

  /** Starts one send; false when the endpoint's gate refuses it now (the caller gives the lease back). */
  private dispatch(item: ClaimedDelivery, leaseUntil: number): boolean {
    const { delivery, endpoint } = item;
    const problem = item.problem ?? storedSettingsProblem(endpoint);
    // A rate that cannot be read limits nothing here: the delivery is failed without a request anyway.
    const rate = problem === null ? endpoint.throttleRate : null;
    if (!this.gates.tryStart(endpoint.id, rate, this.now())) return false;
    const cancellation = new SendCancellation();
    const done = this.deliver(item, problem, leaseUntil, cancellation).finally(() => {
      this.inFlight.delete(delivery.id);
      this.finishedSinceClaim++;
      this.wakeup.notify();
    });
    this.inFlight.set(delivery.id, { cancellation, deliveryId: delivery.id, done });
    return true;
  }

  private async deliver(
    item: ClaimedDelivery,
    problem: string | null,
    leaseUntil: number,
    cancellation: SendCancellation,
  ): Promise<void> {
    const { endpoint } = item;
    let circuit: Outcome['circuit'] = 'neutral';
    let events: EngineOperationalEvent[] = [];
    try {
      const outcome = await this.attempt(item, problem, leaseUntil, cancellation);
      if (outcome === null) return;
      circuit = outcome.circuit;
      events = await this.record(item, outcome);
    } catch (error) {
      // attempt() and record() turn every error into a recorded attempt or a log line; this is a bug's last net.
      this.options.logger.error({ err: error, deliveryId: item.delivery.id }, 'delivery failed unexpectedly');
    } finally {
      this.gates.finish(endpoint.id, circuit, this.now());
    }
    // After the gate is given back (telling the operator must not hold the endpoint's slot or its circuit's news),
    // and before the send counts as finished, so stop() waits for what is being told.
    for (const event of events) {
      try {
        await this.options.onOperationalEvent?.(event);
      } catch (error) {
        this.options.logger.error({ err: error, operationalEvent: event.type }, 'operational event not told');
      }
    }
  }

  /**
   * Signs, sends and decides what the answer means. Any error on the way (stored settings the engine cannot use,
   * secrets that cannot be read, signing, building headers, evaluating the answer) becomes a failed attempt that
   * names it and follows the retry schedule, so a claimed delivery always ends in a record. Null: not sent, and
   * nothing to record (the lease is too short to send in time, or stop() aborted the request).
   */
  private async attempt(
    item: ClaimedDelivery,
    problem: string | null,
    leaseUntil: number,
    cancellation: SendCancellation,
  ): Promise<(Outcome & { requestHeaders?: Record<string, string> }) | null> {
    const { delivery, message, endpoint } = item;
    if (problem !== null) return this.ownFailure(item, leaseUntil, 'endpoint', problem, null);
    let stage: DeliveryErrorStage = 'secrets';
    let send: SendResult | null = null;
    try {
      // The claim brought the secrets that sign (store/secrets.ts): no read of the store per delivery for them.
      const { secrets } = item;
      if (secrets.length === 0) throw new Error('the endpoint has no active secret');
      // A message relayed from a source goes on with the provider's headers (relayed-headers.ts). Read before the
      // lease check below, which must come after the last store read.
      const forwarding = isRelayedMessage(message)
        ? await this.options.store.inboundForwarding(message.appId, message.eventId)
        : null;
      stage = 'sign';
      // A relayed message goes on in the provider's own format (its content type is relayed with it).
      const { body, contentType } = deliveryBody(
        message.payload,
        forwarding === null ? endpoint.payloadFormat : 'json',
      );
      const signed = await signDelivery({
        scheme: endpoint.signatureScheme,
        headerPrefix: endpoint.headerPrefix,
        messageId: message.id,
        eventType: message.eventType,
        body,
        secrets: secrets.map((s) => s.secret),
        timestampSeconds: Math.floor(this.now() / 1000),
      });
      // The lease must outlast the request, or another worker may claim and send it while this one is in flight.
      // Time can pass since the claim (a held-up event loop, a slow signature): past that point, leave it to the
      // next claim.
      if (this.now() + this.options.timeoutMs > leaseUntil) {
        this.options.logger.warn(
          { deliveryId: delivery.id },
          'lease too short to send in time; left to the next claim',
        );
        return null;
      }
      stage = 'headers';
      const headers =
        forwarding === null
          ? deliveryHeaders(
              endpoint.headers,
              signed,
              this.options.userAgent,
              message.eventType,
              endpoint.headerPrefix,
              contentType,
            )
          : relayedDeliveryHeaders(
              endpoint.headers,
              signed,
              forwarding,
              this.options.userAgent,
              message.eventType,
              endpoint.headerPrefix,
            );
      stage = 'send';
      send = await this.destinations.send({
        url: endpoint.url,
        messageId: message.id,
        eventType: message.eventType,
        headers,
        body,
        timeoutMs: this.options.timeoutMs,
        cancellation,
      });
      // Aborted by stop(): not an attempt; the lease is given back and the delivery sent again later.
      if (cancellation.aborted) return null;
      stage = 'outcome';
      const outcome = decideOutcome(
        {
          deliveryId: delivery.id,
          leaseUntil,
          trigger: item.trigger,
          previousAttempts: delivery.attempts,
          endpoint,
          send,
          now: this.now(),
          random: this.random(),
        },
        this.policy,
      );
      // What the attempt log keeps: never a sensitive custom header's value (an Authorization, an API token).
      return { result: outcome.result, circuit: outcome.circuit, requestHeaders: redactSentHeaders(headers) };
    } catch (error) {
      return this.ownFailure(item, leaseUntil, stage, describeError(error), send);
    }
  }

  private ownFailure(
    item: ClaimedDelivery,
    leaseUntil: number,
    stage: DeliveryErrorStage,
    detail: string,
    send: SendResult | null,
  ): Outcome {
    const { delivery, endpoint } = item;
    const error = `${STAGE_DESCRIPTIONS[stage]}: ${detail}`;
    this.options.logger.warn(
      { deliveryId: delivery.id, endpointId: endpoint.id, stage, error },
      'delivery failed on our side; recorded as a failed attempt',
    );
    this.options.onDeliveryError?.({ stage, deliveryId: delivery.id, endpointId: endpoint.id, error });
    const own = endpoint.retrySchedule;
    const schedule = own !== null && retryScheduleProblem(own) === null ? own : this.policy.retrySchedule;
    return failedOnOurSide(
      {
        deliveryId: delivery.id,
        leaseUntil,
        trigger: item.trigger,
        previousAttempts: delivery.attempts,
        url: typeof endpoint.url === 'string' ? endpoint.url : '',
        retrySchedule: schedule,
        error,
        send,
        now: this.now(),
        random: this.random(),
      },
      this.policy,
    );
  }

  /**
   * Records the attempt. A result the store refuses (a value it cannot hold) is recorded again without its details,
   * so one odd response cannot make its delivery loop. When even that fails (the store is down), the lease runs out
   * and the delivery is claimed again: logged and counted, never silent.
   */
  /** Records the attempt; answers the operational events it makes (none when it was not recorded). */
  private async record(
    item: ClaimedDelivery,
    outcome: Outcome & { requestHeaders?: Record<string, string> },
  ): Promise<EngineOperationalEvent[]> {
    const { delivery, endpoint } = item;
    // Field by field, not `{ ...outcome.result, attemptId, … }`: on Node 20 each property added after a spread costs
    // about a microsecond (outcome.ts); this ran once per attempt.
    const { result } = outcome;
    const full: AttemptResult = {
      deliveryId: result.deliveryId,
      // Named here, so an operational event about this attempt can name it too (Svix's lastAttempt.id).
      attemptId: newId('atmpt', result.at),
      leaseUntil: result.leaseUntil,
      outcome: result.outcome,
      trigger: result.trigger,
      url: result.url,
      statusCode: result.statusCode,
      responseBody: result.responseBody,
      durationMs: result.durationMs,
      error: result.error,
      at: result.at,
      next: result.next,
      disableEndpoint: result.disableEndpoint,
      circuit: outcome.circuit,
    };
    // An ordered delivery's end moves its line on in the same transaction (the store needs to know before).
    if (delivery.orderingKey !== null) full.ordered = true;
    const requestHeaders = outcome.requestHeaders ?? result.requestHeaders;
    if (requestHeaders !== undefined) full.requestHeaders = requestHeaders;
    let recorded: RecordedAttempts;
    try {
      recorded = await this.options.store.recordAttempts([full]);
    } catch (error) {
      const detail = describeError(error);
      this.options.onDeliveryError?.({
        stage: 'record',
        deliveryId: delivery.id,
        endpointId: endpoint.id,
        error: detail,
      });
      const { requestHeaders: _dropped, ...essentials } = full;
      const suffix = `(its details were not kept: ${detail})`;
      try {
        // The database away (the store already tried again for as long as the lease held): the same write without
        // its details would fail the same way, and drop details for nothing if it came back meanwhile.
        if (isStoreUnavailable(error)) throw error;
        recorded = await this.options.store.recordAttempts([
          {
            ...essentials,
            responseBody: '',
            error: full.error === null ? null : `${withoutNul(full.error)} ${suffix}`,
          },
        ]);
        this.options.logger.warn({ err: error, deliveryId: delivery.id }, 'attempt recorded without its details');
      } catch (again) {
        this.options.logger.error(
          { err: again, deliveryId: delivery.id },
          'attempt could not be recorded; the delivery is claimed again when its lease runs out',
        );
        return [];
      }
    }
    return this.announce(item, full, recorded);
  }

  /**
   * Counts and logs what the store says it recorded, and answers the operational events it makes, and nothing else:
   * a result dropped for a lost lease (the delivery was claimed again, and that claim's result is the one that
   * counts) is neither counted nor announced, and an endpoint is announced disabled only when this result disabled it.
   */
  private announce(item: ClaimedDelivery, full: AttemptResult, recorded: RecordedAttempts): EngineOperationalEvent[] {
    const { delivery, endpoint, message } = item;
    if (recorded.staleDeliveryIds.includes(delivery.id)) {
      this.options.logger.warn(
        { deliveryId: delivery.id, endpointId: endpoint.id },
        'attempt result dropped: the lease was lost and the delivery was claimed again',
      );
      return [];
    }
    const succeeded = full.outcome === 'succeeded';
    if (succeeded) this.delivered++;
    else this.failed++;
    this.options.onAttemptRecorded?.({
      endpointId: endpoint.id,
      succeeded,
      retry: delivery.attempts > 0,
      dead: !succeeded && full.next.status === 'dead',
      durationMs: full.durationMs,
    });
    if (!succeeded) {
      this.log.attemptFailed({
        appId: endpoint.appId,
        endpointId: endpoint.id,
        deliveryId: delivery.id,
        url: full.url,
        statusCode: full.statusCode,
        error: full.error,
        dead: full.next.status === 'dead',
      });
    }
    const events: EngineOperationalEvent[] = [];
    const milestone = attemptMilestone({
      succeeded,
      dead: full.next.status === 'dead',
      previousAttempts: delivery.attempts,
      previousFailed: delivery.lastError !== null,
    });
    if (milestone !== null) {
      events.push({
        type: milestone,
        appId: endpoint.appId,
        endpointId: endpoint.id,
        msgId: message.id,
        msgEventId: message.eventId,
        attemptId: full.attemptId as string,
        responseStatusCode: full.statusCode ?? 0,
        at: full.at,
      });
    }
    for (const disabled of recorded.disabledEndpoints) {
      this.log.endpointDisabled({ appId: disabled.appId, endpointId: disabled.endpointId, reason: disabled.reason });
      events.push({
        type: 'endpoint.disabled',
        trigger: 'automatic',
        appId: disabled.appId,
        endpointId: disabled.endpointId,
        endpointUid: endpoint.uid,
        reason: disabled.reason,
        failSince: endpoint.failingSince ?? disabled.at,
        at: disabled.at,
      });
    }
    return events;
  }
}

/** Where a delivery failed on Hookline's side, as the attempt log and the metric name it. */
export const DELIVERY_ERROR_STAGES = [
  'endpoint',
  'secrets',
  'sign',
  'headers',
  'send',
  'outcome',
  'record',
  'claim',
] as const;
export type DeliveryErrorStage = (typeof DELIVERY_ERROR_STAGES)[number];

const STAGE_DESCRIPTIONS: Record<DeliveryErrorStage, string> = {
  endpoint: "the endpoint's stored settings cannot be used",
  secrets: 'the endpoint has no secret to sign with',
  sign: 'signing failed',
  headers: 'the request headers could not be built',
  send: 'the request could not be sent',
  outcome: 'the answer could not be evaluated',
  record: 'the attempt could not be recorded',
  claim: 'due deliveries could not be claimed',
};

function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return `${typeof code === 'string' ? code : error.name}: ${error.message}`.slice(0, 1000);
  }
  return String(error).slice(0, 1000);
}

function withoutNul(text: string): string {
  return text.replaceAll('\u0000', '\uFFFD');
}
