// An Express app receiving Stripe events. The webhook route is mounted BEFORE express.json(): the signature is
// over the raw bytes, and once express.json() has parsed them they are gone. (Elsewhere, express.raw() on the
// route or express.json({ verify: keepRawBody }) work too.)
//   STRIPE_WEBHOOK_SECRET=whsec_… npx tsx examples/receiver-express/server.ts   (after `npm run build`)
import { pathToFileURL } from 'node:url';
import { createExpressMiddleware, Webhooks } from '@hookline/receiver';
import express from 'express';

type Events = {
  'checkout.session.completed': { id: string; type: string; data: { object: { id: string; customer: string } } };
};

export const fulfilled: string[] = [];

export function createApp(config: { stripeSecret: string }): express.Express {
  const webhooks = new Webhooks<Events>({ scheme: 'stripe', secret: config.stripeSecret });
  webhooks.on('checkout.session.completed', (event) => {
    fulfilled.push(event.payload.data.object.id);
  });

  const app = express();
  app.all('/webhooks/stripe', createExpressMiddleware(webhooks)); // first: raw bytes intact
  app.use(express.json()); // then the rest of the API parses JSON as usual
  app.post('/api/echo', (request, response) => {
    response.json(request.body);
  });
  return app;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const stripeSecret = process.env.STRIPE_WEBHOOK_SECRET;
  if (stripeSecret === undefined) throw new Error('set STRIPE_WEBHOOK_SECRET (whsec_…)');
  const port = Number(process.env.PORT ?? 3000);
  createApp({ stripeSecret }).listen(port, '127.0.0.1', () => console.log(`http://127.0.0.1:${port}/webhooks/stripe`));
}
