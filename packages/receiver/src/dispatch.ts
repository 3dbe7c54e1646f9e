// What happens to a verified, parsed event: dedupe, the fetch-back check, the handlers; now (process-then-ack)
// or after the answer (ack-then-process, optionally through the durable inbox).
import type { ResolvedConfig } from './config.js';
import type { ClaimResult, DedupeStore } from './dedupe/dedupe-store.js';
import {
  EventInProgressError,
  EventRejectedError,
  HandlerFailedError,
  StoreUnavailableError,
  UnhandledEventError,
} from './errors.js';
import { type EventLog, type EventLogEntry, setStatus } from './event-log.js';
import { andThen, isThenable, type MaybePromise } from './maybe-promise.js';
import type { HandlerRegistry } from './on.js';
import type { RefusalListener } from './refusal.js';
import { acceptedResponse } from './respond.js';
import type { WebhookEvent, WebhookHandler, WebhookResponse } from './types.js';

export type ErrorListener = (error: unknown, event: WebhookEvent) => void;

export interface DispatchContext {
  config: ResolvedConfig;
  registry: HandlerRegistry;
  eventLog: EventLog;
  errorListeners: readonly ErrorListener[];
  refusalListeners: readonly RefusalListener[];
  /** Tracks work that runs after the answer, so `idle()` can wait for it. */
  track(work: Promise<void>): Promise<void>;
  /** Tells the inbox worker there is something new. */
  nudgeInbox(): void;
}

export function reportError(context: DispatchContext, error: unknown, event: WebhookEvent): void {
  for (const listener of context.errorListeners) {
    try {
      listener(error, event);
    } catch (listenerError) {
      // A throwing listener must not turn an answered request into a crash; it is reported to the others' log.
      context.eventLog.add({
        id: event.id,
        type: event.type,
        status: 'failed',
        receivedAt: event.receivedAt,
        updatedAt: context.config.now(),
        error: `onError listener threw: ${listenerError instanceof Error ? listenerError.message : String(listenerError)}`,
      });
    }
  }
}

/** Runs every handler; all run even if one fails. One failure is rethrown as is, several as an AggregateError. */
export async function runHandlers(handlers: readonly WebhookHandler[], event: WebhookEvent): Promise<void> {
  if (handlers.length === 1) {
    await (handlers[0] as WebhookHandler)(event);
    return;
  }
  const results = await Promise.allSettled(handlers.map(async (handler) => handler(event)));
  const errors = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new AggregateError(errors, `${errors.length} handlers failed`);
}

/** How an event ended once its check and handlers ran; a failure is thrown instead. */
export type HandledOutcome = { status: 'handled' } | { status: 'rejected'; reason: string };

const HANDLED: HandledOutcome = { status: 'handled' };

/** The check's verdict as a rejection reason, or undefined when it accepts. Anything but a clear yes refuses. */
async function runCheck(context: DispatchContext, event: WebhookEvent): Promise<string | undefined> {
  const check = context.config.check;
  if (check === undefined) return undefined;
  const verdict: unknown = await check(event);
  if (verdict === true) return undefined;
  if (typeof verdict === 'object' && verdict !== null && 'accepted' in verdict) {
    if (verdict.accepted === true) return undefined;
    const reason = (verdict as { reason?: unknown }).reason;
    return typeof reason === 'string' && reason !== '' ? reason : 'the check refused this event';
  }
  return verdict === false ? 'the check returned false' : `the check returned ${typeof verdict}, not a verdict`;
}

/** The check, then the handlers. Resolves 'rejected' (with why) when the check says no; throws when anything fails. */
export async function checkAndHandle(
  context: DispatchContext,
  event: WebhookEvent,
  handlers: readonly WebhookHandler[],
): Promise<HandledOutcome> {
  const rejection = await runCheck(context, event);
  if (rejection !== undefined) return { status: 'rejected', reason: rejection };
  await runHandlers(handlers, event);
  return HANDLED;
}

async function storeCall<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch {
    throw new StoreUnavailableError();
  }
}

function logEntry(context: DispatchContext, event: WebhookEvent, status: EventLogEntry['status']): EventLogEntry {
  return context.eventLog.add({
    id: event.id,
    type: event.type,
    status,
    receivedAt: event.receivedAt,
    updatedAt: event.receivedAt,
  });
}

/** The handlers at once when they answer at once (one handler, no promise returned), else their promise. */
function runHandlersNow(handlers: readonly WebhookHandler[], event: WebhookEvent): MaybePromise<void> {
  if (handlers.length !== 1) return runHandlers(handlers, event);
  const result = (handlers[0] as WebhookHandler)(event);
  return isThenable(result) ? Promise.resolve(result).then(() => undefined) : undefined;
}

/** `checkAndHandle` without a promise when there is no check and the handler answers at once. */
function checkAndHandleNow(
  context: DispatchContext,
  event: WebhookEvent,
  handlers: readonly WebhookHandler[],
): MaybePromise<HandledOutcome> {
  if (context.config.check !== undefined) return checkAndHandle(context, event, handlers);
  return andThen(runHandlersNow(handlers, event), () => HANDLED);
}

/** The event's id with the store that dedupes it, or undefined when it is not deduped. */
interface Deduped {
  id: string;
  store: DedupeStore;
}

// At once where the store can answer at once (the memory store); a failure is told as `storeCall` tells it.
function claim(config: ResolvedConfig, deduped: Deduped): MaybePromise<ClaimResult> {
  const { id, store } = deduped;
  if (store.claimNow === undefined) return storeCall(store.claim(id, config.dedupeLeaseSeconds));
  try {
    return store.claimNow(id, config.dedupeLeaseSeconds);
  } catch {
    throw new StoreUnavailableError();
  }
}

