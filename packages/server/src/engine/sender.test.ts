import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESPONSE_BODY_LIMIT_BYTES, SendCancellation, sendWebhook } from './sender.js';

type Route = (request: IncomingMessage, response: ServerResponse) => void;

const routes: Record<string, Route> = {
  '/ok': (request, response) => {
    let received = '';
    request.on('data', (chunk: Buffer) => {
      received += chunk.toString();
    });
    request.on('end', () => {
      response.writeHead(429, { 'Retry-After': '7', 'content-type': 'text/plain' });
      response.end(`got ${received} with ${request.headers['webhook-id']}`);
    });
  },
  // Writes until the client goes away: the sender must stop reading at the log's limit, not wait for a timeout.
  '/endless': (_request, response) => {
    response.writeHead(200, { 'content-type': 'text/plain' });
    const chunk = 'x'.repeat(1024);
    const write = () => {
      while (!response.destroyed && response.write(chunk)) {}
      if (!response.destroyed) response.once('drain', write);
    };
    write();
  },
  '/silent': () => {},
  '/headers-then-silence': (_request, response) => {
    response.writeHead(200, { 'content-type': 'text/plain' });
    response.write('partial');
  },
};

let server: Server;
let base: string;
const dispatcher = new Agent();

beforeAll(async () => {
  server = createServer((request, response) => {
    const route = routes[request.url ?? ''];
    if (route === undefined) {
      response.writeHead(404).end();
      return;
    }
    route(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await dispatcher.destroy();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const post = (path: string, extra: { timeoutMs?: number; cancellation?: SendCancellation } = {}) =>
  sendWebhook(dispatcher, {
    url: `${base}${path}`,
    headers: { 'content-type': 'application/json', 'webhook-id': 'msg_1' },
    body: '{"a":1}',
    timeoutMs: extra.timeoutMs ?? 10_000,
    ...(extra.cancellation === undefined ? {} : { cancellation: extra.cancellation }),
  });

describe('sendWebhook', () => {
  it('returns the status, the Retry-After header and the answer, having sent the body and headers', async () => {
    const result = await post('/ok');
    expect(result).toMatchObject({
      statusCode: 429,
      retryAfter: '7',
      responseBody: 'got {"a":1} with msg_1',
      error: null,
    });
  });

  it('keeps the first 8 KiB of an endless answer and settles without waiting for the timeout', async () => {
    const result = await post('/endless', { timeoutMs: 60_000 });
    expect(result.statusCode).toBe(200);
    expect(result.error).toBeNull();
    expect(result.responseBody).toBe('x'.repeat(RESPONSE_BODY_LIMIT_BYTES));
  });

  it('a request with no answer in time is a TIMEOUT failure', async () => {
    const result = await post('/silent', { timeoutMs: 200 });
    expect(result.statusCode).toBeNull();
    expect(result.error).toBe('TIMEOUT: no complete answer within 200 ms');
  });

  it('a body cut off by the timeout keeps the status, with no body logged', async () => {
    // The timeout must come after the headers: generous, for a loaded machine (the test takes that long).
    const result = await post('/headers-then-silence', { timeoutMs: 2_000 });
    expect(result).toMatchObject({ statusCode: 200, responseBody: '', error: null });
  });

  it('a refused connection is a failure naming its code', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const result = await sendWebhook(dispatcher, {
      url: `http://127.0.0.1:${port}/`,
      headers: {},
      body: '{}',
      timeoutMs: 5_000,
    });
    expect(result.statusCode).toBeNull();
    expect(result.error).toMatch(/^ECONNREFUSED: /);
  });

  it('a cancellation ends a send in flight at once, and one cancelled before sends nothing', async () => {
    const cancellation = new SendCancellation();
    const pending = post('/silent', { timeoutMs: 60_000, cancellation });
    // Cancelled while the request waits for an answer: it settles long before the minute's timeout.
    setTimeout(() => cancellation.abort(), 50);
    const result = await pending;
    expect(cancellation.aborted).toBe(true);
    expect(result.statusCode).toBeNull();
    expect(result.error).toMatch(/^HOOKLINE_SEND_CANCELLED: /);
    const again = await post('/ok', { cancellation });
    expect(again.error).toMatch(/^HOOKLINE_SEND_CANCELLED: /);
  });

  it('a URL undici cannot send to is a failure, not a throw', async () => {
    const result = await sendWebhook(dispatcher, { url: 'httpx://nowhere/', headers: {}, body: '{}', timeoutMs: 1000 });
    expect(result.statusCode).toBeNull();
    expect(result.error).not.toBeNull();
  });
});
