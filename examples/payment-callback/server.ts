// A shop's payment callback: the gateway calls GET /payment-confirm/?id=xyz (or POSTs a form), unsigned. Nothing
// in the request is believed until the gateway's own API confirms the payment (the fetch-back check); every
// answer is `200 success`, whatever happened, so the gateway stops resending and a forger learns nothing;
// callbacks are throttled per caller before any fetch-back, so a flood of forged ids cannot flood the gateway.
//   PAY_API_URL=https://api.pay.example PAY_API_KEY=… npx tsx examples/payment-callback/server.ts   (after `npm run build`)
import { createServer, type Server } from 'node:http';
import { pathToFileURL } from 'node:url';
import {
  createNodeMiddleware,
  fetchBackCheck,
  identifyFields,
  type RateLimit,
  type Refusal,
  Webhooks,
} from '@hookline/receiver';

type Events = { 'payment.paid': { id: string } };

export interface PaymentCallbackConfig {
  /** The gateway's API: `GET {paymentApiUrl}/v1/payments/{id}` answers `{ "status": "paid" }` for a paid id. */
  paymentApiUrl: string;
  paymentApiKey: string;
  /** Callbacks per caller address. Default: bursts of 20, then 5 a second. */
  rateLimit?: RateLimit;
  /** Only for a fake payment API on this machine (the SSRF guard refuses private addresses otherwise). */
  allowPrivateNetworks?: boolean;
  /** Told of every refused callback (forged, malformed, throttled), which the gateway's answer never shows. */
  onRefused?: (refusal: Refusal) => void;
}

/** Stands in for the shop's database: order id → paid. */
export interface Orders {
  paid: Set<string>;
}

export function createApp(config: PaymentCallbackConfig): { server: Server; orders: Orders } {
  const orders: Orders = { paid: new Set() };
  const payments = new Webhooks<Events>({
    // Explicit: no signature; the check below is the verification, and the receiver refuses to start without it.
    scheme: 'unsigned',
    check: fetchBackCheck({
      url: `${config.paymentApiUrl}/v1/payments/{id}`, // {id}: the callback's id field, percent-encoded
      headers: { authorization: `Bearer ${config.paymentApiKey}` },
      expect: { field: 'status', equals: 'paid' },
      ...(config.allowPrivateNetworks === true ? { network: { allowPrivateNetworks: true } } : {}),
    }),
    // One URL, one kind of event; the id dedupes the gateway's repeats.
    identify: identifyFields({ type: 'payment.paid', idField: 'id' }),
    respond: { acknowledge: 'success' },
    rateLimit: config.rateLimit ?? { capacity: 20, refillPerSecond: 5 },
  });
  payments.on('payment.paid', (event) => {
    orders.paid.add(event.payload.id);
  });
  payments.onRefused(config.onRefused ?? ((refusal) => console.warn(`payment callback refused: ${refusal.code}`)));
  payments.onError((error, event) => console.error(`payment callback ${event.id} failed:`, error));
  return { server: createServer(createNodeMiddleware(payments, { path: '/payment-confirm/' })), orders };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const paymentApiUrl = process.env.PAY_API_URL;
  const paymentApiKey = process.env.PAY_API_KEY;
  if (paymentApiUrl === undefined || paymentApiKey === undefined) throw new Error('set PAY_API_URL and PAY_API_KEY');
  const port = Number(process.env.PORT ?? 3000);
  const { server } = createApp({
    paymentApiUrl,
    paymentApiKey,
    allowPrivateNetworks: process.env.PAY_API_LOCAL === '1',
  });
  server.listen(port, '127.0.0.1', () => {
    console.log(`payment callbacks on http://127.0.0.1:${port}/payment-confirm/?id=…`);
  });
}
