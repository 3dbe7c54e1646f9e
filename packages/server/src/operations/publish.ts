// Publish: what a message input may say, and the publish itself. The application must exist (or the input says how
// to create it, Svix's create-alongside); the payload must pass its event type's schema, and an event type nobody
// declared is refused when the server says so; deliverAt is bounded; then the message and its deliveries are
// written in one transaction (the store's publish) and a local engine is told.
import { parseInstant } from '../input/instant.js';
import { DuplicateEventIdError } from '../store/errors.js';
import type { AnswerWithWrite } from '../store/idempotency.js';
import type { NewMessage, PublishedOrDuplicate, PublishResult } from '../store/store.js';
import type { Message } from '../store/types.js';
import { type ApplicationInput, applicationInSchema, createApplicationAlongside } from './applications.js';
import type { OperationsContext } from './context.js';
import { conflict, InvalidInputError, invalidField, notFound, OperationError, refusingDuplicates } from './errors.js';
import { checkInput } from './input-schema.js';
import { refuseOperationalApplication } from './operational-events.js';
import { MAX_ORDERING_KEY_LENGTH, orderingKeyOf } from './ordering-key.js';
import { eventTypeName } from './schemas.js';

export const messageInSchema = {
  type: 'object',
  required: ['eventType', 'payload'],
  properties: {
    eventType: eventTypeName,
    eventId: { type: ['string', 'null'], minLength: 1, maxLength: 256 },
    payload: { type: 'object' },
    channels: { type: ['array', 'null'], maxItems: 10, items: { type: 'string', minLength: 1, maxLength: 128 } },
    tags: { type: ['array', 'null'], maxItems: 5, items: { type: 'string', maxLength: 128 } },
    deliverAt: { type: ['string', 'null'], format: 'date-time' },
    orderingKey: {
      type: ['string', 'null'],
      minLength: 1,
      maxLength: MAX_ORDERING_KEY_LENGTH,
      description:
        'Hookline extension: the group an ordered endpoint sends this message in, in publish order (a customer id, an ' +
        'order id). The Svix SDKs drop unknown fields: with them, add the tag `ordering-key:<key>` instead.',
    },
    application: { anyOf: [applicationInSchema, { type: 'null' }] },
  },
} as const;

/** How far ahead the API lets a message be scheduled: Svix's limit. */
export const MAX_DELIVER_AHEAD_MS = 24 * 3600 * 1000;

/** A message as callers describe it (Svix's MessageIn); it has passed messageInSchema. */
export interface MessageInput {
  eventType: string;
  eventId?: string | null;
  payload: Record<string, unknown>;
  channels?: string[] | null;
  tags?: string[] | null;
  /** Deliver no earlier than this ISO-8601 time; a time already past means now. */
  deliverAt?: string | null;
  /** For ordered endpoints: the message's group (also accepted as the tag `ordering-key:<key>`). */
  orderingKey?: string | null;
  /** Svix's create-alongside: the application to create when the one named does not exist. */
  application?: ApplicationInput | null;
}

/**
 * The delivery time asked for, in ms; null for none. Svix also refuses less than a minute ahead; here a time up to
 * now (or already past, by clock skew) just means at once, which is what the caller wanted.
 */
function scheduledTime(context: OperationsContext, deliverAt: string | null | undefined, now: number): number | null {
  if (deliverAt === undefined || deliverAt === null) return null;
  const at = parseInstant(deliverAt);
  if (at === null) throw invalidField(['deliverAt'], 'not a date-time');
  if (context.maxDeliverAheadMs !== null && at > now + context.maxDeliverAheadMs) {
    throw invalidField(
      ['deliverAt'],
      `must be no more than ${context.maxDeliverAheadMs / 3_600_000} hours in the future`,
    );
  }
  return at <= now ? null : at;
}

/** Refuses a payload its event type's schema rejects, and (when configured) an event type nobody created. */
async function checkPayload(context: OperationsContext, eventTypeName: string, payload: unknown): Promise<void> {
  const eventType = await context.store.getEventType(eventTypeName);
  if (eventType === null) {
    if (context.rejectUnknownEventTypes) {
      throw new OperationError(
        'unknown_event_type',
        `event type ${JSON.stringify(eventTypeName)} does not exist`,
        'invalid',
      );
    }
    return;
  }
  const problems = context.payloadValidator.problems(eventType, payload);
  if (problems.length > 0) throw new InvalidInputError(problems);
}

const orNull = <T>(list: T[] | null | undefined): T[] | null =>
  list === undefined || list === null || list.length === 0 ? null : list;

