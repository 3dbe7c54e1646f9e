import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LazyDispatcher } from './lazy-dispatcher.js';
import { sendWebhook } from './sender.js';

let server: Server;
let url: string;

beforeAll(async () => {
  server = createServer((_request, response) => response.writeHead(204).end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const send = (dispatcher: LazyDispatcher) =>
  sendWebhook(dispatcher, { url, headers: {}, body: '{}', timeoutMs: 10_000 });

describe('LazyDispatcher', () => {
  it('makes its dispatcher at the first send, once, and sends through it', async () => {
    let made = 0;
    const lazy = new LazyDispatcher(async () => {
      made++;
      return new Agent();
    });
    expect(made).toBe(0);
    expect(lazy.loaded).toBe(false);
    const results = await Promise.all([send(lazy), send(lazy), send(lazy)]);
    expect(results.map((result) => result.statusCode)).toEqual([204, 204, 204]);
    expect(made).toBe(1);
    expect(lazy.loaded).toBe(true);
    expect((await send(lazy)).statusCode).toBe(204);
    expect(made).toBe(1);
    await lazy.close();
  });

  it('closed before any send, it makes nothing and a later send is a failure', async () => {
    let made = 0;
    const lazy = new LazyDispatcher(async () => {
      made++;
      return new Agent();
    });
    await lazy.close();
    const result = await send(lazy);
    expect(made).toBe(0);
    expect(result.statusCode).toBeNull();
    expect(result.error).toMatch(/^HOOKLINE_DISPATCHER_CLOSED: /);
  });

  it('a dispatcher that cannot be made fails the send, not the process', async () => {
    const lazy = new LazyDispatcher(async () => {
      throw new Error('no undici here');
    });
    const result = await send(lazy);
    expect(result.statusCode).toBeNull();
    expect(result.error).toBe('Error: no undici here');
  });
});
