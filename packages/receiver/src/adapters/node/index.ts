// node:http adapter: `http.createServer(createNodeMiddleware(webhooks))`, or as a connect-style middleware.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { NotFoundError } from '../../errors.js';
import { errorResponse } from '../../respond.js';
import type { EventMap } from '../../types.js';
import type { Webhooks } from '../../webhooks.js';
import { readNodeBody } from './read-body.js';
import { sendNodeResponse } from './send-response.js';

export interface NodeMiddlewareOptions {
  /** The URL path webhooks are sent to (the query string is not part of it). Default `/webhooks`. */
  path?: string;
}

/**
 * Returns `(req, res, next?)`. A request to another path goes to `next` when given, or gets a JSON 404. Resolves
 * true when it answered the request.
 */
export function createNodeMiddleware<M extends EventMap>(webhooks: Webhooks<M>, options: NodeMiddlewareOptions = {}) {
  const path = options.path ?? '/webhooks';
  return async function hooklineMiddleware(
    request: IncomingMessage,
    response: ServerResponse,
    next?: () => void,
  ): Promise<boolean> {
    const url = request.url ?? '/';
    const question = url.indexOf('?');
    if ((question < 0 ? url : url.slice(0, question)) !== path) {
      if (next !== undefined) {
        next();
        return false;
      }
      sendNodeResponse(request, response, errorResponse(new NotFoundError()), webhooks.maxBodyBytes);
      return true;
    }
    const answer = await webhooks.handle({
      method: request.method ?? 'GET',
      headers: request.headers,
      remoteAddress: request.socket.remoteAddress,
      query: question < 0 ? '' : url.slice(question + 1),
      body: (limitBytes) => readNodeBody(request, limitBytes),
    });
    sendNodeResponse(request, response, answer, webhooks.maxBodyBytes);
    return true;
  };
}
