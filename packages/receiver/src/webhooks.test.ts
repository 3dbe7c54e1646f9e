import { type IncomingWebhookRequest, MemoryRateLimitStore, type StandardSchemaV1, Webhooks } from '@hookline/receiver';
import { describe, expect, it } from 'vitest';
import { gate, SECRET, signedStandard, uniqueId } from '../test/support.js';

type Events = {
  'payment.succeeded': { type: 'payment.succeeded'; data: { id: string; amount: number } };
  'payment.failed': { type: 'payment.failed'; data: { id: string; reason: string } };
  'customer.created': { type: 'customer.created'; data: { email: string } };
};

const encoder = new TextEncoder();

async function request(
  payload: unknown,
  options: {
    id?: string;
    timestamp?: number;
    secret?: string;
    remoteAddress?: string;
    headers?: Record<string, string>;
  } = {},
): Promise<IncomingWebhookRequest> {
  const signed = await signedStandard(payload, options);
  return {
    method: 'POST',
    headers: { ...signed.headers, ...options.headers },
    remoteAddress: options.remoteAddress ?? '127.0.0.1',
    body: encoder.encode(signed.body),
  };
}

const paid = (id = 'pay_1') => ({ type: 'payment.succeeded', data: { id, amount: 100 } });

function bodyOf(response: { body: string }): Record<string, unknown> {
  return JSON.parse(response.body) as Record<string, unknown>;
}

describe('routing', () => {
  it('a verified event reaches the handler registered for its name, with its payload and id', async () => {
    const webhooks = new Webhooks<Events>({ scheme: 'standard-webhooks', secret: SECRET });
    const seen: Array<{ id: string | undefined; amount: number }> = [];
    webhooks.on('payment.succeeded', (event) => {
      seen.push({ id: event.id, amount: event.payload.data.amount });
    });
    const response = await webhooks.handle(await request(paid(), { id: 'msg_route_1' }));
    expect(response.status).toBe(200);
    expect(bodyOf(response)).toEqual({ status: 'handled' });
    expect(seen).toEqual([{ id: 'msg_route_1', amount: 100 }]);
  });

  it('wildcards, * and several handlers per name all run, each once', async () => {
    const webhooks = new Webhooks<Events>({ scheme: 'standard-webhooks', secret: SECRET });
    const calls: string[] = [];
    webhooks.on('payment.succeeded', () => calls.push('exact-1'));
    webhooks.on('payment.succeeded', () => calls.push('exact-2'));
    webhooks.on('payment.*', (event) => {
      // The type narrows the payload: this compiles only because both payment payloads are in the union.
      calls.push(event.type === 'payment.failed' ? event.payload.data.reason : 'prefix');
    });
    webhooks.on('*', () => calls.push('all'));
    webhooks.on('customer.*', () => calls.push('wrong-prefix'));
    await webhooks.handle(await request(paid()));
    expect(calls.sort()).toEqual(['all', 'exact-1', 'exact-2', 'prefix']);
  });

  it('off removes a handler', async () => {
    const webhooks = new Webhooks<Events>({ scheme: 'standard-webhooks', secret: SECRET });
    let count = 0;
    const handler = () => {
      count++;
    };
    webhooks.on('payment.succeeded', handler).off('payment.succeeded', handler);
    const response = await webhooks.handle(await request(paid()));
    expect(bodyOf(response)).toEqual({ status: 'unhandled' });
    expect(count).toBe(0);
  });

  it('an event nobody handles is accepted by default and refused with 422 when unhandled is reject', async () => {
    const accept = new Webhooks({ scheme: 'standard-webhooks', secret: SECRET });
    expect((await accept.handle(await request(paid()))).status).toBe(200);
    const reject = new Webhooks({ scheme: 'standard-webhooks', secret: SECRET, unhandled: 'reject' });
    const refused = await reject.handle(await request(paid()));
    expect(refused.status).toBe(422);
    expect(bodyOf(refused).code).toBe('HOOKLINE_RECEIVER_UNHANDLED_EVENT');
  });

  it('a signed body without a type is a 400, not routed', async () => {
    const webhooks = new Webhooks({ scheme: 'standard-webhooks', secret: SECRET });
    webhooks.on('*', () => {
      throw new Error('must not run');
    });
    const response = await webhooks.handle(await request({ data: {} }));
    expect(response.status).toBe(400);
    expect(bodyOf(response).code).toBe('HOOKLINE_RECEIVER_MISSING_EVENT_TYPE');
  });
});

