// Unsigned callbacks (a payment gateway's GET or form POST) through the core: the check is the verification, the
// query or form is the payload, and with `respond: { acknowledge }` every request is answered the same way while
// what happened goes to onRefused, onError and the event log.
import {
  type IncomingWebhookRequest,
  InvalidConfigurationError,
  identifyFields,
  type Refusal,
  SqliteInboxStore,
  Webhooks,
  type WebhooksOptions,
} from '@hookline/receiver';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { SECRET, signedStandard } from '../test/support.js';

type Events = { 'payment.paid': { id: string; status?: string } };

const encoder = new TextEncoder();
const PAID = new Set(['pay_paid', 'pay_other']);

function get(query: string, remoteAddress = '203.0.113.7'): IncomingWebhookRequest {
  return { method: 'GET', headers: {}, remoteAddress, query, body: new Uint8Array(0) };
}

function post(body: string, contentType = 'application/x-www-form-urlencoded'): IncomingWebhookRequest {
  const bytes = encoder.encode(body);
  return {
    method: 'POST',
    headers: { 'content-type': contentType, 'content-length': String(bytes.byteLength) },
    remoteAddress: '203.0.113.7',
    query: '',
    body: bytes,
  };
}

function callbacks(options: Partial<WebhooksOptions<Events>> = {}) {
  const handled: unknown[] = [];
  const refusals: Refusal[] = [];
  const errors: unknown[] = [];
  const webhooks = new Webhooks<Events>({
    scheme: 'unsigned',
    check: (event) => PAID.has((event.payload as { id: string }).id),
    identify: identifyFields({ type: 'payment.paid', idField: 'id' }),
    ...options,
  } as WebhooksOptions<Events>);
  webhooks.on('payment.paid', (event) => {
    handled.push(event.payload);
  });
  webhooks.onRefused((refusal) => refusals.push(refusal));
  webhooks.onError((error) => errors.push(error));
  return { webhooks, handled, refusals, errors };
}

describe('unsigned callbacks: the check is the verification', () => {
  it('refuses an unsigned receiver without a check, or with a secret, at construction', () => {
    // @ts-expect-error an unsigned receiver must have a check
    expect(() => new Webhooks({ scheme: 'unsigned' })).toThrow(/check is required/);
    expect(() => new Webhooks({ scheme: 'unsigned', check: () => true, secret: SECRET } as never)).toThrow(
      InvalidConfigurationError,
    );
    expect(() => new Webhooks({ scheme: 'unsigned', check: () => true, eventLog: { authorize: () => true } })).toThrow(
      /GET cannot both carry callbacks and serve the event log/,
    );
  });

  it('a GET callback: the query is the payload, a confirmed id is handled once', async () => {
    const { webhooks, handled } = callbacks();
    const response = await webhooks.handle(get('id=pay_paid&status=paid'));
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ status: 'handled' });
    expect(handled).toEqual([{ id: 'pay_paid', status: 'paid' }]);
    // The gateway sends it again: deduped by the id field.
    expect(JSON.parse((await webhooks.handle(get('id=pay_paid&status=paid'))).body)).toEqual({ status: 'duplicate' });
    expect(handled).toHaveLength(1);
  });

  it('a form POST and a JSON POST: their fields are the payload', async () => {
    const { webhooks, handled } = callbacks();
    expect((await webhooks.handle(post('id=pay_paid&status=TRADE_SUCCESS'))).status).toBe(200);
    expect((await webhooks.handle(post('{"id":"pay_other"}', 'application/json'))).status).toBe(200);
    expect(handled).toEqual([{ id: 'pay_paid', status: 'TRADE_SUCCESS' }, { id: 'pay_other' }]);
  });

  it('a forged id is refused by the check (honestly: 422), never handled, and the reason is kept', async () => {
    const reasons = callbacks({
      check: (event) =>
        PAID.has((event.payload as { id: string }).id)
          ? { accepted: true }
          : { accepted: false, reason: 'the provider has no such payment' },
    });
    const response = await reasons.webhooks.handle(get('id=pay_forged'));
    expect(response.status).toBe(422);
    expect(JSON.parse(response.body)).toEqual({
      code: 'HOOKLINE_RECEIVER_EVENT_REJECTED',
      detail: 'the check refused this event',
    });
    expect(reasons.handled).toEqual([]);
    expect(reasons.refusals).toMatchObject([
      {
        status: 422,
        code: 'HOOKLINE_RECEIVER_EVENT_REJECTED',
        reason: 'the provider has no such payment',
        event: { id: 'pay_forged', type: 'payment.paid' },
        method: 'GET',
        address: '203.0.113.7',
      },
    ]);
    expect(reasons.webhooks.recentEvents()).toMatchObject([
      { id: 'pay_forged', status: 'rejected', error: 'the provider has no such payment' },
    ]);
  });

  it('anything but a clear yes from the check refuses', async () => {
    for (const verdict of [false, undefined, 'yes', { accepted: 'true' }, null]) {
      const { webhooks, handled } = callbacks({ check: () => verdict as never });
      expect((await webhooks.handle(get('id=pay_paid'))).status, String(verdict)).toBe(422);
      expect(handled).toEqual([]);
    }
  });

  it('other methods and media types are refused; GET and POST are the defaults, methods narrows them', async () => {
    const { webhooks } = callbacks();
    const put = await webhooks.handle({ ...post('id=pay_paid'), method: 'PUT' });
    expect(put.status).toBe(405);
    expect(put.headers.allow).toBe('GET, POST');
    expect((await webhooks.handle(post('id=pay_paid', 'text/plain'))).status).toBe(415);
    const postOnly = callbacks({ methods: ['POST'] });
    expect((await postOnly.webhooks.handle(get('id=pay_paid'))).status).toBe(405);
  });
});

