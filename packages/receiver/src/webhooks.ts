// The public face: one `Webhooks` object per webhook source. Handlers register on it by event name; adapters
// hand it plain requests through `handle`. Everything else (the pipeline, stores, adapters) hangs off this.
import { type ResolvedConfig, resolveConfig, type WebhooksOptions } from './config.js';
import { checkAndHandle, type DispatchContext, type ErrorListener, reportError } from './dispatch.js';
import { EventLog, type EventLogEntry, setStatus } from './event-log.js';
import type { InboxRecord, InboxStatus, InboxSummary } from './inbox/inbox-store.js';
import { type InboxRunOutcome, InboxWorker } from './inbox/inbox-worker.js';
import { type EventFor, type EventPattern, HandlerRegistry } from './on.js';
import { HANDLE_NOW, type Reply, receive } from './receive.js';
import type { RefusalListener } from './refusal.js';
import { decoratedHandlers, type HandlerModule, moduleHandlers } from './register.js';
import type { EventMap, IncomingWebhookRequest, WebhookEvent, WebhookHandler, WebhookResponse } from './types.js';

export class Webhooks<M extends EventMap = EventMap> {
  readonly #config: ResolvedConfig;
  readonly #registry = new HandlerRegistry();
  readonly #eventLog: EventLog;
  readonly #errorListeners: ErrorListener[] = [];
  readonly #refusalListeners: RefusalListener[] = [];
  readonly #background = new Set<Promise<void>>();
  readonly #worker: InboxWorker | undefined;
  readonly #context: DispatchContext;

  constructor(options: WebhooksOptions<M>) {
    this.#config = resolveConfig(options);
    this.#eventLog = new EventLog(this.#config.eventLogSize);
    this.#context = {
      config: this.#config,
      registry: this.#registry,
      eventLog: this.#eventLog,
      errorListeners: this.#errorListeners,
      refusalListeners: this.#refusalListeners,
      track: (work) => {
        this.#background.add(work);
        return work.finally(() => this.#background.delete(work));
      },
      nudgeInbox: () => this.#worker?.nudge(),
    };
    const inbox = this.#config.inbox;
    this.#worker =
      inbox === undefined
        ? undefined
        : new InboxWorker({
            ...inbox,
            retentionMs: this.#config.dedupeTtlSeconds * 1000,
            now: this.#config.now,
            run: (record) => this.#runInboxRecord(record),
            onOutcome: (record, outcome, error) => this.#recordInboxOutcome(record, outcome, error),
            // The worker retries on its next poll; the caller decides where the failure is reported.
            onStoreError: inbox.onStoreError,
          });
  }

  /** The maximum body size, for adapters that must configure their framework's own limit. */
  get maxBodyBytes(): number {
    return this.#config.maxBodyBytes;
  }

  /** Registers a handler for an event name, a prefix pattern (`payment.*`) or `*`. Several per name are fine. */
  on<P extends EventPattern<M>>(pattern: P | readonly P[], handler: (event: EventFor<M, P>) => unknown): this {
    for (const p of typeof pattern === 'string' ? [pattern] : pattern) {
      this.#registry.add(p, handler as WebhookHandler);
    }
    return this;
  }

  /**
   * Registers every method decorated with `@handles(…)` on an instance (or, for static methods, on a class),
   * bound to it. Throws when there is none: a forgotten decorator should not look like a quiet receiver.
   */
  register(target: object): this {
    const found = decoratedHandlers(target);
    if (found.length === 0) {
      throw new TypeError(
        'register found no @handles methods on this object: decorate methods with @handles(name), or pass a module of functions to registerModule',
      );
    }
    for (const { patterns, handler } of found) for (const pattern of patterns) this.#registry.add(pattern, handler);
    return this;
  }

  /**
   * Registers a module's functions by their names: `invoice_paid` handles `invoice.paid` (every `.`, `/` or `-`
   * of an event name reads as `_`). Other exports are left alone; throws when there is no function at all.
   */
  registerModule(module: HandlerModule<M>): this {
    const found = moduleHandlers(module);
    if (found.length === 0) throw new TypeError('registerModule found no functions in this module');
    for (const [name, handler] of found) this.#registry.addNamed(name, handler);
    return this;
  }

