// node:http adapter: `http.createServer(createNodeMiddleware(webhooks))`, or as a connect-style middleware.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { NotFoundError } from '../../errors.js';
import { HANDLE_NOW } from '../../receive.js';
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
/**
 * The body's length as node's parser enforces it: a Content-Length node accepted is the exact number of body bytes
 * (it refuses one beside Transfer-Encoding, or a malformed one, before the request is seen).
 */
function declaredLength(header: string | undefined): number | undefined {
  if (header === undefined) return undefined;
  const length = Number(header);
  return Number.isSafeInteger(length) && length >= 0 ? length : undefined;
}

/** What the middleware returns for a request answered before it returned: one settled promise for all of them. */
const ANSWERED: Promise<boolean> = Promise.resolve(true);

export function createNodeMiddleware<M extends EventMap>(webhooks: Webhooks<M>, options: NodeMiddlewareOptions = {}) {
  const path = options.path ?? '/webhooks';
  const maxBodyBytes = webhooks.maxBodyBytes;
  return function hooklineMiddleware(
    request: IncomingMessage,
    response: ServerResponse,
    next?: () => void,
  ): Promise<boolean> {
    const url = request.url ?? '/';
    const question = url.indexOf('?');
    if ((question < 0 ? url : url.slice(0, question)) !== path) {
      if (next !== undefined) {
        next();
        return Promise.resolve(false);
      }
      sendNodeResponse(request, response, errorResponse(new NotFoundError()), maxBodyBytes);
      return Promise.resolve(true);
    }
    const headers = request.headers;
    let answeredAtOnce = false;
    let answeredLater: ((answered: boolean) => void) | undefined;
    webhooks[HANDLE_NOW](
      {
        method: request.method ?? 'GET',
        headers,
        remoteAddress: request.socket.remoteAddress,
        query: question < 0 ? '' : url.slice(question + 1),
        body: (limitBytes) => readNodeBody(request, limitBytes, declaredLength(headers['content-length'])),
      },
      (answer) => {
        sendNodeResponse(request, response, answer, maxBodyBytes);
        if (answeredLater === undefined) answeredAtOnce = true;
        else answeredLater(true);
      },
    );
    return answeredAtOnce ? ANSWERED : new Promise((resolve) => (answeredLater = resolve));
  };
}