describe("respond: { acknowledge: 'success' }", () => {
  const acknowledge = { respond: { acknowledge: 'success' } } as const;

  it('answers every input 200 success, forged or genuine alike, and never says why', async () => {
    const { webhooks, handled, refusals } = callbacks(acknowledge);
    const inputs: Array<[string, IncomingWebhookRequest]> = [
      ['genuine', get('id=pay_paid')],
      ['forged', get('id=pay_forged')],
      ['no id', get('status=paid')],
      ['malformed form', { ...post(''), body: new Uint8Array([0x69, 0x64, 0x3d, 0xff]) }],
      ['malformed JSON', post('{"id":', 'application/json')],
      ['wrong media type', post('id=pay_paid', 'text/xml')],
      ['wrong method', { ...get('id=pay_paid'), method: 'DELETE' }],
      ['oversized', post(`id=pay_paid&pad=${'x'.repeat(2 * 1024 * 1024)}`)],
    ];
    const answers = [];
    for (const [name, input] of inputs) {
      const answer = await webhooks.handle(input);
      answers.push(answer);
      expect(answer, name).toEqual({
        status: 200,
        headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
        body: 'success',
      });
    }
    expect(handled).toEqual([{ id: 'pay_paid' }]);
    expect(refusals.map((r) => r.code)).toEqual([
      'HOOKLINE_RECEIVER_EVENT_REJECTED',
      'HOOKLINE_RECEIVER_EVENT_REJECTED', // no id: the check finds no such payment
      'HOOKLINE_RECEIVER_MALFORMED_FORM',
      'HOOKLINE_RECEIVER_MALFORMED_JSON',
      'HOOKLINE_RECEIVER_UNSUPPORTED_MEDIA_TYPE',
      'HOOKLINE_RECEIVER_METHOD_NOT_ALLOWED',
      'HOOKLINE_RECEIVER_PAYLOAD_TOO_LARGE',
    ]);
  });

  it('a check or handler that throws is acknowledged too, and goes to onError and the event log', async () => {
    const broken = callbacks({
      ...acknowledge,
      check: () => {
        throw new Error('payment API unreachable');
      },
    });
    expect(await broken.webhooks.handle(get('id=pay_paid'))).toMatchObject({ status: 200, body: 'success' });
    expect(broken.errors).toMatchObject([{ message: 'payment API unreachable' }]);
    expect(broken.webhooks.recentEvents()).toMatchObject([{ id: 'pay_paid', status: 'failed' }]);
    expect(broken.refusals).toMatchObject([{ status: 500, code: 'HOOKLINE_RECEIVER_HANDLER_FAILED' }]);

    const throwing = callbacks(acknowledge);
    throwing.webhooks.on('payment.paid', () => {
      throw new Error('database down');
    });
    expect(await throwing.webhooks.handle(get('id=pay_paid'))).toMatchObject({ status: 200, body: 'success' });
    expect(throwing.errors).toMatchObject([{ message: 'database down' }]);
  });

  it('a signed receiver can acknowledge too: a forgery is answered success and told to onRefused', async () => {
    const refusals: Refusal[] = [];
    const webhooks = new Webhooks({ scheme: 'standard-webhooks', secret: SECRET, ...acknowledge });
    webhooks.onRefused((r) => refusals.push(r));
    const signed = await signedStandard({ type: 'x', n: 1 });
    const answer = await webhooks.handle({
      method: 'POST',
      headers: signed.headers,
      remoteAddress: '127.0.0.1',
      body: encoder.encode(signed.body.replace('1', '2')),
    });
    expect(answer).toMatchObject({ status: 200, body: 'success' });
    expect(refusals).toMatchObject([{ status: 401, code: 'HOOKLINE_SIGNATURE_MISMATCH' }]);
  });

  it('a throttled callback is answered 429 (the gateway sends it again later), unless throttled: acknowledge', async () => {
    const now = Date.now();
    const limited = callbacks({
      ...acknowledge,
      rateLimit: { capacity: 2, refillPerSecond: 1 },
      now: () => now,
    });
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await limited.webhooks.handle(get('id=pay_paid'))).status);
    expect(statuses).toEqual([200, 200, 429, 429, 429]);
    expect(limited.refusals.map((r) => r.code)).toEqual(Array(3).fill('HOOKLINE_RECEIVER_RATE_LIMITED'));

    const dropping = callbacks({
      respond: { acknowledge: { body: 'success', throttled: 'acknowledge' } },
      rateLimit: { capacity: 1, refillPerSecond: 1 },
      now: () => now,
    });
    await dropping.webhooks.handle(get('id=pay_paid'));
    expect((await dropping.webhooks.handle(get('id=pay_other'))).status).toBe(200);
    expect(dropping.handled).toEqual([{ id: 'pay_paid' }]);
  });

  it('with the inbox: acknowledged once stored, and a check that cannot tell is retried until it can', async () => {
    let now = Date.now();
    const db = new Database(':memory:');
    let apiUp = false;
    const { webhooks, handled, errors } = callbacks({
      ...acknowledge,
      now: () => now,
      inbox: { store: new SqliteInboxStore(db, { now: () => now }), retryDelaysSeconds: [30] },
      check: (event) => {
        if (!apiUp) throw new Error('payment API unreachable');
        return PAID.has((event.payload as { id: string }).id);
      },
    });
    expect(await webhooks.handle(get('id=pay_paid'))).toMatchObject({ status: 200, body: 'success' });
    expect(await webhooks.handle(get('id=pay_forged'))).toMatchObject({ status: 200, body: 'success' });
    expect(await webhooks.drainInbox()).toBe(2);
    expect(errors).toHaveLength(2);
    apiUp = true;
    now += 31_000;
    expect(await webhooks.drainInbox()).toBe(2);
    expect(handled).toEqual([{ id: 'pay_paid' }]);
    expect(await webhooks.inboxEvents({ status: 'rejected' })).toMatchObject([
      { id: 'pay_forged', lastError: 'the check returned false' },
    ]);
    db.close();
  });
});
