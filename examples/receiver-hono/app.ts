// A Hono app receiving Shopify webhooks through the Web adapter (Request → Response): the same code runs on
// Cloudflare Workers, Deno, Bun or Node. The body is read as bytes, never text(), which would drop a BOM.
import { createWebHandler, Webhooks } from '@hookline/receiver';
import { Hono } from 'hono';

type Events = {
  'orders/create': { id: number; email: string; total_price: string };
};

export const orders: string[] = [];

export function createApp(config: { shopifySecret: string }): Hono {
  const webhooks = new Webhooks<Events>({ scheme: 'shopify', secret: config.shopifySecret, mode: 'ack-then-process' });
  webhooks.on('orders/*', (event) => {
    orders.push(`${event.type} ${event.payload.email} ${event.payload.total_price}`);
  });
  const handle = createWebHandler(webhooks);
  const app = new Hono();
  // On Workers, pass c.executionCtx so the work after the 202 is kept alive: handle(c.req.raw, c.executionCtx).
  app.all('/webhooks/shopify', (c) => handle(c.req.raw));
  return app;
}
