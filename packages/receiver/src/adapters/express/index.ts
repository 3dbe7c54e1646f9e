// Express adapter: `app.post('/webhooks', createExpressMiddleware(webhooks))`. Mount it before express.json(),
// or with express.raw({ type: 'application/json' }), or keep the bytes with express.json({ verify: keepRawBody }).
import type { ServerResponse } from 'node:http';
import { queryOf } from '../../payload.js';
import type { EventMap } from '../../types.js';
import type { Webhooks } from '../../webhooks.js';
import { sendNodeResponse } from '../node/send-response.js';
import { type ExpressRequestLike, readExpressBody } from './raw-body.js';

export function createExpressMiddleware<M extends EventMap>(webhooks: Webhooks<M>) {
  return function hooklineExpress(
    request: ExpressRequestLike,
    response: ServerResponse,
    next: (error?: unknown) => void,
  ): void {
    webhooks
      .handle({
        method: request.method ?? 'GET',
        headers: request.headers,
        remoteAddress: request.socket.remoteAddress,
        query: queryOf(request.url),
        body: (limitBytes) => readExpressBody(request, limitBytes),
      })
      .then((answer) => sendNodeResponse(request, response, answer, webhooks.maxBodyBytes), next);
  };
}
