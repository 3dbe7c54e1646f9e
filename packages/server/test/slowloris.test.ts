// Slowloris: clients that hold sockets by sending their request a byte at a time, or nothing at all. Each test waits
// for the server to close the socket (a condition, bounded by the test's timeout): with Node's defaults (60 s for
// the headers, checked every 30 s; none for an idle socket) it never did within a test's time.
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHookline, type TestHookline } from './support/hookline.js';

interface Held {
  socket: Socket;
  /** Everything the server wrote, once it closed the socket. */
  closed: Promise<string>;
}

async function open(url: string): Promise<Held> {
  const { hostname, port } = new URL(url);
  const socket = connect({ host: hostname, port: Number(port) });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  let received = '';
  socket.on('data', (chunk: Buffer) => {
    received += chunk.toString();
  });
  const closed = new Promise<string>((resolve) => {
    socket.once('close', () => resolve(received));
    socket.on('error', () => undefined);
  });
  return { socket, closed };
}

/** Writes `text` one byte per `everyMs` until the socket closes or the text runs out. */
function dribble(held: Held, text: string, everyMs: number): void {
  let at = 0;
  const timer = setInterval(() => {
    if (held.socket.destroyed || at >= text.length) return clearInterval(timer);
    held.socket.write(text[at++] as string);
  }, everyMs);
  void held.closed.then(() => clearInterval(timer));
}

describe('header and request timeouts', () => {
  let hookline: TestHookline;
  beforeAll(async () => {
    hookline = await startHookline(
      {},
      { http: { headersTimeoutMs: 1000, requestTimeoutMs: 2000, maxConnectionsPerAddress: 0 } },
    );
  });
  afterAll(async () => {
    await hookline?.stop();
  });

  it('headers sent a byte at a time are cut off with a 408 JSON answer', async () => {
    const held = await open(hookline.server.url);
    // 2,000 bytes at one per 50 ms would take 100 s: only the server's bound ends it.
    dribble(held, `GET /api/v1/health/ HTTP/1.1\r\nHost: x\r\nX-Pad: ${'p'.repeat(2000)}\r\n\r\n`, 50);
    const answer = await held.closed;
    expect(answer).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toMatchObject({ code: 'request_timeout' });
  });

  it('a connection that never sends a byte is closed too', async () => {
    const held = await open(hookline.server.url);
    await held.closed;
    expect(held.socket.destroyed).toBe(true);
  });

  it('a body sent a byte at a time is cut off once the request timeout passes', async () => {
    const held = await open(hookline.server.url);
    held.socket.write(
      'POST /api/v1/app HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n',
    );
    dribble(held, `{"name":"${'n'.repeat(4980)}"}`, 50);
    const answer = await held.closed;
    expect(answer).not.toMatch(/^HTTP\/1\.1 2/);
  });

  it('a request that arrives in time is answered as usual', async () => {
    const response = await fetch(`${hookline.server.url}/api/v1/health/`);
    expect(response.status).toBe(204);
  });
});

describe('open connections per address', () => {
  let hookline: TestHookline;
  beforeAll(async () => {
    hookline = await startHookline(
      {},
      { http: { headersTimeoutMs: 60_000, requestTimeoutMs: 60_000, maxConnectionsPerAddress: 3 } },
    );
  });
  afterAll(async () => {
    await hookline?.stop();
  });

  it('the connection past the cap is answered 503 too_many_connections and closed; one freed makes room', async () => {
    const held = [await open(hookline.server.url), await open(hookline.server.url), await open(hookline.server.url)];
    const refused = await open(hookline.server.url);
    const answer = await refused.closed;
    expect(answer).toMatch(/^HTTP\/1\.1 503 Service Unavailable\r\n/);
    expect(answer).toContain('Retry-After: 1');
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toMatchObject({ code: 'too_many_connections' });

    // The held ones still work.
    const first = held[0] as Held;
    first.socket.write('GET /api/v1/health/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(await first.closed).toMatch(/^HTTP\/1\.1 204 /);

    // Once the server has seen that close, a new connection is accepted: try until it is (bounded).
    let accepted = false;
    for (let attempt = 0; attempt < 200 && !accepted; attempt++) {
      const next = await open(hookline.server.url);
      next.socket.write('GET /api/v1/health/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      accepted = /^HTTP\/1\.1 204 /.test(await next.closed);
    }
    expect(accepted).toBe(true);
    for (const socket of held) socket.socket.destroy();
  });
});