function complete(config: ResolvedConfig, deduped: Deduped): MaybePromise<void> {
  const { id, store } = deduped;
  if (store.completeNow === undefined) return storeCall(store.complete(id, config.dedupeTtlSeconds));
  try {
    store.completeNow(id, config.dedupeTtlSeconds);
  } catch {
    throw new StoreUnavailableError();
  }
}

export function dispatch(
  context: DispatchContext,
  event: WebhookEvent,
  names: readonly string[],
): MaybePromise<WebhookResponse> {
  const { config } = context;
  if (config.inbox !== undefined) return enqueue(context, event, names);

  const handlers = context.registry.handlersFor(names);
  if (handlers.length === 0) {
    logEntry(context, event, 'unhandled');
    if (config.unhandled === 'reject') throw new UnhandledEventError(event.type);
    return acceptedResponse('unhandled');
  }

  const id = event.id;
  const deduped = id === undefined || config.dedupe === undefined ? undefined : { id, store: config.dedupe };
  if (deduped === undefined) return runClaimed(context, event, handlers, undefined);
  return andThen(claim(config, deduped), (claimed) => {
    if (claimed === 'done') {
      logEntry(context, event, 'duplicate');
      return acceptedResponse('duplicate');
    }
    if (claimed === 'in-progress') throw new EventInProgressError(Math.min(30, config.dedupeLeaseSeconds));
    return runClaimed(context, event, handlers, deduped);
  });
}

/** The handlers of an event this process now holds (claimed, or not deduped), and what the sender is told. */
function runClaimed(
  context: DispatchContext,
  event: WebhookEvent,
  handlers: readonly WebhookHandler[],
  deduped: Deduped | undefined,
): MaybePromise<WebhookResponse> {
  const { config } = context;
  const entry = logEntry(context, event, 'processing');
  if (config.mode === 'ack-then-process') return acknowledgeThenProcess(context, event, handlers, deduped, entry);

  let ran: MaybePromise<HandledOutcome>;
  try {
    ran = checkAndHandleNow(context, event, handlers);
  } catch (error) {
    return handlerFailed(context, event, deduped, entry, error);
  }
  if (ran instanceof Promise) {
    return ran.then(
      (outcome) => handled(context, event, deduped, entry, outcome),
      (error: unknown) => handlerFailed(context, event, deduped, entry, error),
    );
  }
  return handled(context, event, deduped, entry, ran);
}

function handled(
  context: DispatchContext,
  event: WebhookEvent,
  deduped: Deduped | undefined,
  entry: EventLogEntry,
  outcome: HandledOutcome,
): MaybePromise<WebhookResponse> {
  const { config } = context;
  if (outcome.status === 'rejected') return checkRejected(context, event, deduped, entry, outcome.reason);
  setStatus(entry, 'handled', config.now());
  if (deduped === undefined) return acceptedResponse('handled');
  return andThen(complete(config, deduped), () => acceptedResponse('handled'));
}

async function handlerFailed(
  context: DispatchContext,
  event: WebhookEvent,
  deduped: Deduped | undefined,
  entry: EventLogEntry,
  error: unknown,
): Promise<never> {
  setStatus(entry, 'failed', context.config.now(), error);
  if (deduped !== undefined) await storeCall(deduped.store.release(deduped.id));
  reportError(context, error, event);
  throw new HandlerFailedError();
}

async function checkRejected(
  context: DispatchContext,
  event: WebhookEvent,
  deduped: Deduped | undefined,
  entry: EventLogEntry,
  reason: string,
): Promise<never> {
  setStatus(entry, 'rejected', context.config.now(), reason);
  // Not remembered: the check may say yes to a later delivery (the provider's API had not caught up).
  if (deduped !== undefined) await storeCall(deduped.store.release(deduped.id));
  throw new EventRejectedError(reason, { id: event.id, type: event.type });
}

async function acknowledgeThenProcess(
  context: DispatchContext,
  event: WebhookEvent,
  handlers: readonly WebhookHandler[],
  deduped: Deduped | undefined,
  entry: EventLogEntry,
): Promise<WebhookResponse> {
  const { config } = context;
  // Acknowledged means done as far as the sender is concerned: its retries are duplicates from here on.
  if (deduped !== undefined) await complete(config, deduped);
  setStatus(entry, 'queued', config.now());
  const background = context.track(
    // A macrotask later, so the answer is written before any handler code runs.
    new Promise<void>((resolve) => setTimeout(resolve, 0)).then(async () => {
      setStatus(entry, 'processing', config.now());
      try {
        const outcome = await checkAndHandle(context, event, handlers);
        setStatus(entry, outcome.status, config.now(), outcome.status === 'rejected' ? outcome.reason : undefined);
      } catch (error) {
        setStatus(entry, 'failed', config.now(), error);
        reportError(context, error, event);
      }
    }),
  );
  return { ...acceptedResponse('accepted'), background };
}

async function enqueue(
  context: DispatchContext,
  event: WebhookEvent,
  names: readonly string[],
): Promise<WebhookResponse> {
  const inbox = context.config.inbox;
  if (inbox === undefined) throw new Error('enqueue without an inbox');
  // Events without a sender id still need a key in the inbox; they cannot be deduped.
  const id = event.id ?? `local_${globalThis.crypto.randomUUID()}`;
  const added = await storeCall(
    inbox.store.add({
      id,
      type: event.type,
      alsoRoutesAs: names.slice(1),
      payload: event.payload,
      headers: event.headers,
      scheme: event.scheme,
      receivedAt: event.receivedAt,
    }),
  );
  if (!added) {
    logEntry(context, event, 'duplicate');
    return acceptedResponse('duplicate');
  }
  logEntry(context, { ...event, id }, 'queued');
  context.nudgeInbox();
  return acceptedResponse('accepted');
}
