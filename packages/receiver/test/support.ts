// Test helpers for the receiver: real servers on loopback port 0, and signed Standard Webhooks requests.
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { standardWebhooks } from '@hookline/signatures';

export const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

export interface Running {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function listen(server: Server): Promise<Running> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function startNodeServer(listener: RequestListener): Promise<Running> {
  return listen(createServer(listener));
}

let counter = 0;
export function uniqueId(prefix = 'msg'): string {
  counter++;
  return `${prefix}_${process.pid}_${Date.now().toString(36)}_${counter}`;
}

export interface SignedRequest {
  body: string;
  headers: Record<string, string>;
}

/** A Standard Webhooks request as Hookline's server sends it. */
export async function signedStandard(
  payload: unknown,
  options: { id?: string; timestamp?: number; secret?: string } = {},
): Promise<SignedRequest> {
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
  const headers = await standardWebhooks.sign({
    body,
    id: options.id ?? uniqueId(),
    secret: options.secret ?? SECRET,
    ...(options.timestamp === undefined ? {} : { timestamp: options.timestamp }),
  });
  return { body, headers: { 'content-type': 'application/json', ...headers } };
}

export async function post(
  url: string,
  request: SignedRequest,
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const response = await fetch(url, { method: 'POST', body: request.body, headers: request.headers });
  const text = await response.text();
  return {
    status: response.status,
    body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>),
    headers: response.headers,
  };
}

/** A promise with its resolve exposed: lets a test hold a handler open and release it, with no timers. */
export function gate<T = void>(): { promise: Promise<T>; open(value: T): void } {
  let open!: (value: T) => void;
  const promise = new Promise<T>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

/**
 * Serves a Fetch-style handler on node:http (what @hono/node-server does), so the Web adapter is tested over
 * real HTTP. The body is handed over as a stream, unread, so the adapter's own limit applies.
 */
export function serveFetch(handler: (request: Request) => Promise<Response>): Promise<Running> {
  return startNodeServer(async (req, res) => {
    const headers = new Headers();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) for (const v of Array.isArray(value) ? value : [value]) headers.append(key, v);
    }
    const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
    const { Readable } = await import('node:stream');
    const request = new Request(`http://127.0.0.1${req.url ?? '/'}`, {
      method: req.method ?? 'GET',
      headers,
      ...(hasBody ? { body: Readable.toWeb(req) as ReadableStream<Uint8Array>, duplex: 'half' } : {}),
    } as RequestInit);
    const response = await handler(request);
    const body = Buffer.from(await response.arrayBuffer());
    const out: Record<string, string | number> = { 'content-length': body.length };
    response.headers.forEach((value, key) => {
      if (key !== 'content-length') out[key] = value;
    });
    res.writeHead(response.status, out);
    res.end(body);
  });
}
