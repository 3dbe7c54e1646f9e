import { fastifyWebhooks, Webhooks } from '@hookline/receiver';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { describeAdapter } from '../../../test/adapter-suite.js';
import { SECRET, signedStandard } from '../../../test/support.js';

async function start(app: ReturnType<typeof Fastify>) {
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return { url: `http://127.0.0.1:${port}`, port, close: () => app.close() };
}

describeAdapter('fastify', async (webhooks) => {
  const app = Fastify();
  await app.register(fastifyWebhooks(webhooks), { prefix: '/webhooks' });
  const server = await start(app);
  return { ...server, endpoint: `${server.url}/webhooks` };
});

describe('fastify plugin encapsulation', () => {
  it('keeps its raw-body parser to itself: the rest of the app still parses JSON', async () => {
    const webhooks = new Webhooks({ scheme: 'standard-webhooks', secret: SECRET });
    webhooks.on('*', () => {});
    const app = Fastify();
    await app.register(fastifyWebhooks(webhooks, { path: '/in' }), { prefix: '/webhooks' });
    app.post('/api/echo', async (request) => ({ got: request.body }));
    const server = await start(app);
    try {
      const echo = await fetch(`${server.url}/api/echo`, {
        method: 'POST',
        body: '{"a":1}',
        headers: { 'content-type': 'application/json' },
      });
      expect(await echo.json()).toEqual({ got: { a: 1 } });
      const signed = await signedStandard({ type: 'x.y' });
      const hook = await fetch(`${server.url}/webhooks/in`, {
        method: 'POST',
        body: signed.body,
        headers: signed.headers,
      });
      expect(hook.status).toBe(200);
    } finally {
      await server.close();
    }
  });
});