describe('verification comes first', () => {
  const webhooks = new Webhooks({ scheme: 'standard-webhooks', secret: SECRET });
  webhooks.on('*', () => {
    throw new Error('must not run');
  });

  it('a body signed with another secret is a 401 mismatch', async () => {
    const other = 'whsec_dGhpcyBpcyBub3QgdGhlIHNlY3JldCB5b3UgYXJlIGxvb2tpbmcgZm9y';
    const response = await webhooks.handle(await request(paid(), { secret: other }));
    expect(response.status).toBe(401);
    expect(bodyOf(response).code).toBe('HOOKLINE_SIGNATURE_MISMATCH');
  });

  it('a stale timestamp is a 401 that says so', async () => {
    const response = await webhooks.handle(await request(paid(), { timestamp: Math.floor(Date.now() / 1000) - 3600 }));
    expect(response.status).toBe(401);
    expect(bodyOf(response).code).toBe('HOOKLINE_SIGNATURE_TIMESTAMP_OUT_OF_TOLERANCE');
  });

  it('missing signature headers are a 401', async () => {
    const response = await webhooks.handle({
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      remoteAddress: '127.0.0.1',
      body: encoder.encode(JSON.stringify(paid())),
    });
    expect(response.status).toBe(401);
    expect(bodyOf(response).code).toBe('HOOKLINE_SIGNATURE_MISSING_HEADER');
  });

  it('malformed JSON is a 400 only once the signature holds; unsigned garbage is a 401', async () => {
    const signedGarbage = await webhooks.handle(await request('{"type": "payment.'));
    expect(signedGarbage.status).toBe(400);
    expect(bodyOf(signedGarbage).code).toBe('HOOKLINE_RECEIVER_MALFORMED_JSON');
    const unsigned = await webhooks.handle({
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      remoteAddress: undefined,
      body: encoder.encode('{"type": "payment.'),
    });
    expect(unsigned.status).toBe(401);
  });

  it('signed invalid UTF-8 is a 400', async () => {
    const bytes = new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]);
    const { standardWebhooks } = await import('@hookline/signatures');
    const headers = await standardWebhooks.sign({ body: bytes, id: uniqueId(), secret: SECRET });
    const response = await webhooks.handle({
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      remoteAddress: undefined,
      body: bytes,
    });
    expect(response.status).toBe(400);
    expect(bodyOf(response).detail).toContain('UTF-8');
  });

  it('wrong method is 405 with Allow, wrong content type 415, oversized body 413', async () => {
    const base = await request(paid());
    const get = await webhooks.handle({ ...base, method: 'PUT' });
    expect(get.status).toBe(405);
    expect(get.headers.allow).toBe('POST');
    const text = await webhooks.handle({
      ...base,
      headers: { ...(base.headers as object), 'content-type': 'text/plain' },
    });
    expect(text.status).toBe(415);
    const small = new Webhooks({ scheme: 'standard-webhooks', secret: SECRET, maxBodyBytes: 10 });
    const large = await small.handle(base);
    expect(large.status).toBe(413);
    expect(bodyOf(large).code).toBe('HOOKLINE_RECEIVER_PAYLOAD_TOO_LARGE');
  });
});

