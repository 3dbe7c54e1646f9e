// What the engine hands to a destination and hears back. Every kind (HTTP, RabbitMQ, NATS JetStream, Redis Streams;
// later Kafka, SQS, Pub/Sub) is one file exporting a DestinationKind with the same three functions.
import type { SendDispatcher } from '../lazy-dispatcher.js';
import type { SendCancellation, SendResult } from '../sender.js';
import type { NetworkPolicy } from '../ssrf-guard.js';

export type DestinationKindName = 'http' | 'rabbitmq' | 'nats' | 'redis-streams';

/** One delivery, signed: the same headers an HTTP endpoint gets travel as the message's headers on a broker. */
export interface OutgoingMessage {
  /** The endpoint's URL as stored (a broker connection was opened for it and already knows it). */
  url: string;
  /** The message id (`msg_…`): the broker-side dedupe key where the broker has one (Nats-Msg-Id). */
  messageId: string;
  eventType: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  /** The engine's stop() cancelling the send in flight. */
  cancellation?: SendCancellation;
}

/** An open connection to one destination; a kind keeps one per destination URL and reuses it for every send. */
export interface DestinationConnection {
  /**
   * Sends one message and never throws: an acknowledgement is `acknowledged: true`; a refusal, a timeout or a
   * broken connection is a SendResult with `error` set, which the engine records as a failed attempt.
   */
  send(message: OutgoingMessage): Promise<SendResult>;
  /** Whether the connection is still usable; a closed one is dropped from the pool and opened again. */
  isOpen(): boolean;
  close(): Promise<void>;
}

export interface OpenContext {
  /** Broker hosts are resolved and checked by the SSRF guard before a socket is opened, like HTTP ones. */
  policy: NetworkPolicy;
  connectTimeoutMs: number;
  /** The guarded HTTP dispatcher, for the http kind. */
  dispatcher: SendDispatcher;
}

export interface DestinationKind {
  name: DestinationKindName;
  /** URL schemes this kind serves, with the colon as WHATWG URL has it: 'amqp:'. */
  schemes: readonly string[];
  /** Pure: what is wrong with this URL for this kind (missing stream, bad number), or null. */
  problemWith(url: URL): string | null;
  /** Sends with the same key share one connection: one per destination for brokers. */
  connectionKey(url: string): string;
  /** Opens a connection; the client library is imported here, so it is loaded only when such an endpoint exists. */
  open(url: URL, context: OpenContext): Promise<DestinationConnection>;
}

/** A SendResult for a failure before any broker answer (connect refused, SSRF guard, no client installed). */
export function failedSend(error: string, startedAt: number): SendResult {
  return {
    statusCode: null,
    responseBody: '',
    retryAfter: undefined,
    durationMs: performance.now() - startedAt,
    error: error.slice(0, 500),
  };
}

/** A broker's acknowledgement: `detail` says what it answered (a stream entry id, a JetStream sequence). */
export function acknowledgedSend(detail: string, startedAt: number): SendResult {
  return {
    statusCode: null,
    responseBody: detail,
    retryAfter: undefined,
    durationMs: performance.now() - startedAt,
    error: null,
    acknowledged: true,
  };
}

/** `CODE: message` for the attempt log; never the URL (it may hold credentials). */
export function describeBrokerError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    const name = typeof code === 'string' || typeof code === 'number' ? String(code) : error.name;
    return `${name}: ${error.message}`.slice(0, 500);
  }
  return String(error).slice(0, 500);
}

/** The text with the URL's password (and username) taken out: client errors sometimes quote what they were given. */
export function withoutCredentials(text: string, url: URL): string {
  let result = text;
  for (const secret of [url.password, decodeURIComponent(url.password)]) {
    if (secret.length >= 3) result = result.split(secret).join('***');
  }
  return result;
}
