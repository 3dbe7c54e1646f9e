// An endpoint's custom headers: read (sensitive values left out), replaced (PUT), merged (PATCH). HTTP only: the
// rules are in operations/endpoint-headers.ts.
import type { FastifyInstance } from 'fastify';
import {
  headersPatchInSchema,
  headersReplaceInSchema,
  patchEndpointHeaders,
  replaceEndpointHeaders,
} from '../../operations/endpoint-headers.js';
import { findEndpoint } from '../../operations/endpoints.js';
import type { ApiContext } from '../context.js';
import { headersOut } from '../custom-headers.js';
import { emptyResponse, endpointHeadersOutSchema } from '../schemas.js';
import { type EndpointParams, endpointParams } from './endpoints.js';

const PATH = '/api/v1/app/:appId/endpoint/:endpointId/headers';

export function endpointHeaderRoutes(app: FastifyInstance, context: ApiContext): void {
  const tags = ['Endpoint'];

  app.get<{ Params: EndpointParams }>(
    PATH,
    {
      schema: {
        tags,
        operationId: 'v1.endpoint.get-headers',
        summary: 'Get the custom headers; values of sensitive ones (Authorization, *token*, *secret* …) are not shown',
        params: endpointParams,
        response: { 200: endpointHeadersOutSchema },
      },
    },
    async (request) => {
      const { endpoint } = await findEndpoint(context, request.params.appId, request.params.endpointId);
      return headersOut(endpoint.headers);
    },
  );

  app.put<{ Params: EndpointParams; Body: { headers: Record<string, string> } }>(
    PATH,
    {
      schema: {
        tags,
        operationId: 'v1.endpoint.update-headers',
        summary: 'Replace the custom headers',
        params: endpointParams,
        body: headersReplaceInSchema,
        response: { 204: emptyResponse },
      },
    },
    async (request, reply) => {
      const { endpoint } = await findEndpoint(context, request.params.appId, request.params.endpointId);
      await replaceEndpointHeaders(context, endpoint, request.body);
      return reply.code(204).send();
    },
  );

  app.patch<{ Params: EndpointParams; Body: { headers: Record<string, string>; deleteHeaders?: string[] } }>(
    PATH,
    {
      schema: {
        tags,
        operationId: 'v1.endpoint.patch-headers',
        summary: 'Set some custom headers and remove others (deleteHeaders); names compare case-insensitively',
        params: endpointParams,
        body: headersPatchInSchema,
        response: { 204: emptyResponse },
      },
    },
    async (request, reply) => {
      const { endpoint } = await findEndpoint(context, request.params.appId, request.params.endpointId);
      await patchEndpointHeaders(context, endpoint, request.body);
      return reply.code(204).send();
    },
  );
}
