// The operator's operational webhooks, in Svix's shape: /api/v1/operational-webhook/endpoint (list, create, get,
// update, delete, secret, rotate). Admin keys only (access-policy.ts). HTTP only: the rules are in
// operations/operational-endpoints.ts; the events themselves are operations/operational-events.ts's.
import type { FastifyInstance } from 'fastify';
import { currentSecret } from '../../operations/endpoints.js';
import {
  createOperationalEndpoint,
  deleteOperationalEndpoint,
  findOperationalEndpoint,
  listOperationalEndpoints,
  type OperationalEndpointInput,
  operationalEndpointInSchema,
  rotateOperationalEndpointSecret,
  updateOperationalEndpoint,
} from '../../operations/operational-endpoints.js';
import { OPERATIONAL_EVENT_TYPES } from '../../operations/operational-event-payloads.js';
import type { ApiContext } from '../context.js';
import {
  emptyResponse,
  endpointSecretOutSchema,
  listResponse,
  operationalEndpointOutSchema,
  pathId,
} from '../schemas.js';
import { operationalEndpointOut } from '../serialize.js';
import { listOptions, listOut, listQuerySchema } from './pagination.js';

const BASE = '/api/v1/operational-webhook/endpoint';
const endpointParams = { type: 'object', required: ['endpointId'], properties: { endpointId: pathId } } as const;
const DESCRIPTION = `Where Hookline tells the operator what happens to every application's endpoints and deliveries: ${OPERATIONAL_EVENT_TYPES.join(', ')} (Svix's operational webhooks). Each event is signed (Standard Webhooks), retried and recorded like any delivery.`;

export function operationalWebhookRoutes(app: FastifyInstance, context: ApiContext): void {
  const tags = ['Operational webhook'];

  app.get<{ Querystring: { limit?: number; iterator?: string } }>(
    BASE,
    {
      schema: {
        tags,
        operationId: 'v1.operational-webhook.endpoint.list',
        summary: 'List the operational webhook endpoints, newest first',
        description: DESCRIPTION,
        querystring: listQuerySchema,
        response: { 200: listResponse(operationalEndpointOutSchema) },
      },
    },
    async (request) => {
      const options = listOptions(request.query);
      return listOut(await listOperationalEndpoints(context, options), operationalEndpointOut, options);
    },
  );

  app.post<{ Body: OperationalEndpointInput }>(
    BASE,
    {
      schema: {
        tags,
        operationId: 'v1.operational-webhook.endpoint.create',
        summary: 'Create an operational webhook endpoint (a secret is generated unless one is given)',
        description: DESCRIPTION,
        body: operationalEndpointInSchema,
        response: { 201: operationalEndpointOutSchema },
      },
    },
    async (request, reply) =>
      reply.code(201).send(operationalEndpointOut(await createOperationalEndpoint(context, request.body))),
  );

  app.get<{ Params: { endpointId: string } }>(
    `${BASE}/:endpointId`,
    {
      schema: {
        tags,
        operationId: 'v1.operational-webhook.endpoint.get',
        summary: 'Get an operational webhook endpoint by id or uid',
        params: endpointParams,
        response: { 200: operationalEndpointOutSchema },
      },
    },
    async (request) => operationalEndpointOut(await findOperationalEndpoint(context, request.params.endpointId)),
  );

  app.put<{ Params: { endpointId: string }; Body: OperationalEndpointInput }>(
    `${BASE}/:endpointId`,
    {
      schema: {
        tags,
        operationId: 'v1.operational-webhook.endpoint.update',
        summary: 'Replace an operational webhook endpoint (its secret is rotated with …/secret/rotate)',
        params: endpointParams,
        body: operationalEndpointInSchema,
        response: { 200: operationalEndpointOutSchema },
      },
    },
    async (request) =>
      operationalEndpointOut(await updateOperationalEndpoint(context, request.params.endpointId, request.body)),
  );

  app.delete<{ Params: { endpointId: string } }>(
    `${BASE}/:endpointId`,
    {
      schema: {
        tags,
        operationId: 'v1.operational-webhook.endpoint.delete',
        summary: 'Delete an operational webhook endpoint',
        params: endpointParams,
        response: { 204: emptyResponse },
      },
    },
    async (request, reply) => {
      await deleteOperationalEndpoint(context, request.params.endpointId);
      return reply.code(204).send();
    },
  );

  app.get<{ Params: { endpointId: string } }>(
    `${BASE}/:endpointId/secret`,
    {
      schema: {
        tags,
        operationId: 'v1.operational-webhook.endpoint.get-secret',
        summary: 'Get the signing secret of an operational webhook endpoint',
        params: endpointParams,
        response: { 200: endpointSecretOutSchema },
      },
    },
    async (request) => ({
      key: await currentSecret(context, await findOperationalEndpoint(context, request.params.endpointId)),
    }),
  );

  app.post<{ Params: { endpointId: string }; Body: { key?: string | null } | null }>(
    `${BASE}/:endpointId/secret/rotate`,
    {
      schema: {
        tags,
        operationId: 'v1.operational-webhook.endpoint.rotate-secret',
        summary: 'Rotate the signing secret; the previous one keeps signing during the grace period',
        params: endpointParams,
        body: {
          type: ['object', 'null'],
          properties: { key: { type: ['string', 'null'], maxLength: 256, description: 'a whsec_ secret' } },
        },
        response: { 204: emptyResponse },
      },
    },
    async (request, reply) => {
      await rotateOperationalEndpointSecret(context, request.params.endpointId, request.body?.key);
      return reply.code(204).send();
    },
  );
}
