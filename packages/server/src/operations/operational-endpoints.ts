// The operator's operational webhooks: endpoints of the operational application (operational-events.ts), managed
// in Svix's shape (/api/v1/operational-webhook/endpoint) and from the configuration (delivery.operationalWebhookUrl
// and Secret, kept working as the endpoint with uid CONFIGURED_ENDPOINT_UID).
import type { ListOptions, Page } from '../store/store.js';
import type { Endpoint } from '../store/types.js';
import type { OperationsContext } from './context.js';
import type { EndpointInput } from './endpoint-input.js';
import {
  createEndpoint,
  deleteEndpoint,
  findEndpoint,
  patchEndpoint,
  replaceEndpoint,
  rotateEndpointSecret,
} from './endpoints.js';
import { conflict, invalidField } from './errors.js';
import { OPERATIONAL_EVENT_TYPES } from './operational-event-payloads.js';
import { ensureOperationalApplication, OPERATIONAL_APP_UID } from './operational-events.js';
import { stringMap, uidSchema } from './schemas.js';

/** The endpoint the configuration's operationalWebhookUrl becomes. */
export const CONFIGURED_ENDPOINT_UID = 'configured';

const rate = { type: ['integer', 'null'], minimum: 1, maximum: 100000 } as const;
const operationalEndpointFields = {
  url: { type: 'string', minLength: 1, maxLength: 2048 },
  description: { type: 'string', maxLength: 1024 },
  uid: uidSchema,
  disabled: { type: 'boolean' },
  filterTypes: {
    type: ['array', 'null'],
    maxItems: OPERATIONAL_EVENT_TYPES.length,
    items: { type: 'string', enum: OPERATIONAL_EVENT_TYPES },
  },
  throttleRate: rate,
  rateLimit: rate,
  metadata: stringMap,
  secret: { type: ['string', 'null'], minLength: 1, maxLength: 256 },
} as const;

/** Svix's OperationalWebhookEndpointIn (and its Update, which has no secret: a secret there is refused). */
export const operationalEndpointInSchema = {
  type: 'object',
  required: ['url'],
  properties: operationalEndpointFields,
} as const;

/** An operational endpoint as callers describe it; it has passed operationalEndpointInSchema. */
export interface OperationalEndpointInput {
  url: string;
  description?: string;
  uid?: string | null;
  disabled?: boolean;
  filterTypes?: string[] | null;
  throttleRate?: number | null;
  rateLimit?: number | null;
  metadata?: Record<string, string>;
  secret?: string | null;
}

async function operationalAppId(context: OperationsContext): Promise<string> {
  return (await ensureOperationalApplication(context.store, context.now())).id;
}

/** The endpoint input these fields make: signed with Standard Webhooks, JSON, as Svix's operational webhooks. */
function endpointInputOf(input: OperationalEndpointInput): EndpointInput {
  const { filterTypes, ...rest } = input;
  return { ...rest, ...(filterTypes === undefined ? {} : { eventTypes: filterTypes }) };
}

/** Newest first; none (and no operational application made) before the first is created. */
export async function listOperationalEndpoints(
  context: OperationsContext,
  options: ListOptions,
): Promise<Page<Endpoint>> {
  const application = await context.store.getApplication(OPERATIONAL_APP_UID);
  if (application === null) return { data: [], iterator: null, done: true };
  return context.store.listEndpoints(application.id, options);
}

export async function createOperationalEndpoint(
  context: OperationsContext,
  input: OperationalEndpointInput,
): Promise<Endpoint> {
  return (await createEndpoint(context, await operationalAppId(context), endpointInputOf(input))).endpoint;
}

export async function findOperationalEndpoint(context: OperationsContext, idOrUid: string): Promise<Endpoint> {
  return (await findEndpoint(context, await operationalAppId(context), idOrUid)).endpoint;
}

/** PUT (Svix's update): the fields given replace the endpoint's; it must exist. */
export async function updateOperationalEndpoint(
  context: OperationsContext,
  idOrUid: string,
  input: OperationalEndpointInput,
): Promise<Endpoint> {
  if (input.secret !== undefined) throw invalidField(['secret'], 'rotate the secret with POST …/secret/rotate');
  const appId = await operationalAppId(context);
  const existing = await findEndpoint(context, appId, idOrUid);
  return (await replaceEndpoint(context, appId, existing.endpoint.id, endpointInputOf(input))).endpoint;
}

export async function deleteOperationalEndpoint(context: OperationsContext, idOrUid: string): Promise<void> {
  await deleteEndpoint(context, await operationalAppId(context), idOrUid);
}

export async function rotateOperationalEndpointSecret(
  context: OperationsContext,
  idOrUid: string,
  key: string | null | undefined,
): Promise<void> {
  await rotateEndpointSecret(context, await findOperationalEndpoint(context, idOrUid), key);
}

/**
 * The configuration's operational webhook (URL and secret) as the operational endpoint CONFIGURED_ENDPOINT_UID:
 * created at the first start, moved to a changed URL, and made to sign with a changed secret (the previous one
 * keeps signing for the rotation grace). Several processes starting at once: the first creation wins.
 */
export async function applyConfiguredOperationalWebhook(
  context: OperationsContext,
  url: string,
  secret: string,
): Promise<void> {
  const appId = await operationalAppId(context);
  const existing = await context.store.getEndpoint(appId, CONFIGURED_ENDPOINT_UID);
  if (existing === null) {
    try {
      await createEndpoint(context, appId, {
        url,
        secret,
        uid: CONFIGURED_ENDPOINT_UID,
        description: 'from the configuration (delivery.operationalWebhookUrl)',
      });
    } catch (error) {
      if ((error as { code?: unknown }).code !== conflict('').code) throw error;
    }
    return;
  }
  if (existing.url !== new URL(url).toString()) await patchEndpoint(context, appId, existing.id, { url });
  const [current] = await context.store.activeSecrets(existing.id, context.now());
  if (current?.secret !== secret) await rotateEndpointSecret(context, existing, secret);
}
