// A shop's payment callback: the gateway calls GET /payment-confirm/?id=xyz (or POSTs a form), unsigned. Nothing
// in the request is believed until the gateway's own API confirms the payment (the fetch-back check); every
// answer is `200 success`, whatever happened, so the gateway stops resending and a forger learns nothing;
// callbacks are throttled per caller before any fetch-back, so a flood of forged ids cannot flood the gateway.
// With an inbox, a callback is stored before its `success`, so one that arrives while the gateway's API is down is
// checked again later instead of lost (the gateway, told `success`, will not send it again).
//   PAY_API_URL=https://api.pay.example PAY_API_KEY=… npx tsx examples/payment-callback/server.ts   (after `npm run build`)
import { createServer, type Server } from 'node:http';
import { pathToFileURL } from 'node:url';
import {
  createNodeMiddleware,
  fetchBackCheck,
  identifyFields,
  type RateLimit,
  type Refusal,
  SqliteInboxStore,
  Webhooks,
} from '@hookline/receiver';
import Database from 'better-sqlite3';

type Events = { 'payment.paid': { id: string } };

export interface PaymentCallbackConfig {
  /** The gateway's API: `GET {paymentApiUrl}/v1/payments/{id}` answers `{ "status": "paid" }` for a paid id. */
  paymentApiUrl: string;
  paymentApiKey: string;
  /** Callbacks per caller address. Default: bursts of 20, then 5 a second. */
  rateLimit?: RateLimit;
  /** Only for a fake payment API on this machine (the SSRF guard refuses private addresses otherwise). */
  allowPrivateNetworks?: boolean;
  /**
   * Told of every refused callback (malformed, throttled; forged too when there is no inbox: with one, the check
   * runs after the answer and its no is kept in the inbox as `rejected`), which the gateway's answer never shows.
   */
  onRefused?: (refusal: Refusal) => void;
  /**
   * A SQLite file (or `:memory:`) holding each callback from before its answer until its check says yes or no;
   * a check that cannot tell (the API down) is retried after each of `retryDelaysSeconds`. Without it, such a
   * callback only reaches `onError`.
   */
  inbox?: { file: string; retryDelaysSeconds?: readonly number[] };
}

/** Stands in for the shop's database: order id → paid. */
export interface Orders {
  paid: Set<string>;
}

export interface PaymentCallbackApp {
  server: Server;
  orders: Orders;
  payments: Webhooks<Events>;
  /** Stops the inbox worker and closes its database. */
  close(): Promise<void>;
}

export function createApp(config: PaymentCallbackConfig): PaymentCallbackApp {
  const orders: Orders = { paid: new Set() };
  const database = config.inbox === undefined ? undefined : new Database(config.inbox.file);
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
    ...(database === undefined
      ? {}
      : {
          inbox: {
            store: new SqliteInboxStore(database),
            ...(config.inbox?.retryDelaysSeconds === undefined
              ? {}
              : { retryDelaysSeconds: config.inbox.retryDelaysSeconds }),
          },
        }),
  });
  payments.on('payment.paid', (event) => {
    orders.paid.add(event.payload.id);
  });
  payments.onRefused(config.onRefused ?? ((refusal) => console.warn(`payment callback refused: ${refusal.code}`)));
  payments.onError((error, event) => console.error(`payment callback ${event.id} failed:`, error));
  return {
    server: createServer(createNodeMiddleware(payments, { path: '/payment-confirm/' })),
    orders,
    payments,
    async close() {
      await payments.stop();
      database?.close();
    },
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const paymentApiUrl = process.env.PAY_API_URL;
  const paymentApiKey = process.env.PAY_API_KEY;
  if (paymentApiUrl === undefined || paymentApiKey === undefined) throw new Error('set PAY_API_URL and PAY_API_KEY');
  const port = Number(process.env.PORT ?? 3000);
  const { server, payments } = createApp({
    paymentApiUrl,
    paymentApiKey,
    allowPrivateNetworks: process.env.PAY_API_LOCAL === '1',
    inbox: { file: process.env.PAY_INBOX_FILE ?? 'payment-callbacks.db' },
  });
  payments.start(); // the inbox worker: runs stored callbacks, and what a crash left behind
  server.listen(port, '127.0.0.1', () => {
    console.log(`payment callbacks on http://127.0.0.1:${port}/payment-confirm/?id=…`);
  });
}
