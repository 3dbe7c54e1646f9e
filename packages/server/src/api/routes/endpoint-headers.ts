// An endpoint's custom headers: read (sensitive values left out), replaced (PUT), merged (PATCH).
import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context.js';
import { checkCustomHeaders, headersIn, headersOut, mergeHeaders } from '../custom-headers.js';
import { notFound } from '../http-error.js';
import { emptyResponse, endpointHeadersOutSchema } from '../schemas.js';
import { type EndpointParams, endpointParams, loadEndpoint } from './endpoints.js';

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
      const { endpoint } = await loadEndpoint(context, request.params.appId, request.params.endpointId);
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
        body: { type: 'object', required: ['headers'], properties: { headers: headersIn } },
        response: { 204: emptyResponse },
      },
    },
    async (request, reply) => {
      const { application, endpoint } = await loadEndpoint(context, request.params.appId, request.params.endpointId);
      const headers = checkCustomHeaders(request.body.headers);
      const updated = await context.store.updateEndpoint(application.id, endpoint.id, { headers }, context.now());
      if (updated === null) throw notFound('endpoint');
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
        body: {
          type: 'object',
          required: ['headers'],
          properties: {
            headers: headersIn,
            deleteHeaders: { type: 'array', maxItems: 64, items: { type: 'string', maxLength: 256 } },
          },
        },
        response: { 204: emptyResponse },
      },
    },
    async (request, reply) => {
      const { application, endpoint } = await loadEndpoint(context, request.params.appId, request.params.endpointId);
      const set = checkCustomHeaders(request.body.headers);
      const headers = mergeHeaders(endpoint.headers, set, request.body.deleteHeaders ?? []);
      const updated = await context.store.updateEndpoint(application.id, endpoint.id, { headers }, context.now());
      if (updated === null) throw notFound('endpoint');
      return reply.code(204).send();
    },
  );
}
