// The plain data the core speaks. Adapters turn a framework's request into an `IncomingWebhookRequest` and a
// `WebhookResponse` back into the framework's answer; nothing in the core knows about node:http, Express or Fetch.
import type { HeadersInput } from '@hookline/signatures';

export interface IncomingWebhookRequest {
  method: string;
  /** Any casing; a Web `Headers` or node's `req.headers`. */
  headers: HeadersInput;
  /** The peer address of the socket (not X-Forwarded-For: `trustProxy` decides whether that is read). */
  remoteAddress: string | undefined;
  /** The raw query string, without `?` (`id=xyz&status=paid`): a GET callback's payload. */
  query?: string | undefined;
  /**
   * The raw body bytes, or a reader the core calls only once the cheap checks passed. A reader must stop at
   * `limitBytes` and reject with `PayloadTooLargeError`, so an oversized body is never buffered whole.
   */
  body: Uint8Array | ((limitBytes: number) => Promise<Uint8Array>);
}

export interface WebhookResponse {
  status: number;
  headers: Record<string, string>;
  /** JSON text; with `respond: { acknowledge }`, the configured body. */
  body: string;
  /**
   * Work still running after this answer (ack-then-process). Node keeps the process alive on its own; an edge
   * runtime must be told, e.g. `ctx.waitUntil(response.background)`.
   */
  background?: Promise<void>;
}

/** Payload types by event name: `{ 'payment.succeeded': PaymentSucceeded, … }`. */
export type EventMap = Record<string, unknown>;

export interface WebhookEvent<TType extends string = string, TPayload = unknown> {
  /** The sender's event id (what dedupe keys on), where the provider gives one. */
  id: string | undefined;
  /** The full event name, e.g. `payment.succeeded`, or `issues.opened` for GitHub. */
  type: TType;
  /** The parsed (and, with a schema, validated) body. */
  payload: TPayload;
  headers: Readonly<Record<string, string>>;
  /** The signature scheme that verified it. */
  scheme: string;
  /** When it was received, ms since the epoch. */
  receivedAt: number;
  /** 1 on first delivery to the handler; higher when the inbox retries it. */
  attempt: number;
}

export type WebhookHandler<TEvent extends WebhookEvent = WebhookEvent> = (event: TEvent) => unknown;
