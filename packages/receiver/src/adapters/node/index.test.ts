import { connect } from 'node:net';
import { PassThrough, Readable } from 'node:stream';
import {
  BodyIncompleteError,
  createNodeMiddleware,
  PayloadTooLargeError,
  readNodeBody,
  Webhooks,
} from '@hookline/receiver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { post, type Running, SECRET, signedStandard, startNodeServer } from '../../../test/support.js';

/** Sends raw bytes on a fresh socket and resolves the first response head (status line and headers). */
function rawExchange(port: number, write: (socket: import('node:net').Socket) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
      if (received.includes('\r\n\r\n')) {
        socket.destroy();
        resolve(received);
      }
    });
    // Writes past the server's close fail with EPIPE/ECONNRESET; the response already read is what counts.
    socket.on('error', (error) => (received.includes('\r\n\r\n') ? resolve(received) : reject(error)));
    socket.on('connect', () => write(socket));
  });
}

describe('node:http adapter', () => {
  const webhooks = new Webhooks({ scheme: 'standard-webhooks', secret: SECRET, maxBodyBytes: 64 * 1024 });
  const handled: string[] = [];
  webhooks.on('payment.succeeded', (event) => {
    handled.push(event.id ?? '');
  });
  let server: Running;

  beforeAll(async () => {
    server = await startNodeServer(createNodeMiddleware(webhooks, { path: '/hooks' }));
  });
  afterAll(() => server.close());

  it('handles a signed POST on its path, query string ignored', async () => {
    const request = await signedStandard({ type: 'payment.succeeded', data: {} }, { id: 'msg_node_1' });
    const response = await post(`${server.url}/hooks?source=test`, request);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(handled).toContain('msg_node_1');
  });

  it('answers JSON 404 on another path, or calls next', async () => {
    const response = await post(`${server.url}/other`, await signedStandard({ type: 'x' }));
    expect(response.status).toBe(404);
    expect(response.body.code).toBe('HOOKLINE_RECEIVER_NOT_FOUND');
    const middleware = createNodeMiddleware(webhooks, { path: '/hooks' });
    let nextCalled = false;
    const other = await startNodeServer((req, res) => {
      void middleware(req, res, () => {
        nextCalled = true;
        res.end('next');
      });
    });
    try {
      expect(await (await fetch(`${other.url}/elsewhere`)).text()).toBe('next');
      expect(nextCalled).toBe(true);
    } finally {
      await other.close();
    }
  });

  it('resolves true once the answer is written, for a body it had to wait for', async () => {
    const middleware = createNodeMiddleware(webhooks, { path: '/hooks' });
    const outcomes: { resolved: boolean; ended: boolean }[] = [];
    const other = await startNodeServer((req, res) => {
      void middleware(req, res).then((resolved) => outcomes.push({ resolved, ended: res.writableEnded }));
    });
    try {
      const request = await signedStandard({ type: 'payment.succeeded', data: {} }, { id: 'msg_node_resolve' });
      // The promise settles as the answer is written, a turn before the client can read it.
      expect((await post(`${other.url}/hooks`, request)).status).toBe(200);
      expect(outcomes).toEqual([{ resolved: true, ended: true }]);
    } finally {
      await other.close();
    }
  });

  it('refuses a declared oversized body with 413 before reading it', async () => {
    const head = await rawExchange(server.port, (socket) => {
      socket.write(
        'POST /hooks HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1073741824\r\n\r\n{"a":',
      );
    });
    expect(head).toMatch(/^HTTP\/1\.1 413 /);
    expect(head.toLowerCase()).toContain('connection: close');
  });

  it('stops reading a chunked body at the limit, answers 413 and closes the connection', async () => {
    const chunk = 'x'.repeat(16 * 1024);
    const head = await rawExchange(server.port, (socket) => {
      socket.write(
        'POST /hooks HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n',
      );
      // 8 MiB offered; the server reads past 64 KiB only by the chunks already in flight.
      for (let i = 0; i < 512; i++) socket.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`);
    });
    expect(head).toMatch(/^HTTP\/1\.1 413 /);
  });

  it('answers a wrong method with 405 and keeps the connection usable', async () => {
    const response = await fetch(`${server.url}/hooks`, { method: 'DELETE' });
    expect(response.status).toBe(405);
    expect(await response.json()).toMatchObject({ code: 'HOOKLINE_RECEIVER_METHOD_NOT_ALLOWED' });
  });
});

describe('readNodeBody', () => {
  it('pulls at most the limit plus one chunk from an endless stream', async () => {
    let pulled = 0;
    const endless = new Readable({
      read() {
        pulled += 1024;
        this.push(Buffer.alloc(1024, 0x61));
      },
    });
    await expect(readNodeBody(endless, 10 * 1024)).rejects.toBeInstanceOf(PayloadTooLargeError);
    // The stream's own read-ahead (highWaterMark, 16 KiB) bounds what is pulled beyond the limit.
    expect(pulled).toBeLessThanOrEqual(10 * 1024 + 16 * 1024 + 1024);
  });

  it('resolves the exact bytes, a BOM included', async () => {
    const bytes = Buffer.from([0xef, 0xbb, 0xbf, 0x7b, 0x7d]);
    expect(Buffer.from(await readNodeBody(Readable.from([bytes.subarray(0, 2), bytes.subarray(2)]), 100))).toEqual(
      bytes,
    );
  });

  it('with the declared length, resolves once that many bytes are in, without waiting for the end', async () => {
    const stream = new PassThrough();
    const read = readNodeBody(stream, 100, 5);
    stream.write(Buffer.from('{"a"'));
    stream.write(Buffer.from('}'));
    // The stream never ends: only the count can resolve it.
    expect(Buffer.from(await read).toString()).toBe('{"a"}');
  });

  it('leaves no close listener once the body is read (node emits close after every answered request)', async () => {
    const stream = new PassThrough();
    const before = stream.listenerCount('close');
    const read = readNodeBody(stream, 100, 2);
    stream.write(Buffer.from('{}'));
    await read;
    expect(stream.listenerCount('close')).toBe(before);
  });

  it('rejects a body cut short by a close as incomplete, and a later end changes nothing', async () => {
    const stream = new PassThrough();
    const read = readNodeBody(stream, 100, 10);
    stream.write(Buffer.from('{"a"'));
    stream.destroy();
    await expect(read).rejects.toBeInstanceOf(BodyIncompleteError);
  });

  it('keeps a connection alive across requests answered at once (node reads the rest of each message)', async () => {
    const webhooks = new Webhooks({ scheme: 'standard-webhooks', secret: SECRET });
    webhooks.on('*', () => undefined);
    const running = await startNodeServer(createNodeMiddleware(webhooks));
    try {
      const heads: string[] = [];
      await new Promise<void>((resolve, reject) => {
        const socket = connect(running.port, '127.0.0.1');
        let received = '';
        let sent = 0;
        const send = async () => {
          const { body, headers } = await signedStandard({ type: 'payment.succeeded' }, { id: `msg_keep_${sent++}` });
          const lines = [`POST /webhooks HTTP/1.1`, 'host: x', `content-length: ${Buffer.byteLength(body)}`];
          for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
          socket.write(`${lines.join('\r\n')}\r\n\r\n${body}`);
        };
        socket.on('connect', () => void send());
        socket.on('error', reject);
        socket.on('close', () => reject(new Error(`closed after ${heads.length} answers`)));
        socket.on('data', (chunk) => {
          received += chunk.toString('latin1');
          for (;;) {
            const end = received.indexOf('\r\n\r\n');
            if (end < 0) return;
            const head = received.slice(0, end);
            const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
            if (received.length < end + 4 + length) return;
            heads.push(head.split('\r\n')[0] as string);
            received = received.slice(end + 4 + length);
            if (heads.length === 3) {
              socket.removeAllListeners('close');
              socket.destroy();
              resolve();
              return;
            }
            void send();
          }
        });
      });
      expect(heads).toEqual(['HTTP/1.1 200 OK', 'HTTP/1.1 200 OK', 'HTTP/1.1 200 OK']);
    } finally {
      await running.close();
    }
  });
});
