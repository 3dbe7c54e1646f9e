// A test event: a message published to one endpoint alone (the dashboard's "Send a test event", Svix's
// send-example), under the same rules as any publish (the event type's schema, unknown types), so a test that
// passes proves what a real message would do. It is a message like any other: listed, retried, replayable.
import type { Message } from '../store/types.js';
import type { OperationsContext } from './context.js';
import { findEndpoint } from './endpoints.js';
import { invalidField, OperationError } from './errors.js';
import { publishMessage } from './publish.js';
import { eventTypeName } from './schemas.js';

export const testEventInSchema = {
  type: 'object',
  required: ['eventType'],
  properties: {
    eventType: eventTypeName,
    /** Absent: the event type schema's example (Svix's exampleIndex picks which), or else an empty object. */
    payload: { type: 'object' },
    exampleIndex: { type: 'integer', minimum: 0, maximum: 100 },
  },
} as const;

export interface TestEventInput {
  eventType: string;
  payload?: Record<string, unknown>;
  exampleIndex?: number;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The payload given; else the example the event type's schema offers (version 1, as Svix reads it); else {}. */
async function payloadOf(context: OperationsContext, input: TestEventInput): Promise<Record<string, unknown>> {
  if (input.payload !== undefined) return input.payload;
  const schema = (await context.store.getEventType(input.eventType))?.schemas?.['1'];
  const examples = isObject(schema) && Array.isArray(schema.examples) ? schema.examples : [];
  const example = examples[input.exampleIndex ?? 0];
  if (isObject(example)) return example;
  if (input.exampleIndex !== undefined) {
    throw invalidField(['exampleIndex'], `the event type ${input.eventType} has no example ${input.exampleIndex}`);
  }
  return {};
}

export async function sendTestEvent(
  context: OperationsContext,
  appIdOrUid: string,
  endpointIdOrUid: string,
  input: TestEventInput,
): Promise<Message> {
  const { application, endpoint } = await findEndpoint(context, appIdOrUid, endpointIdOrUid);
  // A disabled endpoint gets no delivery: say so rather than accept a test that never goes out.
  if (endpoint.disabled) {
    throw new OperationError(
      'endpoint_disabled',
      'the endpoint is disabled: enable it to send it a test event',
      'conflict',
    );
  }
  return publishMessage(
    context,
    application.id,
    { eventType: input.eventType, payload: await payloadOf(context, input) },
    (appId, message, now) => context.store.publish(appId, { ...message, onlyEndpointId: endpoint.id }, now),
  );
}
