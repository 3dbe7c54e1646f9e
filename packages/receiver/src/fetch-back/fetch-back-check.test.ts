// The fetch-back check against a real HTTP server on loopback standing in for a provider's API: what it asks,
// what each answer means, and the SSRF guard (literal addresses at configuration, resolved names at connect).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Running, startNodeServer } from '../../test/support.js';
import { FetchBackAddressRefusedError, FetchBackUnavailableError, InvalidConfigurationError } from '../errors.js';
import { fetchBackCheck } from './fetch-back-check.js';
import { fetchTransport } from './fetch-transport.js';
import { nodeTransport, type ResolveHost } from './node-transport.js';

interface Seen {
  path: string;
  authorization: string | undefined;
}

let api: Running;
const seen: Seen[] = [];
const held: ServerResponse[] = [];

function answer(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://x');
  seen.push({ path: `${url.pathname}${url.search}`, authorization: req.headers.authorization });
  const id = decodeURIComponent(url.pathname.split('/').pop() ?? '');
  const json = (status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  if (id === 'pay_paid') json(200, { id, status: 'paid' });
  else if (id === 'pay_pending') json(200, { id, status: 'pending' });
  else if (id === 'pay_down') json(503, { error: 'maintenance' });
  else if (id === 'pay_redirect') {
    res.writeHead(302, { location: '/v1/payments/pay_paid' });
    res.end();
  } else if (id === 'pay_huge') json(200, { pad: 'x'.repeat(64 * 1024) });
  else if (id === 'pay_slow') held.push(res);
  else json(404, { error: 'no such payment' });
}

beforeAll(async () => {
  api = await startNodeServer(answer);
});
afterAll(async () => {
  for (const res of held) res.destroy();
  await api.close();
});

const local = { allowPrivateNetworks: true };

describe('fetchBackCheck', () => {
  it('asks the URL filled from the callback fields, with the configured headers, and accepts a paid id', async () => {
    const check = fetchBackCheck({
      url: `${api.url}/v1/payments/{id}?shop={shop}`,
      headers: { authorization: 'Bearer sk_test_1' },
      expect: { field: 'status', equals: 'paid' },
      network: local,
    });
    const before = seen.length;
    expect(await check({ payload: { id: 'pay_paid', shop: 'acme & co' } })).toEqual({ accepted: true });
    expect(seen.slice(before)).toEqual([
      { path: '/v1/payments/pay_paid?shop=acme%20%26%20co', authorization: 'Bearer sk_test_1' },
    ]);
  });

  it('refuses an unknown id (404), a pending one, and a redirect, each with its reason', async () => {
    const check = fetchBackCheck({
      url: `${api.url}/v1/payments/{id}`,
      expect: { field: 'status', equals: 'paid' },
      network: local,
    });
    expect(await check({ payload: { id: 'pay_forged' } })).toEqual({
      accepted: false,
      reason: 'the fetch-back answered 404',
    });
    expect(await check({ payload: { id: 'pay_pending' } })).toEqual({
      accepted: false,
      reason: 'the fetch-back answer has status = "pending", expected "paid"',
    });
    expect(await check({ payload: { id: 'pay_redirect' } })).toEqual({
      accepted: false,
      reason: 'the fetch-back answered 302 (redirects are not followed)',
    });
  });

  it('refuses a callback without the field it needs, without asking anything', async () => {
    const check = fetchBackCheck({ url: `${api.url}/v1/payments/{id}`, network: local });
    const before = seen.length;
    expect(await check({ payload: { other: '1' } })).toEqual({ accepted: false, reason: 'field id is missing' });
    expect(seen.length).toBe(before);
  });

  it('cannot tell when the API is down, too slow, or answers too much: it throws, so the event is retried', async () => {
    // Only the API that never answers meets the short timeout: the others answer, and on a busy machine an
    // answer may take longer than 300 ms, so they are asked with time to spare.
    const check = fetchBackCheck({
      url: `${api.url}/v1/payments/{id}`,
      network: local,
      timeoutMs: 20_000,
      maxResponseBytes: 1024,
    });
    const impatient = fetchBackCheck({ url: `${api.url}/v1/payments/{id}`, network: local, timeoutMs: 300 });
    await expect(check({ payload: { id: 'pay_down' } })).rejects.toThrow(FetchBackUnavailableError);
    await expect(impatient({ payload: { id: 'pay_slow' } })).rejects.toThrow(/took over 300 ms/);
    await expect(check({ payload: { id: 'pay_huge' } })).rejects.toThrow(/over 1024 bytes/);
  });

  it('an API that cannot be reached is "cannot tell", not "no"', async () => {
    const closed = await startNodeServer(() => {});
    const url = closed.url;
    await closed.close();
    const check = fetchBackCheck({ url: `${url}/v1/payments/{id}`, network: local });
    await expect(check({ payload: { id: 'pay_paid' } })).rejects.toThrow(FetchBackUnavailableError);
  });

  it('the fetch transport (edge runtimes) gives the same verdicts', async () => {
    const check = fetchBackCheck({
      url: `${api.url}/v1/payments/{id}`,
      expect: { field: 'status', equals: 'paid' },
      network: local,
      transport: fetchTransport,
      timeoutMs: 20_000,
    });
    const impatient = fetchBackCheck({
      url: `${api.url}/v1/payments/{id}`,
      network: local,
      transport: fetchTransport,
      timeoutMs: 300,
    });
    expect(await check({ payload: { id: 'pay_paid' } })).toEqual({ accepted: true });
    expect(await check({ payload: { id: 'pay_forged' } })).toMatchObject({ accepted: false });
    await expect(check({ payload: { id: 'pay_down' } })).rejects.toThrow(FetchBackUnavailableError);
    await expect(impatient({ payload: { id: 'pay_slow' } })).rejects.toThrow(/took over 300 ms/);
  });
});

describe('fetchBackCheck SSRF guard', () => {
  it('by default refuses, at configuration, a URL on a loopback or private address or a localhost name', () => {
    for (const url of [
      `${api.url}/v1/payments/{id}`,
      'http://10.0.0.5/v1/{id}',
      'http://[::1]:8080/v1/{id}',
      'http://0x7f.1/v1/{id}',
      'http://169.254.169.254/latest/meta-data/{id}',
      'http://localhost:8080/v1/{id}',
    ]) {
      expect(() => fetchBackCheck({ url }), url).toThrow(InvalidConfigurationError);
    }
    expect(() => fetchBackCheck({ url: 'file:///etc/{id}' })).toThrow(/use http or https/);
  });

  // A public-looking name whose DNS answer is loopback (or DNS rebinding): refused when the socket would connect.
  const resolvesTo =
    (...addresses: string[]): ResolveHost =>
    (_hostname, _options, callback) =>
      callback(
        null,
        addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
      );

  it('refuses at connect a name that resolves to a private address, and sends nothing', async () => {
    const before = seen.length;
    const check = fetchBackCheck({
      url: `http://api.pay.test:${api.port}/v1/payments/{id}`,
      transport: nodeTransport({ resolveHost: resolvesTo('127.0.0.1') }),
    });
    await expect(check({ payload: { id: 'pay_paid' } })).rejects.toThrow(FetchBackAddressRefusedError);
    const mixed = fetchBackCheck({
      url: `http://api.pay.test:${api.port}/v1/payments/{id}`,
      transport: nodeTransport({ resolveHost: resolvesTo('93.184.216.34', '127.0.0.1') }),
    });
    await expect(mixed({ payload: { id: 'pay_paid' } })).rejects.toThrow(
      /127\.0\.0\.1 \(resolved from api\.pay\.test\)/,
    );
    expect(seen.length).toBe(before);
  });

  it('with allowPrivateNetworks (local development) the same name reaches the local API', async () => {
    const check = fetchBackCheck({
      url: `http://api.pay.test:${api.port}/v1/payments/{id}`,
      network: local,
      transport: nodeTransport({ resolveHost: resolvesTo('127.0.0.1') }),
    });
    expect(await check({ payload: { id: 'pay_paid' } })).toEqual({ accepted: true });
  });

  it('allowedCidrs opens the ranges named and no other', async () => {
    const check = fetchBackCheck({
      url: `http://api.pay.test:${api.port}/v1/payments/{id}`,
      network: { allowedCidrs: ['127.0.0.0/8'] },
      transport: nodeTransport({ resolveHost: resolvesTo('127.0.0.1') }),
    });
    expect(await check({ payload: { id: 'pay_paid' } })).toEqual({ accepted: true });
    const other = fetchBackCheck({
      url: `http://api.pay.test:${api.port}/v1/payments/{id}`,
      network: { allowedCidrs: ['10.0.0.0/8'] },
      transport: nodeTransport({ resolveHost: resolvesTo('127.0.0.1') }),
    });
    await expect(other({ payload: { id: 'pay_paid' } })).rejects.toThrow(FetchBackAddressRefusedError);
  });

  it('refuses options that cannot work, at configuration', () => {
    expect(() => fetchBackCheck({ url: 'https://api.pay.example/{id}', timeoutMs: 0 })).toThrow(/timeoutMs/);
    expect(() => fetchBackCheck({ url: 'https://api.pay.example/{id}', headers: { 'x-a': 'b\r\nc: d' } })).toThrow(
      /not a usable header/,
    );
    expect(() => fetchBackCheck({ url: 'https://api.pay.example/{id}', expect: { field: '', equals: 1 } })).toThrow(
      /expect.field/,
    );
  });
});
