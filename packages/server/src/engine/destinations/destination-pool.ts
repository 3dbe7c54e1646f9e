// The engine's way out: each endpoint URL goes to its kind's connection, opened on first use (the client library
// is imported then), shared by every send to that destination, opened again after it broke, closed on stop.

import type { SendDispatcher } from '../lazy-dispatcher.js';
import type { SendResult } from '../sender.js';
import type { NetworkPolicy } from '../ssrf-guard.js';
import {
  type DestinationConnection,
  describeBrokerError,
  failedSend,
  type OpenContext,
  type OutgoingMessage,
  withoutCredentials,
} from './destination.js';
import { destinationKindOf } from './destination-url.js';
import { httpConnection } from './http.js';

export interface DestinationPoolOptions {
  dispatcher: SendDispatcher;
  policy: NetworkPolicy;
  connectTimeoutMs: number;
}

export class DestinationPool {
  private readonly http: DestinationConnection;
  private readonly context: OpenContext;
  /** Opening or open broker connections by URL; a promise, so concurrent first sends open one connection. */
  private readonly connections = new Map<string, Promise<DestinationConnection>>();
  private closed = false;

  constructor(options: DestinationPoolOptions) {
    this.http = httpConnection(options.dispatcher);
    this.context = {
      policy: options.policy,
      connectTimeoutMs: options.connectTimeoutMs,
      dispatcher: options.dispatcher,
    };
  }

  send(message: OutgoingMessage): Promise<SendResult> {
    // HTTP first and without parsing: it is the hot path, and undici pools its connections per origin itself.
    if (message.url.startsWith('http')) return this.http.send(message);
    return this.sendToBroker(message);
  }

  private async sendToBroker(message: OutgoingMessage): Promise<SendResult> {
    const started = performance.now();
    let url: URL;
    try {
      url = new URL(message.url);
    } catch {
      return failedSend('INVALID_URL: the endpoint URL cannot be parsed', started);
    }
    const kind = destinationKindOf(url);
    if (kind === undefined)
      return failedSend(`UNSUPPORTED_SCHEME: no destination kind serves ${url.protocol}`, started);
    if (this.closed) return failedSend('STOPPING: the engine is stopping', started);
    const key = kind.connectionKey(message.url);
    let pending = this.connections.get(key);
    if (pending !== undefined) {
      const existing = await pending.catch(() => null);
      if (existing === null || !existing.isOpen()) {
        if (this.connections.get(key) === pending) this.connections.delete(key);
        void existing?.close();
        pending = undefined;
      }
    }
    if (pending === undefined) {
      pending = kind.open(url, this.context);
      this.connections.set(key, pending);
    }
    let connection: DestinationConnection;
    try {
      connection = await pending;
    } catch (error) {
      // A failed open is not kept: the next attempt (on the delivery's schedule) tries again.
      if (this.connections.get(key) === pending) this.connections.delete(key);
      return failedSend(`CONNECT: ${withoutCredentials(describeBrokerError(error), url)}`, started);
    }
    return connection.send(message);
  }

  /** Closes every broker connection; called by the engine's stop() after its sends have finished. */
  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.connections.values()];
    this.connections.clear();
    await Promise.all(all.map((pending) => pending.then((connection) => connection.close()).catch(() => {})));
  }

  /** Reopens after close() (an engine started again). */
  reopen(): void {
    this.closed = false;
  }
}
