// What happens to a verified, parsed event: dedupe, the fetch-back check, the handlers; now (process-then-ack)
// or after the answer (ack-then-process, optionally through the durable inbox).
import type { ResolvedConfig } from './config.js';
import {
  EventInProgressError,
  EventRejectedError,
  HandlerFailedError,
  StoreUnavailableError,
  UnhandledEventError,
} from './errors.js';
import { type EventLog, type EventLogEntry, setStatus } from './event-log.js';
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

export async function dispatch(
  context: DispatchContext,
  event: WebhookEvent,
  names: readonly string[],
): Promise<WebhookResponse> {
  const { config } = context;
  if (config.inbox !== undefined) return enqueue(context, event, names);

  const handlers = context.registry.handlersFor(names);
  if (handlers.length === 0) {
    logEntry(context, event, 'unhandled');
    if (config.unhandled === 'reject') throw new UnhandledEventError(event.type);
    return acceptedResponse('unhandled');
  }

  const id = event.id;
  const dedupe = id === undefined ? undefined : config.dedupe;
  if (dedupe !== undefined && id !== undefined) {
    const claim = await storeCall(dedupe.claim(id, config.dedupeLeaseSeconds));
    if (claim === 'done') {
      logEntry(context, event, 'duplicate');
      return acceptedResponse('duplicate');
    }
    if (claim === 'in-progress') throw new EventInProgressError(Math.min(30, config.dedupeLeaseSeconds));
  }
  const entry = logEntry(context, event, 'processing');

  if (config.mode === 'ack-then-process') {
    // Acknowledged means done as far as the sender is concerned: its retries are duplicates from here on.
    if (dedupe !== undefined && id !== undefined) await storeCall(dedupe.complete(id, config.dedupeTtlSeconds));
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

  let outcome: HandledOutcome;
  try {
    outcome = await checkAndHandle(context, event, handlers);
  } catch (error) {
    setStatus(entry, 'failed', config.now(), error);
    if (dedupe !== undefined && id !== undefined) await storeCall(dedupe.release(id));
    reportError(context, error, event);
    throw new HandlerFailedError();
  }
  if (outcome.status === 'rejected') {
    setStatus(entry, 'rejected', config.now(), outcome.reason);
    // Not remembered: the check may say yes to a later delivery (the provider's API had not caught up).
    if (dedupe !== undefined && id !== undefined) await storeCall(dedupe.release(id));
    throw new EventRejectedError(outcome.reason, { id: event.id, type: event.type });
  }
  setStatus(entry, 'handled', config.now());
  if (dedupe !== undefined && id !== undefined) await storeCall(dedupe.complete(id, config.dedupeTtlSeconds));
  return acceptedResponse('handled');
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
