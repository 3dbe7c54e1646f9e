// Web-standard adapter: `Request` in, `Response` out, for Hono, Next.js route handlers, Bun, Deno and edge runtimes.
//   app.post('/webhooks', (c) => handler(c.req.raw))            // Hono
//   export const POST = (request: Request) => handler(request)   // Next.js
import { queryOf } from '../../payload.js';
import type { EventMap } from '../../types.js';
import type { Webhooks } from '../../webhooks.js';
import { readWebBody } from './read-body.js';

export interface WebHandlerOptions {
  /** The Web `Request` carries no peer address; give one (Hono's getConnInfo, a platform header) for the allowlist or rate limit. */
  getRemoteAddress?: (request: Request) => string | undefined;
}

/** What an edge runtime offers to keep work alive after the response (Cloudflare's ctx, Vercel's waitUntil). */
export interface WaitUntil {
  waitUntil(promise: Promise<unknown>): void;
}

export function createWebHandler<M extends EventMap>(webhooks: Webhooks<M>, options: WebHandlerOptions = {}) {
  return async function hooklineWeb(request: Request, context?: WaitUntil): Promise<Response> {
    const answer = await webhooks.handle({
      method: request.method,
      headers: request.headers,
      remoteAddress: options.getRemoteAddress?.(request),
      query: queryOf(request.url),
      body: (limitBytes) => readWebBody(request, limitBytes),
    });
    if (answer.background !== undefined) context?.waitUntil(answer.background);
    return new Response(answer.body, { status: answer.status, headers: answer.headers });
  };
}
