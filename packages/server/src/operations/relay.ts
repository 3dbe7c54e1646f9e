// Accepted inbound requests become messages of their application: the normal publish (one transaction with its
// deliveries), so retries, dead letters, replay, metrics and the dashboard all apply. The message's eventId is the
// request's id, so relaying one twice (the immediate relay and the sweep, or two processes) publishes it once.
// Requests are relayed as soon as they are accepted; a sweep at start and every SWEEP_INTERVAL_MS finishes any
// whose relay a crash (or a store failure) interrupted.
import { DuplicateEventIdError } from '../store/errors.js';
import type { InboundRequest } from '../store/sources.js';
import type { Store } from '../store/store.js';

export const SWEEP_INTERVAL_MS = 5000;
const SWEEP_BATCH = 200;

/** The tag a relayed message carries, to find a source's messages (`?tag=source:src_…`). */
export const sourceTag = (sourceId: string) => `source:${sourceId}`;

export interface RelayOptions {
  store: Store;
  now(): number;
  workQueued(): void;
  onError(error: unknown, detail: { requestId: string }): void;
  sweepIntervalMs?: number;
}

export class Relay {
  /** Requests being relayed by this process: the sweep leaves them to the relay already running. */
  private readonly inFlight = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private sweeping: Promise<void> | null = null;
  /** A sweep was asked for while one ran: run another after it, for what arrived meanwhile. */
  private again = false;
  private stopped = false;

  constructor(private readonly options: RelayOptions) {}

  start(): void {
    this.stopped = false;
    void this.sweep();
    const interval = this.options.sweepIntervalMs ?? SWEEP_INTERVAL_MS;
    this.timer = setInterval(() => void this.sweep(), interval);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    await this.sweeping;
  }

  /**
   * A request was accepted: relay it now. The sweep reads it back from the store, so requests accepted while a
   * sweep runs are taken together by the next one (a burst shares the reads).
   */
  accepted(): void {
    if (!this.stopped) void this.sweep();
  }

  /** Publishes every accepted request not yet relayed; one sweep at a time, another asked for runs after it. */
  sweep(): Promise<void> {
    if (this.sweeping !== null) {
      this.again = true;
      return this.sweeping;
    }
    this.sweeping = this.runSweeps().finally(() => {
      this.sweeping = null;
    });
    return this.sweeping;
  }

  private async runSweeps(): Promise<void> {
    do {
      this.again = false;
      let batch: InboundRequest[];
      try {
        batch = await this.options.store.listUnrelayedInbound(SWEEP_BATCH);
      } catch (error) {
        this.options.onError(error, { requestId: '' });
        return;
      }
      const fresh = batch.filter((request) => !this.inFlight.has(request.id));
      const relayed = await Promise.all(fresh.map((request) => this.relay(request)));
      // A full batch means more may wait: read on at once, but only if this one moved. A batch that failed whole
      // (a store refusing every publish) would otherwise be read and failed again in a tight loop, logging
      // without end; it is left to the next timed sweep.
      if (batch.length === SWEEP_BATCH && relayed.some(Boolean)) this.again = true;
    } while (this.again && !this.stopped);
  }

  /** Relays one request; says whether it is now relayed (its failure went to onError). */
  private async relay(request: InboundRequest): Promise<boolean> {
    this.inFlight.add(request.id);
    const { store } = this.options;
    try {
      let messageId: string;
      try {
        const { message } = await store.publish(
          request.appId,
          {
            eventType: request.eventType,
            eventId: request.id,
            payload: request.body,
            tags: [sourceTag(request.sourceId)],
          },
          request.createdAt,
        );
        messageId = message.id;
      } catch (error) {
        if (!(error instanceof DuplicateEventIdError)) throw error;
        const message = await store.getMessage(request.appId, request.id);
        if (message === null) throw error;
        messageId = message.id;
      }
      await store.markInboundRelayed(request.id, messageId);
      this.options.workQueued();
      return true;
    } catch (error) {
      this.options.onError(error, { requestId: request.id });
      return false;
    } finally {
      this.inFlight.delete(request.id);
    }
  }
}