  /** Removes a handler registered with `on` under the same pattern. */
  off<P extends EventPattern<M>>(pattern: P, handler: (event: EventFor<M, P>) => unknown): this {
    this.#registry.remove(pattern, handler as WebhookHandler);
    return this;
  }

  /** Told of every handler (or check) failure, with the event. The sender only ever sees a generic 500. */
  onError(listener: (error: unknown, event: WebhookEvent) => void): this {
    this.#errorListeners.push(listener);
    return this;
  }

  /**
   * Told of every request that is not accepted, with what an honest answer says (status, code, detail) and, for
   * a check's refusal, its reason. With `respond: { acknowledge }` this is where refusals are seen at all.
   */
  onRefused(listener: RefusalListener): this {
    this.#refusalListeners.push(listener);
    return this;
  }

  /** Receives one request; never rejects. Adapters call this. */
  handle(request: IncomingWebhookRequest): Promise<WebhookResponse> {
    return new Promise((resolve) => receive(this.#context, request, resolve));
  }

  /**
   * `handle` for this package's adapters: the answer goes to `reply`, before this returns when every step answered
   * at once (a verify with an imported key, the memory dedupe store, a handler returning no promise), and without
   * a promise turn of its own after a body that had to be waited for.
   */
  [HANDLE_NOW](request: IncomingWebhookRequest, reply: Reply): void {
    receive(this.#context, request, reply);
  }

  /** The most recent verified events, newest first. */
  recentEvents(limit?: number): EventLogEntry[] {
    return this.#eventLog.recent(limit);
  }

  /** Resolves when the work started after answers (ack-then-process without an inbox) has finished. */
  async idle(): Promise<void> {
    for (let round = 0; round < 1000 && this.#background.size > 0; round++) {
      await Promise.allSettled([...this.#background]);
    }
  }

  /** Starts the inbox worker (with an inbox): runs what is pending, including what a crashed process left. */
  start(): this {
    this.#worker?.start();
    return this;
  }

  /** Stops the inbox worker after the events in hand, and waits for background work. */
  async stop(): Promise<void> {
    await this.#worker?.stop();
    await this.idle();
  }

  /** Runs every due inbox event now (bounded), without the background loop. Resolves how many ran. */
  async drainInbox(maxBatches?: number): Promise<number> {
    return (await this.#worker?.drain(maxBatches)) ?? 0;
  }

  /** Inbox events by status, newest first: `dead` is the dead-letter view. */
  async inboxEvents(options: { status?: InboxStatus; limit?: number } = {}): Promise<InboxSummary[]> {
    const store = this.#config.inbox?.store;
    if (store === undefined) return [];
    const query: { status?: InboxStatus; limit: number } = { limit: options.limit ?? 100 };
    if (options.status !== undefined) query.status = options.status;
    return store.list(query);
  }

  /** Puts a dead (or rejected) inbox event back to run again. Resolves false when there is no such event. */
  async replay(id: string): Promise<boolean> {
    const store = this.#config.inbox?.store;
    if (store === undefined) return false;
    const requeued = await store.requeue(id);
    if (requeued) this.#worker?.nudge();
    return requeued;
  }

  async #runInboxRecord(record: InboxRecord): Promise<InboxRunOutcome> {
    const handlers = this.#registry.handlersFor([record.type, ...record.alsoRoutesAs]);
    if (handlers.length === 0) return { status: 'unhandled' };
    const event = this.#inboxEvent(record);
    try {
      return await checkAndHandle(this.#context, event, handlers);
    } catch (error) {
      reportError(this.#context, error, event);
      throw error;
    }
  }

  #inboxEvent(record: InboxRecord): WebhookEvent {
    return {
      id: record.id,
      type: record.type,
      payload: record.payload,
      headers: record.headers,
      scheme: record.scheme,
      receivedAt: record.receivedAt,
      attempt: record.attempts,
    };
  }

  #recordInboxOutcome(record: InboxRecord, outcome: EventLogEntry['status'], error?: unknown): void {
    const now = this.#config.now();
    const entry =
      this.#eventLog.find(record.id) ??
      this.#eventLog.add({
        id: record.id,
        type: record.type,
        status: outcome,
        receivedAt: record.receivedAt,
        updatedAt: now,
      });
    setStatus(entry, outcome, now, error);
  }
}