describe('dedupe', () => {
  it('a redelivered id is acknowledged and not handled again', async () => {
    const webhooks = new Webhooks<Events>({ scheme: 'standard-webhooks', secret: SECRET });
    let count = 0;
    webhooks.on('payment.succeeded', () => {
      count++;
    });
    const first = await webhooks.handle(await request(paid(), { id: 'msg_dup' }));
    const second = await webhooks.handle(await request(paid(), { id: 'msg_dup' }));
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(bodyOf(second)).toEqual({ status: 'duplicate' });
    expect(count).toBe(1);
  });

  it('a failed handler answers 500, releases the id, and the retry is handled', async () => {
    const webhooks = new Webhooks<Events>({ scheme: 'standard-webhooks', secret: SECRET });
    const errors: unknown[] = [];
    let attempts = 0;
    webhooks.on('payment.succeeded', () => {
      attempts++;
      if (attempts === 1) throw new Error('database down');
    });
    webhooks.onError((error) => errors.push(error));
    const first = await webhooks.handle(await request(paid(), { id: 'msg_retry' }));
    expect(first.status).toBe(500);
    expect(bodyOf(first).code).toBe('HOOKLINE_RECEIVER_HANDLER_FAILED');
    expect(first.body).not.toContain('database down');
    expect((errors[0] as Error).message).toBe('database down');
    const retry = await webhooks.handle(await request(paid(), { id: 'msg_retry' }));
    expect(retry.status).toBe(200);
    expect(attempts).toBe(2);
  });

  it('a redelivery while the first is still running gets 409 with Retry-After, not an acknowledgement', async () => {
    const webhooks = new Webhooks<Events>({ scheme: 'standard-webhooks', secret: SECRET });
    const hold = gate();
    webhooks.on('payment.succeeded', () => hold.promise);
    const first = webhooks.handle(await request(paid(), { id: 'msg_concurrent' }));
    const second = await webhooks.handle(await request(paid(), { id: 'msg_concurrent' }));
    expect(second.status).toBe(409);
    expect(second.headers['retry-after']).toBeDefined();
    hold.open();
    expect((await first).status).toBe(200);
  });

  it('dedupe: false handles every delivery', async () => {
    const webhooks = new Webhooks<Events>({ scheme: 'standard-webhooks', secret: SECRET, dedupe: false });
    let count = 0;
    webhooks.on('payment.succeeded', () => {
      count++;
    });
    await webhooks.handle(await request(paid(), { id: 'msg_nodedupe' }));
    await webhooks.handle(await request(paid(), { id: 'msg_nodedupe' }));
    expect(count).toBe(2);
  });
});

describe('validation', () => {
  // A hand-written Standard Schema v1 object, as zod, valibot or arktype would hand over.
  const amountSchema: StandardSchemaV1<unknown, { type: string; data: { id: string; amount: number } }> = {
    '~standard': {
      version: 1,
      vendor: 'test',
      validate(value) {
        const data = (value as { data?: { amount?: unknown } }).data;
        if (typeof data?.amount !== 'number')
          return { issues: [{ message: 'amount must be a number', path: ['data', { key: 'amount' }] }] };
        return {
          value: {
            ...(value as { type: string; data: { id: string; amount: number } }),
            data: { id: 'normalized', amount: data.amount },
          },
        };
      },
    },
  };

  it('an invalid payload is a 422 with the validator issues; a valid one reaches the handler as validated', async () => {
    const webhooks = new Webhooks<Events>({
      scheme: 'standard-webhooks',
      secret: SECRET,
      schemas: { 'payment.succeeded': amountSchema },
    });
    const ids: string[] = [];
    webhooks.on('payment.succeeded', (event) => {
      ids.push(event.payload.data.id);
    });
    const bad = await webhooks.handle(await request({ type: 'payment.succeeded', data: { amount: 'lots' } }));
    expect(bad.status).toBe(422);
    expect(bodyOf(bad)).toMatchObject({
      code: 'HOOKLINE_RECEIVER_INVALID_PAYLOAD',
      issues: [{ message: 'amount must be a number', path: ['data', 'amount'] }],
    });
    const good = await webhooks.handle(await request(paid('pay_x')));
    expect(good.status).toBe(200);
    expect(ids).toEqual(['normalized']);
  });

  it('a function validator (JSON Schema style) works the same', async () => {
    const { jsonSchemaValidator } = await import('@hookline/receiver');
    // Shaped like an ajv compiled function: returns a boolean and sets .errors.
    const compiled = Object.assign(
      (data: unknown) => {
        const ok = typeof (data as { data?: { email?: unknown } }).data?.email === 'string';
        compiled.errors = ok ? null : [{ instancePath: '/data/email', message: 'must be string' }];
        return ok;
      },
      { errors: null as null | Array<{ instancePath: string; message: string }> },
    );
    const webhooks = new Webhooks<Events>({
      scheme: 'standard-webhooks',
      secret: SECRET,
      schemas: { 'customer.created': jsonSchemaValidator(compiled) },
    });
    webhooks.on('customer.created', () => {});
    const bad = await webhooks.handle(await request({ type: 'customer.created', data: { email: 3 } }));
    expect(bad.status).toBe(422);
    expect(bodyOf(bad).issues).toEqual([{ message: 'must be string', path: ['data', 'email'] }]);
  });
});

