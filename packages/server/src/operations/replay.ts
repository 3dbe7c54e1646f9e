// Replay: send a message to one endpoint again (a manual attempt), or recover every dead delivery of an endpoint
// created in a time window. The deliveries are queued again; the engine sends them.
import { parseInstant } from '../input/instant.js';
import type { OperationsContext } from './context.js';
import { findEndpoint } from './endpoints.js';
import { conflict, invalidField, notFound, payloadExpired } from './errors.js';
import { findMessage } from './messages.js';

export const recoverInSchema = {
  type: 'object',
  required: ['since'],
  properties: {
    since: { type: 'string', format: 'date-time' },
    until: { type: ['string', 'null'], format: 'date-time' },
  },
} as const;

export interface RecoverInput {
  since: string;
  /** Exclusive; absent or null: now. */
  until?: string | null;
}

/** Queues a manual attempt of the message to the endpoint; refused while that delivery is being sent. */
export async function resendMessage(
  context: OperationsContext,
  appIdOrUid: string,
  messageIdOrEventId: string,
  endpointIdOrUid: string,
): Promise<void> {
  const { application, message } = await findMessage(context, appIdOrUid, messageIdOrEventId);
  const endpoint = await context.store.getEndpoint(application.id, endpointIdOrUid);
  if (endpoint === null) throw notFound('endpoint');
  if (message.payloadPrunedAt !== null) throw payloadExpired(message.id);
  const queued = await context.store.resend(application.id, message.id, endpoint.id, context.now());
  if (!queued) {
    // The pruner may have taken the payload between the read above and the resend (which requeues only kept ones).
    const now = await context.store.getMessage(application.id, message.id);
    if (now === null || now.payloadPrunedAt !== null) throw payloadExpired(message.id);
    throw conflict('this message has no delivery to this endpoint that can be resent now');
  }
  context.workQueued();
}

function timeOf(value: string, field: string): number {
  const at = parseInstant(value);
  if (at === null) throw invalidField([field], 'not a date-time');
  return at;
}

/** Queues every dead delivery of the endpoint created in [since, until) again; answers how many. */
export async function recoverEndpoint(
  context: OperationsContext,
  appIdOrUid: string,
  endpointIdOrUid: string,
  input: RecoverInput,
): Promise<{ recovered: number; at: number }> {
  const { application, endpoint } = await findEndpoint(context, appIdOrUid, endpointIdOrUid);
  const now = context.now();
  const since = timeOf(input.since, 'since');
  const until = input.until === undefined || input.until === null ? now + 1 : timeOf(input.until, 'until');
  const recovered = await context.store.recoverEndpoint(application.id, endpoint.id, since, until, now);
  context.workQueued();
  return { recovered, at: now };
}
