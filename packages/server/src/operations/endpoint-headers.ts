// An endpoint's custom headers: which names and values are allowed, how a patch merges (names compare
// case-insensitively), and the operations that replace or merge them.
import { HEADER_NAME, HEADER_VALUE, isReservedHeader } from '../engine/delivery-headers.js';
import type { Endpoint } from '../store/types.js';
import type { OperationsContext } from './context.js';
import { invalidField, notFound, OperationError } from './errors.js';
import { endpointChanged } from './operational-events.js';

export const MAX_CUSTOM_HEADERS = 64;

export const headersInSchema = {
  type: 'object',
  maxProperties: MAX_CUSTOM_HEADERS,
  propertyNames: { pattern: HEADER_NAME.source },
  additionalProperties: { type: 'string', maxLength: 4096, pattern: HEADER_VALUE.source },
} as const;

export const headersReplaceInSchema = {
  type: 'object',
  required: ['headers'],
  properties: { headers: headersInSchema },
} as const;

export const headersPatchInSchema = {
  type: 'object',
  required: ['headers'],
  properties: {
    headers: headersInSchema,
    deleteHeaders: { type: 'array', maxItems: 64, items: { type: 'string', maxLength: 256 } },
  },
} as const;

/** Refuses names the engine would never send (signature headers, framing) instead of dropping them silently. */
export function checkCustomHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  for (const name of Object.keys(headers)) {
    if (isReservedHeader(name)) {
      throw new OperationError(
        'reserved_header',
        `${name} is set by Hookline and cannot be a custom header`,
        'invalid',
      );
    }
  }
  return { ...headers };
}

export function mergeHeaders(
  current: Readonly<Record<string, string>>,
  set: Readonly<Record<string, string>>,
  remove: readonly string[],
): Record<string, string> {
  const dropped = new Set([...Object.keys(set), ...remove].map((name) => name.toLowerCase()));
  const merged: Record<string, string> = {};
  for (const [name, value] of Object.entries(current)) {
    if (!dropped.has(name.toLowerCase())) merged[name] = value;
  }
  const result = { ...merged, ...set };
  if (Object.keys(result).length > MAX_CUSTOM_HEADERS) {
    throw invalidField(['headers'], `an endpoint has at most ${MAX_CUSTOM_HEADERS} custom headers`);
  }
  return result;
}

/** PUT: the endpoint's custom headers become exactly these. */
export async function replaceEndpointHeaders(
  context: OperationsContext,
  endpoint: Endpoint,
  input: { headers: Record<string, string> },
): Promise<void> {
  const headers = checkCustomHeaders(input.headers);
  const updated = await context.store.updateEndpoint(endpoint.appId, endpoint.id, { headers }, context.now());
  if (updated === null) throw notFound('endpoint');
  await endpointChanged(context, 'endpoint.updated', updated);
}

/** PATCH: sets some headers and removes others (deleteHeaders). */
export async function patchEndpointHeaders(
  context: OperationsContext,
  endpoint: Endpoint,
  input: { headers: Record<string, string>; deleteHeaders?: string[] },
): Promise<void> {
  const headers = mergeHeaders(endpoint.headers, checkCustomHeaders(input.headers), input.deleteHeaders ?? []);
  const updated = await context.store.updateEndpoint(endpoint.appId, endpoint.id, { headers }, context.now());
  if (updated === null) throw notFound('endpoint');
  await endpointChanged(context, 'endpoint.updated', updated);
}
