// The messages part of the Store: publish (the message and its fan-out to deliveries, in one transaction) and
// finding one message.
import type { DuplicateEventIdError } from './errors.js';
import type { AnswerWithWrite } from './idempotency.js';
import type { Message } from './types.js';

export interface NewMessage {
  eventType: string;
  eventId?: string | null;
  payload: string;
  channels?: string[] | null;
  /** Deliver no earlier than this (ms); null, absent or already past: at once. */
  deliverAt?: number | null;
  tags?: string[] | null;
  /** For ordered endpoints: the message's group, sent in publish order within it; absent or null: ''. */
  orderingKey?: string | null;
  /**
   * To this endpoint alone (a test event from the dashboard or the API's send-example), whatever its filters; none
   * when it is disabled. Absent or null: every matching enabled endpoint.
   */
  onlyEndpointId?: string | null;
}

export interface PublishResult {
  message: Message;
  deliveries: number;
}

/** One input's result in a batch publish. */
export type PublishedOrDuplicate = PublishResult | DuplicateEventIdError;

export interface MessagesStore {
  /**
   * Inserts the message and one delivery per matching, enabled endpoint in ONE transaction, durable on disk when
   * the promise resolves. Rejects with DuplicateEventIdError when the application already has this eventId.
   * With `idempotent`, its answer (made from the message) is stored in the same transaction; a live record for the
   * key undoes the publish (IdempotencyKeyTakenError).
   */
  publish(appId: string, input: NewMessage, now: number, idempotent?: AnswerWithWrite<Message>): Promise<PublishResult>;
  /**
   * Publishes each input as `publish` does, all in ONE transaction (durable when the promise resolves, nothing of it
   * when it rejects). Results are in input order; an input whose eventId the application already has (or an earlier
   * input of the same call has) gets its DuplicateEventIdError in place, and the others are published.
   * With `idempotent`, its answer (made from the results) is stored in the same transaction, even for no inputs; a
   * live record for the key undoes the whole call (IdempotencyKeyTakenError).
   */
  publishMany(
    appId: string,
    inputs: readonly NewMessage[],
    now: number,
    idempotent?: AnswerWithWrite<PublishedOrDuplicate[]>,
  ): Promise<PublishedOrDuplicate[]>;
  getMessage(appId: string, idOrEventId: string): Promise<Message | null>;
}