/** A checked input as the store writes it: every rule of a publish but the application's existence is here. */
async function checkedMessage(context: OperationsContext, input: MessageInput, now: number): Promise<NewMessage> {
  await checkPayload(context, input.eventType, input.payload);
  return {
    eventType: input.eventType,
    eventId: input.eventId ?? null,
    payload: JSON.stringify(input.payload),
    channels: orNull(input.channels),
    deliverAt: scheduledTime(context, input.deliverAt, now),
    tags: orNull(input.tags),
    orderingKey: orderingKeyOf(input),
  };
}

/** Writes a checked message: the store's own transaction, or the caller's (the transactional outbox). */
export type MessageWriter = (appId: string, message: NewMessage, now: number) => Promise<PublishResult>;

/**
 * Resolves once the message and its deliveries are committed (on disk, for SQLite); with a `write` on the caller's
 * transaction, once they are written in it: they exist when it commits.
 */
export async function publishMessage(
  context: OperationsContext,
  appIdOrUid: string,
  input: MessageInput,
  write: MessageWriter = (appId, message, now) => context.store.publish(appId, message, now),
): Promise<Message> {
  // An unknown application is refused before anything else, unless the input says how to create it.
  const existing = await context.store.getApplication(appIdOrUid);
  refuseOperationalApplication(existing);
  if (existing === null && (input.application === undefined || input.application === null)) {
    throw notFound('application');
  }
  const checked = await checkedMessage(context, input, context.now());
  const application =
    existing ?? (await createApplicationAlongside(context, appIdOrUid, input.application as ApplicationInput));
  const { message } = await refusingDuplicates(() => write(application.id, checked, context.now()));
  context.workQueued();
  return message;
}

/** The most messages one publishMessages call takes (the batch route's limit). */
export const MAX_BATCH_MESSAGES = 1000;

/** One message's outcome in a batch: published, or refused as publishMessage would have refused it alone. */
export type PublishOutcome = { ok: true; message: Message } | { ok: false; error: OperationError };

/**
 * Publishes a batch to one existing application: each input is checked by the rules of publishMessage (its schema
 * first: the inputs are not checked before they get here), and those that pass are written in ONE transaction,
 * resolved once committed. The outcomes are in input order. An application that does not exist refuses the whole
 * call (there is no create-alongside for a batch: an input's `application` is ignored, as for a publish to an
 * application that exists).
 */
export async function publishMessages(
  context: OperationsContext,
  appIdOrUid: string,
  inputs: readonly unknown[],
  /** An Idempotency-Key's answer, made from the outcomes and stored in the batch's transaction (even with none accepted). */
  idempotent?: AnswerWithWrite<PublishOutcome[]>,
): Promise<PublishOutcome[]> {
  if (inputs.length > MAX_BATCH_MESSAGES) {
    throw invalidField([], `at most ${MAX_BATCH_MESSAGES} messages in one batch`, 'value_error.maxItems');
  }
  const application = await context.store.getApplication(appIdOrUid);
  if (application === null) throw notFound('application');
  refuseOperationalApplication(application);
  const now = context.now();
  const outcomes: Array<PublishOutcome | null> = [];
  const accepted: NewMessage[] = [];
  const acceptedAt: number[] = [];
  for (const [index, input] of inputs.entries()) {
    try {
      const checked = await checkedMessage(context, checkInput<MessageInput>(messageInSchema, input), now);
      accepted.push(checked);
      acceptedAt.push(index);
      outcomes.push(null);
    } catch (error) {
      if (!(error instanceof OperationError)) throw error;
      outcomes.push({ ok: false, error });
    }
  }
  // The refusals found here, with the store's results in the places of the accepted inputs.
  const allOutcomes = (results: readonly PublishedOrDuplicate[]): PublishOutcome[] => {
    const all = [...outcomes];
    results.forEach((result, k) => {
      all[acceptedAt[k] as number] =
        result instanceof DuplicateEventIdError
          ? { ok: false, error: conflict(result.message, result) }
          : { ok: true, message: result.message };
    });
    return all as PublishOutcome[];
  };
  if (accepted.length === 0 && idempotent === undefined) return allOutcomes([]);
  const results = await context.store.publishMany(
    application.id,
    accepted,
    context.now(),
    idempotent === undefined
      ? undefined
      : { record: idempotent.record, answer: (made) => idempotent.answer(allOutcomes(made)) },
  );
  if (accepted.length > 0) context.workQueued();
  return allOutcomes(results);
}