describe('protection', () => {
  it('the allowlist admits addresses in its CIDR ranges only, IPv4 and IPv6', async () => {
    const webhooks = new Webhooks({
      scheme: 'standard-webhooks',
      secret: SECRET,
      allowlist: ['10.0.0.0/8', '2001:db8::/32'],
    });
    const inRange = await webhooks.handle(await request(paid(), { remoteAddress: '::ffff:10.1.2.3' }));
    const v6 = await webhooks.handle(await request(paid(), { remoteAddress: '2001:db8::1' }));
    const outside = await webhooks.handle(await request(paid(), { remoteAddress: '192.168.1.1' }));
    expect([inRange.status, v6.status, outside.status]).toEqual([200, 200, 403]);
    expect(bodyOf(outside).code).toBe('HOOKLINE_RECEIVER_ADDRESS_NOT_ALLOWED');
  });

  it('X-Forwarded-For is ignored unless trustProxy says whom to believe', async () => {
    const spoofed = { remoteAddress: '192.168.1.1', headers: { 'x-forwarded-for': '10.0.0.1' } };
    const strict = new Webhooks({ scheme: 'standard-webhooks', secret: SECRET, allowlist: ['10.0.0.0/8'] });
    expect((await strict.handle(await request(paid(), spoofed))).status).toBe(403);
    const proxied = new Webhooks({
      scheme: 'standard-webhooks',
      secret: SECRET,
      allowlist: ['10.0.0.0/8'],
      trustProxy: ['192.168.0.0/16'],
    });
    expect((await proxied.handle(await request(paid(), spoofed))).status).toBe(200);
  });

  it('the rate limit answers 429 with Retry-After once the bucket is empty, and refills with time', async () => {
    let now = 1_000_000;
    const webhooks = new Webhooks({
      scheme: 'standard-webhooks',
      secret: SECRET,
      rateLimit: { capacity: 2, refillPerSecond: 0.5, store: new MemoryRateLimitStore({ now: () => now }) },
    });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await webhooks.handle(await request(paid()))).status);
    expect(statuses).toEqual([200, 200, 429]);
    const limited = await webhooks.handle(await request(paid()));
    expect(limited.headers['retry-after']).toBe('2');
    const other = await webhooks.handle(await request(paid(), { remoteAddress: '127.0.0.2' }));
    expect(other.status).toBe(200);
    now += 2000;
    expect((await webhooks.handle(await request(paid()))).status).toBe(200);
  });
});

