// The always-acknowledge policy under a storm of bad input, through a framework adapter over real HTTP: every
// request (malformed, wrong method, oversized, wrong or missing media type, missing fields, NUL bytes, deep JSON,
// a forged id, a payment API that fails) is answered exactly like a genuine callback, `200 success` with the
// same headers, so the answer says nothing about why; what happened reaches onRefused, onError and the event log.
import { request as httpRequest } from 'node:http';
import {
  type EventMap,
  fetchBackCheck,
  identifyFields,
  type Refusal,
  type WebhookEvent,
  Webhooks,
} from '@hookline/receiver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdapterServer } from './adapter-suite.js';
import { type FakePaymentApi, startFakePaymentApi } from './fake-payment-api.js';

type Start = (webhooks: Webhooks<EventMap>) => Promise<AdapterServer>;

const LIMIT_BYTES = 16 * 1024;

interface Input {
  name: string;
  method: string;
  /** Appended to the endpoint, with its `?`. */
  query?: string;
  headers?: Record<string, string>;
  body?: Buffer;
  /** Send the body chunked, with no declared length (the limit is then found while reading). */
  chunked?: boolean;
  /** The honest code told to onRefused; undefined when the request is genuine. */
  refused?: string;
}

const json = { 'content-type': 'application/json' };
const form = { 'content-type': 'application/x-www-form-urlencoded' };
const deepArray = `${'['.repeat(7_000)}${']'.repeat(7_000)}`; // within the limit, so it is parsed
const deepObject = `${'{"id":'.repeat(2_000)}"pay_paid"${'}'.repeat(2_000)}`;

