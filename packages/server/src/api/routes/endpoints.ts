// Endpoints of an application: CRUD (put replaces), and the signing secret. Headers and stats live beside this
// file (endpoint-headers.ts, endpoint-stats.ts). HTTP only: the rules are in operations/endpoints.ts.
import type { FastifyInstance } from 'fastify';
import { findApplication } from '../../operations/applications.js';
import { type EndpointInput, endpointInSchema, endpointPatchInSchema } from '../../operations/endpoint-input.js';
import {
  createEndpoint,
  currentSecret,
  deleteEndpoint,
  findEndpoint,
  patchEndpoint,
  replaceEndpoint,
  rotateEndpointSecret,
} from '../../operations/endpoints.js';
import { KEY_TYPES, type KeyType } from '../../operations/signing-keys.js';
import type { ApiContext } from '../context.js';
import { emptyResponse, endpointOutSchema, endpointSecretOutSchema, listResponse, pathId } from '../schemas.js';
import { endpointOut } from '../serialize.js';
import { listOptions, listOut, listQuerySchema } from './pagination.js';

export const endpointParams = {
  type: 'object',
  required: ['appId', 'endpointId'],
  properties: { appId: pathId, endpointId: pathId },
} as const;
const appParams = { type: 'object', required: ['appId'], properties: { appId: pathId } } as const;

export interface EndpointParams {
  appId: string;
  endpointId: string;
}

export function endpointRoutes(app: FastifyInstance, context: ApiContext): void {
  const tags = ['Endpoint'];

  app.get<{ Params: { appId: string }; Querystring: { limit?: number; iterator?: string } }>(
    '/api/v1/app/:appId/endpoint',
    {
      schema: {
        tags,
        operationId: 'v1.endpoint.list',
        summary: "List an application's endpoints, newest first",
        params: appParams,
        querystring: listQuerySchema,
        response: { 200: listResponse(endpointOutSchema) },
      },
    },
    async (request) => {
      const application = await findApplication(context, request.params.appId);
      const options = listOptions(request.query);
      return listOut(await context.store.listEndpoints(application.id, options), endpointOut, options);
    },
  );

  app.post<{ Params: { appId: string }; Body: EndpointInput }>(
    '/api/v1/app/:appId/endpoint',
    {
      schema: {
        tags,
        operationId: 'v1.endpoint.create',
        summary: 'Create an endpoint (a secret is generated unless one is given)',
        params: appParams,
        body: endpointInSchema,
        response: { 201: endpointOutSchema },
      },
    },
    async (request, reply) => {
      const { endpoint } = await createEndpoint(context, request.params.appId, request.body);
      return reply.code(201).send(endpointOut(endpoint));
    },
  );

  app.get<{ Params: EndpointParams }>(
    '/api/v1/app/:appId/endpoint/:endpointId',
    {
      schema: {
        tags,
        operationId: 'v1.endpoint.get',
        summary: 'Get an endpoint by id or uid',
        params: endpointParams,
        response: { 200: endpointOutSchema },
      },
    },
    async (request) => {
      const { appId, endpointId } = request.params;
      return endpointOut((await findEndpoint(context, appId, endpointId)).endpoint);
    },
  );

  app.put<{ Params: EndpointParams; Body: EndpointInput }>(
    '/api/v1/app/:appId/endpoint/:endpointId',
    {
      schema: {
        tags,
        operationId: 'v1.endpoint.update',
        summary: 'Replace an endpoint; creates it (with the path as its uid) when there is none',
        params: endpointParams,
        body: endpointInSchema,
        response: { 200: endpointOutSchema, 201: endpointOutSchema },
      },
    },
    async (request, reply) => {
      const { appId, endpointId } = request.params;
      const { endpoint, created } = await replaceEndpoint(context, appId, endpointId, request.body);
      return reply.code(created ? 201 : 200).send(endpointOut(endpoint));
    },
  );

  app.patch<{ Params: EndpointParams; Body: EndpointInput }>(
    '/api/v1/app/:appId/endpoint/:endpointId',
    {
      schema: {
        tags,
        operationId: 'v1.endpoint.patch',
        summary: 'Change some fields of an endpoint (a secret given here becomes the current one)',
        params: endpointParams,
        body: endpointPatchInSchema,
        response: { 200: endpointOutSchema },
      },
    },
    async (request) => {
      const { appId, endpointId } = request.params;
      return endpointOut(await patchEndpoint(context, appId, endpointId, request.body));
    },
  );

  app.delete<{ Params: EndpointParams }>(
    '/api/v1/app/:appId/endpoint/:endpointId',
    {
      schema: {
        tags,
        operationId: 'v1.endpoint.delete',
        summary: 'Delete an endpoint with its deliveries and attempts',
        params: endpointParams,
        response: { 204: emptyResponse },
      },
    },
    async (request, reply) => {
      await deleteEndpoint(context, request.params.appId, request.params.endpointId);
      return reply.code(204).send();
    },
  );

  app.get<{ Params: EndpointParams }>(
    '/api/v1/app/:appId/endpoint/:endpointId/secret',
    {
      schema: {
        tags,
        operationId: 'v1.endpoint.get-secret',
        summary:
          'Get the current signing secret (for an Ed25519 key: its whpk_ public key, what receivers verify with)',
        params: endpointParams,
        response: { 200: endpointSecretOutSchema },
      },
    },
    async (request) => {
      const { endpoint } = await findEndpoint(context, request.params.appId, request.params.endpointId);
      return { key: await currentSecret(context, endpoint) };
    },
  );

  app.post<{ Params: EndpointParams; Body: { key?: string | null; keyType?: KeyType } | null }>(
    '/api/v1/app/:appId/endpoint/:endpointId/secret/rotate',
    {
      schema: {
        tags,
        operationId: 'v1.endpoint.rotate-secret',
        summary: 'Rotate the signing key; the previous one keeps signing during the grace period',
        params: endpointParams,
        body: {
          type: ['object', 'null'],
          properties: {
            key: {
              type: ['string', 'null'],
              maxLength: 256,
              description: 'a whsec_ secret or a whsk_ Ed25519 secret key; absent: one is generated, of keyType',
            },
            keyType: { type: 'string', enum: KEY_TYPES, description: 'hmac (whsec_, default) or ed25519 (whsk_)' },
          },
        },
        response: { 204: emptyResponse },
      },
    },
    async (request, reply) => {
      const { endpoint } = await findEndpoint(context, request.params.appId, request.params.endpointId);
      await rotateEndpointSecret(context, endpoint, request.body?.key, request.body?.keyType);
      return reply.code(204).send();
    },
  );
}