describe('ack-then-process and the check', () => {
  it('answers 202 before the handler has finished, and the handler still runs', async () => {
    const webhooks = new Webhooks<Events>({ scheme: 'standard-webhooks', secret: SECRET, mode: 'ack-then-process' });
    const hold = gate();
    const done: string[] = [];
    webhooks.on('payment.succeeded', async (event) => {
      await hold.promise;
      done.push(event.payload.data.id);
    });
    const response = await webhooks.handle(await request(paid('pay_ack'), { id: 'msg_ack' }));
    expect(response.status).toBe(202);
    expect(done).toEqual([]);
    const again = await webhooks.handle(await request(paid('pay_ack'), { id: 'msg_ack' }));
    expect(bodyOf(again)).toEqual({ status: 'duplicate' });
    hold.open();
    await webhooks.idle();
    expect(done).toEqual(['pay_ack']);
    expect(webhooks.recentEvents(2).map((e) => [e.id, e.status])).toEqual([
      ['msg_ack', 'duplicate'],
      ['msg_ack', 'handled'],
    ]);
  });

  it('a failing handler after the ack is reported to onError and logged as failed', async () => {
    const webhooks = new Webhooks<Events>({ scheme: 'standard-webhooks', secret: SECRET, mode: 'ack-then-process' });
    const errors: string[] = [];
    webhooks.on('payment.succeeded', () => {
      throw new Error('late failure');
    });
    webhooks.onError((error, event) => errors.push(`${event.id}: ${(error as Error).message}`));
    await webhooks.handle(await request(paid(), { id: 'msg_late' }));
    await webhooks.idle();
    expect(errors).toEqual(['msg_late: late failure']);
    expect(webhooks.recentEvents(1)[0]).toMatchObject({ status: 'failed', error: 'late failure' });
  });

  it('a check that says no rejects the event with 422 and the handler never runs; a later yes is handled', async () => {
    let genuine = false;
    const webhooks = new Webhooks<Events>({ scheme: 'standard-webhooks', secret: SECRET, check: async () => genuine });
    let handled = 0;
    webhooks.on('payment.succeeded', () => {
      handled++;
    });
    const refused = await webhooks.handle(await request(paid(), { id: 'msg_check' }));
    expect(refused.status).toBe(422);
    expect(bodyOf(refused).code).toBe('HOOKLINE_RECEIVER_EVENT_REJECTED');
    expect(handled).toBe(0);
    genuine = true;
    expect((await webhooks.handle(await request(paid(), { id: 'msg_check' }))).status).toBe(200);
    expect(handled).toBe(1);
  });
});

describe('event log', () => {
  it('records verified events only, newest first, and serves them on GET when authorized', async () => {
    const webhooks = new Webhooks<Events>({
      scheme: 'standard-webhooks',
      secret: SECRET,
      eventLog: { size: 2, authorize: (req) => (req.headers as Record<string, string>).authorization === 'Bearer ok' },
    });
    webhooks.on('payment.succeeded', () => {});
    await webhooks.handle(await request(paid(), { id: 'msg_log_1' }));
    await webhooks.handle(await request(paid(), { secret: 'whsec_dGhpcyBpcyBub3QgdGhlIHNlY3JldA==' }));
    await webhooks.handle(await request({ type: 'customer.created', data: { email: 'a@b' } }, { id: 'msg_log_2' }));
    await webhooks.handle(await request(paid(), { id: 'msg_log_3' }));
    expect(webhooks.recentEvents().map((e) => [e.id, e.status])).toEqual([
      ['msg_log_3', 'handled'],
      ['msg_log_2', 'unhandled'],
    ]);
    const get = { method: 'GET', remoteAddress: undefined, body: new Uint8Array() };
    const denied = await webhooks.handle({ ...get, headers: {} });
    expect(denied.status).toBe(403);
    const allowed = await webhooks.handle({ ...get, headers: { authorization: 'Bearer ok' } });
    expect(allowed.status).toBe(200);
    expect((bodyOf(allowed).events as unknown[]).length).toBe(2);
  });

  it('without authorize there is no GET route', async () => {
    const webhooks = new Webhooks({ scheme: 'standard-webhooks', secret: SECRET });
    const response = await webhooks.handle({
      method: 'GET',
      headers: {},
      remoteAddress: undefined,
      body: new Uint8Array(),
    });
    expect(response.status).toBe(405);
  });
});

describe('configuration', () => {
  it('refuses an unusable option at construction', () => {
    expect(() => new Webhooks({ scheme: 'standard-webhooks', secret: '' })).toThrow(/secret/);
    expect(() => new Webhooks({ scheme: 'standard-webhooks', secret: SECRET, allowlist: ['10.0.0.0/99'] })).toThrow(
      /CIDR/,
    );
    expect(() => new Webhooks({ scheme: 'standard-webhooks', secret: SECRET, maxBodyBytes: -1 })).toThrow(
      /maxBodyBytes/,
    );
  });
});
