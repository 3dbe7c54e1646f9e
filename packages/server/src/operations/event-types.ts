// Event types: what an event type input may say (each schema version a JSON Schema ajv compiles), and create,
// replace (PUT: creates when missing), patch, and delete (archive; expunge removes).
import type { EventTypePatch } from '../store/store.js';
import type { EventType } from '../store/types.js';
import type { OperationsContext } from './context.js';
import { notFound, OperationError, refusingDuplicates } from './errors.js';
import { checkSchemas, InvalidSchemaError } from './payload-validation.js';
import { eventTypeName } from './schemas.js';

const schemasIn = {
  type: ['object', 'null'],
  maxProperties: 100,
  additionalProperties: { type: 'object' },
  description: 'JSON Schema of the payload per version: {"1": {...}}; payloads are validated against the highest',
} as const;

const eventTypeFields = {
  description: { type: 'string', maxLength: 4096 },
  schemas: schemasIn,
  archived: { type: 'boolean' },
  deprecated: { type: 'boolean' },
  featureFlag: { type: ['string', 'null'], maxLength: 256, pattern: '^[a-zA-Z0-9\\-_.]+$' },
  featureFlags: { type: ['array', 'null'], maxItems: 1, items: { type: 'string', maxLength: 256 } },
  groupName: { type: ['string', 'null'], maxLength: 256, pattern: '^[a-zA-Z0-9\\-_.]+$' },
} as const;

export const eventTypeInSchema = {
  type: 'object',
  required: ['name', 'description'],
  properties: { name: eventTypeName, ...eventTypeFields },
} as const;
export const eventTypeUpdateInSchema = {
  type: 'object',
  required: ['description'],
  properties: eventTypeFields,
} as const;
export const eventTypePatchInSchema = { type: 'object', properties: eventTypeFields } as const;

/** An event type as callers describe it (Svix's EventTypeIn); it has passed its schema. */
export interface EventTypeInput {
  name?: string;
  description?: string;
  schemas?: Record<string, unknown> | null;
  archived?: boolean;
  deprecated?: boolean;
  featureFlag?: string | null;
  /** Svix's newer form of featureFlag: a list of at most one. */
  featureFlags?: string[] | null;
  groupName?: string | null;
}

function toPatch(input: EventTypeInput): EventTypePatch {
  if (input.schemas !== undefined && input.schemas !== null) {
    try {
      checkSchemas(input.schemas);
    } catch (error) {
      if (error instanceof InvalidSchemaError) throw new OperationError('invalid_schema', error.message, 'invalid');
      throw error;
    }
  }
  const patch: EventTypePatch = {};
  if (input.description !== undefined) patch.description = input.description;
  if (input.schemas !== undefined) patch.schemas = input.schemas;
  if (input.archived !== undefined) patch.archived = input.archived;
  if (input.deprecated !== undefined) patch.deprecated = input.deprecated;
  const flag = input.featureFlag !== undefined ? input.featureFlag : input.featureFlags?.[0];
  if (flag !== undefined) patch.featureFlag = flag;
  if (input.groupName !== undefined) patch.groupName = input.groupName;
  return patch;
}

export async function findEventType(context: OperationsContext, name: string): Promise<EventType> {
  const found = await context.store.getEventType(name);
  if (found === null) throw notFound('event type');
  return found;
}

/** Refused (conflict) when the name exists, archived or not. */
export function createEventType(context: OperationsContext, input: EventTypeInput): Promise<EventType> {
  const patch = toPatch(input);
  return refusingDuplicates(() =>
    context.store.createEventType({ ...patch, name: input.name as string }, context.now()),
  );
}

/** PUT: the input replaces the event type (what it leaves out goes back to its default); creates it when missing. */
export async function replaceEventType(
  context: OperationsContext,
  name: string,
  input: EventTypeInput,
): Promise<{ eventType: EventType; created: boolean }> {
  const patch = toPatch(input);
  const full: EventTypePatch = {
    description: patch.description ?? '',
    schemas: patch.schemas ?? null,
    archived: patch.archived ?? false,
    deprecated: patch.deprecated ?? false,
    featureFlag: patch.featureFlag ?? null,
    groupName: patch.groupName ?? null,
  };
  const updated = await context.store.updateEventType(name, full, context.now());
  if (updated !== null) return { eventType: updated, created: false };
  const created = await refusingDuplicates(() => context.store.createEventType({ ...full, name }, context.now()));
  return { eventType: created, created: true };
}

export async function patchEventType(
  context: OperationsContext,
  name: string,
  input: EventTypeInput,
): Promise<EventType> {
  const updated = await context.store.updateEventType(name, toPatch(input), context.now());
  if (updated === null) throw notFound('event type');
  return updated;
}

/** Archives the event type (publishing it still works, as in Svix); with expunge, removes it. */
export async function deleteEventType(
  context: OperationsContext,
  name: string,
  options: { expunge: boolean },
): Promise<void> {
  if (!(await context.store.deleteEventType(name, options, context.now()))) throw notFound('event type');
}