const INPUTS: Input[] = [
  { name: 'genuine', method: 'GET', query: '?id=pay_storm_paid' },
  { name: 'genuine, sent again', method: 'GET', query: '?id=pay_storm_paid' },
  { name: 'forged id', method: 'GET', query: '?id=pay_forged', refused: 'HOOKLINE_RECEIVER_EVENT_REJECTED' },
  { name: 'no parameters', method: 'GET', refused: 'HOOKLINE_RECEIVER_EVENT_REJECTED' },
  { name: 'empty id', method: 'GET', query: '?id=', refused: 'HOOKLINE_RECEIVER_EVENT_REJECTED' },
  {
    name: 'other parameters only',
    method: 'GET',
    query: '?order=1&amount=9',
    refused: 'HOOKLINE_RECEIVER_EVENT_REJECTED',
  },
  {
    name: 'NUL in the query',
    method: 'GET',
    query: '?id=pay_storm_paid%00',
    refused: 'HOOKLINE_RECEIVER_EVENT_REJECTED',
  },
  {
    name: 'id repeated',
    method: 'GET',
    query: '?id=pay_storm_paid&id=pay_x',
    refused: 'HOOKLINE_RECEIVER_EVENT_REJECTED',
  },
  {
    name: 'payment API failing',
    method: 'GET',
    query: '?id=pay_storm_broken',
    refused: 'HOOKLINE_RECEIVER_HANDLER_FAILED',
  },
  {
    name: 'malformed JSON',
    method: 'POST',
    headers: json,
    body: Buffer.from('{"id":'),
    refused: 'HOOKLINE_RECEIVER_MALFORMED_JSON',
  },
  {
    name: 'empty JSON body',
    method: 'POST',
    headers: json,
    body: Buffer.alloc(0),
    refused: 'HOOKLINE_RECEIVER_MALFORMED_JSON',
  },
  {
    name: 'NUL byte inside a JSON string',
    method: 'POST',
    headers: json,
    body: Buffer.from('{"id":"pay_storm_paid\u0000"}'),
    refused: 'HOOKLINE_RECEIVER_MALFORMED_JSON',
  },
  {
    name: 'escaped NUL in JSON',
    method: 'POST',
    headers: json,
    body: Buffer.from('{"id":"pay_storm_paid\\u0000"}'),
    refused: 'HOOKLINE_RECEIVER_EVENT_REJECTED',
  },
  {
    name: 'JSON that is not an object',
    method: 'POST',
    headers: json,
    body: Buffer.from('"pay_storm_paid"'),
    refused: 'HOOKLINE_RECEIVER_EVENT_REJECTED',
  },
  {
    name: 'deeply nested JSON array',
    method: 'POST',
    headers: json,
    body: Buffer.from(deepArray),
    refused: 'HOOKLINE_RECEIVER_EVENT_REJECTED',
  },
  {
    name: 'deeply nested JSON object',
    method: 'POST',
    headers: json,
    body: Buffer.from(deepObject),
    refused: 'HOOKLINE_RECEIVER_EVENT_REJECTED',
  },
  {
    name: 'NUL in a form',
    method: 'POST',
    headers: form,
    body: Buffer.from('id=%00'),
    refused: 'HOOKLINE_RECEIVER_EVENT_REJECTED',
  },
  {
    name: 'invalid UTF-8 in a form',
    method: 'POST',
    headers: form,
    body: Buffer.from([0x69, 0x64, 0x3d, 0xff, 0xfe]),
    refused: 'HOOKLINE_RECEIVER_MALFORMED_FORM',
  },
  {
    name: 'text/xml',
    method: 'POST',
    headers: { 'content-type': 'text/xml' },
    body: Buffer.from('<id>pay_storm_paid</id>'),
    refused: 'HOOKLINE_RECEIVER_UNSUPPORTED_MEDIA_TYPE',
  },
  {
    name: 'no content type',
    method: 'POST',
    body: Buffer.from('id=pay_storm_paid'),
    refused: 'HOOKLINE_RECEIVER_UNSUPPORTED_MEDIA_TYPE',
  },
  {
    name: 'multipart',
    method: 'POST',
    headers: { 'content-type': 'multipart/form-data; boundary=x' },
    body: Buffer.from('--x\r\nContent-Disposition: form-data; name="id"\r\n\r\npay_storm_paid\r\n--x--\r\n'),
    refused: 'HOOKLINE_RECEIVER_UNSUPPORTED_MEDIA_TYPE',
  },
  {
    name: 'PUT',
    method: 'PUT',
    headers: form,
    body: Buffer.from('id=pay_storm_paid'),
    refused: 'HOOKLINE_RECEIVER_METHOD_NOT_ALLOWED',
  },
  { name: 'DELETE', method: 'DELETE', query: '?id=pay_storm_paid', refused: 'HOOKLINE_RECEIVER_METHOD_NOT_ALLOWED' },
  {
    name: 'PATCH',
    method: 'PATCH',
    headers: json,
    body: Buffer.from('{"id":"pay_storm_paid"}'),
    refused: 'HOOKLINE_RECEIVER_METHOD_NOT_ALLOWED',
  },
  {
    name: 'over the limit, declared',
    method: 'POST',
    headers: form,
    body: Buffer.from(`id=pay_storm_paid&pad=${'x'.repeat(4 * LIMIT_BYTES)}`),
    refused: 'HOOKLINE_RECEIVER_PAYLOAD_TOO_LARGE',
  },
  {
    name: 'over the limit, chunked',
    method: 'POST',
    headers: form,
    body: Buffer.from(`id=pay_storm_paid&pad=${'x'.repeat(4 * LIMIT_BYTES)}`),
    chunked: true,
    refused: 'HOOKLINE_RECEIVER_PAYLOAD_TOO_LARGE',
  },
];

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

// Transport headers, set by the HTTP layer (and `connection: close` after a body left unread), not by the policy.
const TRANSPORT_HEADERS = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding']);

/** node:http rather than fetch: any method with any body, chunked or declared, and the answer even if the
 * server stops reading an oversized body. */
