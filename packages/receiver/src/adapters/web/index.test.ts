import { createWebHandler, PayloadTooLargeError, readWebBody, Webhooks } from '@hookline/receiver';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { describeAdapter } from '../../../test/adapter-suite.js';
import { gate, SECRET, serveFetch, signedStandard } from '../../../test/support.js';

describeAdapter('web (Request → Response)', async (webhooks) => {
  const server = await serveFetch(createWebHandler(webhooks));
  return { ...server, endpoint: `${server.url}/webhooks` };
});

describeAdapter('web inside Hono', async (webhooks) => {
  const app = new Hono();
  const handler = createWebHandler(webhooks);
  app.all('/webhooks', (c) => handler(c.req.raw));
  const server = await serveFetch(async (request) => app.fetch(request));
  return { ...server, endpoint: `${server.url}/webhooks` };
});

describe('web adapter', () => {
  it('hands background work (ack-then-process) to waitUntil', async () => {
    const webhooks = new Webhooks({ scheme: 'standard-webhooks', secret: SECRET, mode: 'ack-then-process' });
    const hold = gate();
    let ran = false;
    webhooks.on('*', async () => {
      await hold.promise;
      ran = true;
    });
    const handler = createWebHandler(webhooks);
    const signed = await signedStandard({ type: 'a.b' });
    const kept: Promise<unknown>[] = [];
    const response = await handler(
      new Request('http://x/webhooks', { method: 'POST', body: signed.body, headers: signed.headers }),
      {
        waitUntil: (promise) => kept.push(promise),
      },
    );
    expect(response.status).toBe(202);
    expect(kept).toHaveLength(1);
    expect(ran).toBe(false);
    hold.open();
    await kept[0];
    expect(ran).toBe(true);
  });

  it('passes the address from getRemoteAddress to the allowlist', async () => {
    const webhooks = new Webhooks({ scheme: 'standard-webhooks', secret: SECRET, allowlist: ['203.0.113.0/24'] });
    const signed = await signedStandard({ type: 'a.b' });
    const make = () => new Request('http://x/', { method: 'POST', body: signed.body, headers: signed.headers });
    const denied = await createWebHandler(webhooks)(make());
    expect(denied.status).toBe(403);
    const allowed = await createWebHandler(webhooks, {
      getRemoteAddress: (request) => request.headers.get('x-test-ip') ?? undefined,
    })(new Request(make(), { headers: { ...signed.headers, 'x-test-ip': '203.0.113.7' } }));
    expect(allowed.status).toBe(200);
  });

  it('cancels an endless body at the limit instead of reading it all', async () => {
    let pulled = 0;
    let cancelled = false;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += 1024;
        controller.enqueue(new Uint8Array(1024));
      },
      cancel() {
        cancelled = true;
      },
    });
    const request = new Request('http://x/', { method: 'POST', body: endless, duplex: 'half' } as RequestInit);
    await expect(readWebBody(request, 8 * 1024)).rejects.toBeInstanceOf(PayloadTooLargeError);
    expect(cancelled).toBe(true);
    expect(pulled).toBeLessThanOrEqual(8 * 1024 + 2 * 1024);
  });
});
