// What one HTTP try means for its delivery and its endpoint. Pure: the engine passes the clock and randomness.
import type { AttemptResult } from '../store/store.js';
import type { AttemptTrigger, Endpoint } from '../store/types.js';
import { displayUrl } from './destinations/destination-url.js';
import { nextAttemptAt, parseRetryAfter, type RetryAfterBounds } from './retry-policy.js';
import type { SendResult } from './sender.js';
import { classifyStatus, honoursRetryAfter, parseStatusPolicy, type StatusPolicy } from './status-policy.js';

export interface OutcomePolicy {
  retrySchedule: readonly number[];
  retryAfterBounds: RetryAfterBounds;
  /** Disable an endpoint that has failed, with no success, for this long. */
  autoDisableAfterMs: number;
}

export interface OutcomeInput {
  deliveryId: string;
  leaseUntil: number;
  trigger: AttemptTrigger;
  /** Attempts made before this one. */
  previousAttempts: number;
  endpoint: Pick<Endpoint, 'url' | 'retrySchedule' | 'nonRetryableStatuses' | 'failingSince'>;
  send: SendResult;
  now: number;
  random: number;
}

export interface Outcome {
  result: AttemptResult;
  /** What the circuit breaker hears: a refusal of the content (4xx by policy) says nothing about availability. */
  circuit: 'success' | 'failure' | 'neutral';
}

const policyCache = new Map<string, StatusPolicy>();

function statusPolicy(source: string | null): StatusPolicy | null {
  if (source === null || source === '') return null;
  let policy = policyCache.get(source);
  if (policy === undefined) {
    policy = parseStatusPolicy(source);
    if (policyCache.size > 1000) policyCache.clear();
    policyCache.set(source, policy);
  }
  return policy;
}

/**
 * The result of one HTTP try, as one object literal. Not `{ ...common, outcome, … }`: on Node 20, each property added
 * after a spread costs about a microsecond (V8 defines it through the runtime), ~5 µs for an attempt's four; this
 * function ran at 1.5 % of serve's busy samples under bench/delivery.
 */
function tryResult(
  input: OutcomeInput,
  outcome: AttemptResult['outcome'],
  error: string | null,
  next: AttemptResult['next'],
  disableEndpoint: string | null,
): AttemptResult {
  const { send } = input;
  return {
    deliveryId: input.deliveryId,
    leaseUntil: input.leaseUntil,
    trigger: input.trigger,
    url: displayUrl(input.endpoint.url),
    statusCode: send.statusCode,
    responseBody: send.responseBody,
    durationMs: send.durationMs,
    at: input.now,
    outcome,
    error,
    next,
    disableEndpoint,
  };
}

export function decideOutcome(input: OutcomeInput, policy: OutcomePolicy): Outcome {
  const { send, now } = input;
  const verdict =
    send.acknowledged === true
      ? 'delivered'
      : send.statusCode === null
        ? 'retry'
        : classifyStatus(send.statusCode, statusPolicy(input.endpoint.nonRetryableStatuses));
  if (verdict === 'delivered') {
    return { result: tryResult(input, 'succeeded', null, { status: 'dead' }, null), circuit: 'success' };
  }
  const error = send.error ?? `HTTP ${send.statusCode}`;
  if (verdict === 'gone') {
    // 410: the receiver asks us to stop. The endpoint is disabled and this delivery parked with the others, so
    // enabling the endpoint again resumes it.
    return {
      result: tryResult(
        input,
        'failed',
        error,
        { status: 'pending', nextAttemptAt: now },
        'the endpoint answered 410 Gone',
      ),
      circuit: 'neutral',
    };
  }
  let disableEndpoint: string | null = null;
  const failingSince = input.endpoint.failingSince ?? now;
  if (now - failingSince >= policy.autoDisableAfterMs) {
    disableEndpoint = `failing without a success since ${new Date(failingSince).toISOString()}`;
  }
  if (verdict === 'final') {
    return { result: tryResult(input, 'failed', error, { status: 'dead' }, disableEndpoint), circuit: 'neutral' };
  }
  const retryAfterMs =
    send.statusCode !== null && honoursRetryAfter(send.statusCode) ? parseRetryAfter(send.retryAfter, now) : null;
  const at = nextAttemptAt({
    attemptsMade: input.previousAttempts + 1,
    schedule: input.endpoint.retrySchedule ?? policy.retrySchedule,
    nowMs: now,
    random: input.random,
    retryAfterMs,
    retryAfterBounds: policy.retryAfterBounds,
  });
  return {
    result: tryResult(
      input,
      'failed',
      error,
      at === null ? { status: 'dead' } : { status: 'pending', nextAttemptAt: at },
      disableEndpoint,
    ),
    circuit: 'failure',
  };
}

export interface OwnFailureInput {
  deliveryId: string;
  leaseUntil: number;
  trigger: AttemptTrigger;
  previousAttempts: number;
  url: string;
  /** The endpoint's schedule when it is usable, else the server's. */
  retrySchedule: readonly number[];
  /** What went wrong, for the attempt log. */
  error: string;
  /** The answer, when the request went out before the failure (its status and body are kept). */
  send: SendResult | null;
  now: number;
  random: number;
}

/**
 * An attempt that failed on Hookline's side (stored settings it cannot use, signing, evaluating the answer): a failed
 * attempt like any other, retried on the schedule until the delivery is dead. The circuit hears nothing: the
 * endpoint's availability is not in question.
 */
export function failedOnOurSide(input: OwnFailureInput, policy: OutcomePolicy): Outcome {
  const at = nextAttemptAt({
    attemptsMade: input.previousAttempts + 1,
    schedule: input.retrySchedule,
    nowMs: input.now,
    random: input.random,
    retryAfterMs: null,
    retryAfterBounds: policy.retryAfterBounds,
  });
  return {
    result: {
      deliveryId: input.deliveryId,
      leaseUntil: input.leaseUntil,
      trigger: input.trigger,
      url: displayUrl(input.url),
      statusCode: input.send?.statusCode ?? null,
      responseBody: input.send?.responseBody ?? '',
      durationMs: input.send?.durationMs ?? 0,
      at: input.now,
      outcome: 'failed',
      error: input.error,
      next: at === null ? { status: 'dead' } : { status: 'pending', nextAttemptAt: at },
      disableEndpoint: null,
    },
    circuit: 'neutral',
  };
}