function send(endpoint: string, input: Input): Promise<Answer> {
  const url = new URL(`${endpoint}${input.query ?? ''}`);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      {
        method: input.method,
        headers: {
          ...input.headers,
          ...(input.body !== undefined && input.chunked !== true
            ? { 'content-length': String(input.body.length) }
            : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const headers: Record<string, string> = {};
          for (const [name, value] of Object.entries(res.headers)) {
            if (!TRANSPORT_HEADERS.has(name) && value !== undefined) headers[name] = String(value);
          }
          resolve({ status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks).toString() });
        });
      },
    );
    // Once the answer is in, a write the server no longer reads may fail: that is the server refusing to read.
    req.on('error', reject);
    if (input.chunked === true && input.body !== undefined) {
      for (let offset = 0; offset < input.body.length; offset += 4096)
        req.write(input.body.subarray(offset, offset + 4096));
      req.end();
    } else req.end(input.body);
  });
}

export function describeAcknowledgeStorm(name: string, start: Start): void {
  describe(`${name} adapter (always acknowledge, a storm of bad input)`, () => {
    let api: FakePaymentApi;
    let server: AdapterServer;
    const handled: string[] = [];
    const refusals: Refusal[] = [];
    const errors: Array<{ error: unknown; event: WebhookEvent }> = [];
    let webhooks: Webhooks<EventMap>;

    beforeAll(async () => {
      api = await startFakePaymentApi(new Set(['pay_storm_paid']), new Set(['pay_storm_broken']));
      webhooks = new Webhooks({
        scheme: 'unsigned',
        check: fetchBackCheck({
          url: `${api.url}/v1/payments/{id}`,
          expect: { field: 'status', equals: 'paid' },
          network: { allowPrivateNetworks: true }, // the fake API is on loopback
        }),
        identify: identifyFields({ type: 'payment.paid', idField: 'id' }),
        respond: { acknowledge: 'success' },
        maxBodyBytes: LIMIT_BYTES,
      });
      webhooks.on('payment.paid', (event) => {
        handled.push(event.id ?? '');
      });
      webhooks.onRefused((refusal) => refusals.push(refusal));
      webhooks.onError((error, event) => errors.push({ error, event }));
      server = await start(webhooks);
    });
    afterAll(async () => {
      await server?.close();
      await api?.close();
    });

    it('every input is answered like the genuine one; why goes to onRefused, onError and the event log', async () => {
      const answers: Array<[string, Answer]> = [];
      for (const input of INPUTS) answers.push([input.name, await send(server.endpoint, input)]);

      const genuine = answers[0]?.[1];
      expect(genuine).toMatchObject({ status: 200, body: 'success' });
      expect(genuine?.headers['content-type']).toBe('text/plain; charset=utf-8');
      for (const [inputName, answer] of answers)
        expect({ input: inputName, ...answer }).toEqual({ input: inputName, ...genuine });

      // The genuine callback ran once; its repeat was a duplicate; nothing else was handled.
      expect(handled).toEqual(['pay_storm_paid']);
      // One refusal per bad input, in order, each with its honest code.
      const refused = INPUTS.filter((input) => input.refused !== undefined);
      expect(refusals.map((r) => r.code)).toEqual(refused.map((input) => input.refused));
      expect(refusals.find((r) => r.event?.id === 'pay_forged')).toMatchObject({
        status: 422,
        reason: 'the fetch-back answered 404',
      });
      // The payment API that failed: onError has the event, and the event log shows it failed.
      expect(errors.map(({ event }) => event.id)).toEqual(['pay_storm_broken']);
      const log = webhooks.recentEvents();
      expect(log.find((entry) => entry.id === 'pay_storm_broken')).toMatchObject({ status: 'failed' });
      expect(log.find((entry) => entry.id === 'pay_forged')).toMatchObject({ status: 'rejected' });
      const genuineLog = log.filter((entry) => entry.id === 'pay_storm_paid').map((entry) => entry.status);
      expect(genuineLog).toEqual(['duplicate', 'handled']); // newest first
      // Only identified callbacks with an id reached the payment API, each once.
      expect(api.asked.filter((id) => id === 'pay_storm_paid')).toHaveLength(1);
    });
  });
}
