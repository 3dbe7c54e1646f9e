// A node:http app receiving Hookline (Standard Webhooks) events: typed handlers, memory dedupe, the event log
// on GET for whoever holds the admin token.
//   WEBHOOK_SECRET=whsec_… ADMIN_TOKEN=… npx tsx examples/receiver-node/server.ts   (after `npm run build`)
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { pathToFileURL } from 'node:url';
import { createNodeMiddleware, headerValue, Webhooks } from '@hookline/receiver';

type Events = {
  'invoice.paid': { type: 'invoice.paid'; data: { invoiceId: string; amountCents: number } };
  'invoice.voided': { type: 'invoice.voided'; data: { invoiceId: string } };
};

export interface ExampleConfig {
  secret: string;
  adminToken: string;
}

/** Constant-time comparison (of digests, so the lengths match). */
function sameSecret(given: string | undefined, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return given !== undefined && timingSafeEqual(digest(given), digest(expected));
}

/** Stands in for the app's database. */
export const ledger = { paid: new Map<string, number>(), voided: new Set<string>() };

export function createApp(config: ExampleConfig): Server {
  const webhooks = new Webhooks<Events>({
    scheme: 'standard-webhooks',
    secret: config.secret,
    // The event log is served on GET /webhooks, to the admin only.
    eventLog: {
      authorize: (request) => sameSecret(headerValue(request.headers, 'authorization'), `Bearer ${config.adminToken}`),
    },
  });
  webhooks.on('invoice.paid', (event) => {
    ledger.paid.set(event.payload.data.invoiceId, event.payload.data.amountCents);
  });
  webhooks.on('invoice.voided', (event) => {
    ledger.voided.add(event.payload.data.invoiceId);
  });
  webhooks.onError((error, event) => console.error(`webhook ${event.id} (${event.type}) failed:`, error));
  return createServer(createNodeMiddleware(webhooks, { path: '/webhooks' }));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const secret = process.env.WEBHOOK_SECRET;
  if (secret === undefined) throw new Error('set WEBHOOK_SECRET (whsec_…)');
  const port = Number(process.env.PORT ?? 3000);
  createApp({ secret, adminToken: process.env.ADMIN_TOKEN ?? crypto.randomUUID() }).listen(port, '127.0.0.1', () => {
    console.log(`receiving webhooks on http://127.0.0.1:${port}/webhooks`);
  });
}
