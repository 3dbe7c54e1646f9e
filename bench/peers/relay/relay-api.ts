// The HTTP side shared by the relay-shaped peers (this relay, peers/durable-relay): the harness's routes, the
// signed request out, and the ready line. What differs between them is only where an accepted event waits before it
// is sent (memory, or a durable queue), so a peer's server.ts holds that and nothing else.
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What a peer does with the harness's requests. */
export interface RelayQueue {
  /** POST /pause and /resume: stop or start sending (the drain rate's fill, then release). */
  setPaused(paused: boolean): void;
  /** Sends that failed so far, answered to /pause and /resume. */
  failed(): number;
  /** An accepted event, one delivery per path; `accepted()` answers the publish 202 (at once, or once it is kept). */
  accept(id: string, paths: readonly string[], body: string, accepted: () => void): void;
}

/** Standard Webhooks headers for one delivery: HMAC-SHA256 of `id.timestamp.body` with the endpoint's key. */
export function signedHeaders(key: Buffer, id: string, body: string): Record<string, string> {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest('base64');
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': timestamp,
    'webhook-signature': `v1,${signature}`,
  };
}

function answer(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

/**
 * Listens on loopback and prints {"ready":true,"url":...}. Routes: POST /pause, /resume; POST /run/{id} with the
 * run's endpoint paths; POST /run/{id}/msg with an event (read and parsed, as a JSON API must).
 */
export function serveRelayApi(queue: RelayQueue): Server {
  /** Endpoint paths on the receiver per run id, set by POST /run/{id} before the run. */
  const pathsOf = new Map<string, readonly string[]>();
  const server = createServer(async (request, response) => {
    const url = request.url ?? '/';
    const text = await readBody(request);
    if (url === '/pause' || url === '/resume') {
      const paused = url === '/pause';
      queue.setPaused(paused);
      return answer(response, 200, { paused, failed: queue.failed() });
    }
    const run = /^\/run\/([^/]+)(\/msg)?$/.exec(url);
    const runId = run?.[1];
    if (request.method !== 'POST' || runId === undefined) return answer(response, 404, { code: 'not_found' });
    if (run?.[2] === undefined) {
      pathsOf.set(runId, JSON.parse(text) as string[]);
      return answer(response, 200, { runId });
    }
    const paths = pathsOf.get(runId);
    const event = JSON.parse(text) as { eventType?: unknown; eventId?: unknown; payload?: unknown };
    if (paths === undefined || typeof event.eventId !== 'string' || typeof event.payload !== 'object') {
      return answer(response, 422, { code: 'validation' });
    }
    const id = `msg_${event.eventId}`;
    queue.accept(id, paths, JSON.stringify(event.payload), () =>
      answer(response, 202, {
        id,
        eventId: event.eventId,
        eventType: event.eventType,
        timestamp: new Date().toISOString(),
      }),
    );
  });
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as AddressInfo;
    console.log(JSON.stringify({ ready: true, url: `http://127.0.0.1:${port}` }));
  });
  return server;
}
