import { createExpressMiddleware, keepRawBody, Webhooks } from '@hookline/receiver';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { describeAdapter } from '../../../test/adapter-suite.js';
import { listen, post, SECRET, signedStandard } from '../../../test/support.js';

async function serve(app: express.Express) {
  return listen((await import('node:http')).createServer(app));
}

describeAdapter('express (mounted before any body parser)', async (webhooks) => {
  const app = express();
  // app.all, not app.post: a wrong method must reach the middleware to get its JSON 405.
  app.all('/webhooks', createExpressMiddleware(webhooks));
  app.use(express.json());
  const server = await serve(app);
  return { ...server, endpoint: `${server.url}/webhooks` };
});

describeAdapter('express (express.raw on the route)', async (webhooks) => {
  const app = express();
  app.use('/webhooks', express.raw({ type: () => true, limit: '1mb' }), createExpressMiddleware(webhooks));
  const server = await serve(app);
  return { ...server, endpoint: `${server.url}/webhooks` };
});

describe('express with express.json() in front', () => {
  const payload = { type: 'payment.succeeded', data: { z: 1, a: '\u00e9' } };
  // Spacing and key order differ from JSON.stringify(req.body): a verifier of re-serialized JSON would fail.
  const odd = '{ "type": "payment.succeeded", "data": {"z": 1, "a": "\\u00e9"} }';

  it('refuses with a clear 500 code instead of verifying re-serialized JSON', async () => {
    const webhooks = new Webhooks({ scheme: 'standard-webhooks', secret: SECRET });
    webhooks.on('*', () => {});
    const app = express();
    app.use(express.json());
    app.post('/webhooks', createExpressMiddleware(webhooks));
    const server = await serve(app);
    try {
      const response = await post(`${server.url}/webhooks`, await signedStandard(odd));
      expect(response.status).toBe(500);
      expect(response.body.code).toBe('HOOKLINE_RECEIVER_BODY_ALREADY_PARSED');
      expect(response.body.detail).toMatch(/express\.raw|keepRawBody/);
    } finally {
      await server.close();
    }
  });

  it('works when express.json() keeps the raw bytes with verify: keepRawBody', async () => {
    const webhooks = new Webhooks({ scheme: 'standard-webhooks', secret: SECRET });
    const seen: unknown[] = [];
    webhooks.on('*', (event) => {
      seen.push(event.payload);
    });
    const app = express();
    app.use(express.json({ verify: keepRawBody }));
    app.post('/webhooks', createExpressMiddleware(webhooks));
    const server = await serve(app);
    try {
      const response = await post(`${server.url}/webhooks`, await signedStandard(odd));
      expect(response.status).toBe(200);
      expect(seen).toEqual([payload]);
    } finally {
      await server.close();
    }
  });
});
