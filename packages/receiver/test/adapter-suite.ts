// One suite for every framework adapter: the same signed and malformed requests against a real server on
// loopback must get the same answers, whatever framework sits in front.
import { type EventMap, Webhooks } from '@hookline/receiver';
import { standardWebhooks } from '@hookline/signatures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeAcknowledgeStorm } from './acknowledge-storm-suite.js';
import { describeCallbacks } from './callback-suite.js';
import { post, type Running, SECRET, signedStandard, uniqueId } from './support.js';

export interface AdapterServer extends Running {
  /** The full URL webhooks are posted to. */
  endpoint: string;
}

export function describeAdapter(name: string, start: (webhooks: Webhooks<EventMap>) => Promise<AdapterServer>): void {
  describeCallbacks(name, start);
  describeAcknowledgeStorm(name, start);
  describe(`${name} adapter (shared suite)`, () => {
    const webhooks = new Webhooks({ scheme: 'standard-webhooks', secret: SECRET, maxBodyBytes: 32 * 1024 });
    const handled: unknown[] = [];
    webhooks.on('payment.succeeded', (event) => {
      handled.push(event.payload);
    });
    let server: AdapterServer;

    beforeAll(async () => {
      server = await start(webhooks);
    });
    afterAll(() => server?.close());

    it('handles a signed event with its exact payload', async () => {
      const payload = { type: 'payment.succeeded', data: { id: uniqueId('pay'), note: 'caf\u00e9 \u2603' } };
      const response = await post(server.endpoint, await signedStandard(payload));
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ status: 'handled' });
      expect(handled).toContainEqual(payload);
    });

    it('verifies the bytes as sent: a BOM and odd spacing survive', async () => {
      const body = '\ufeff{ "type" : "payment.succeeded",\n "data": {"id": "bom"} }';
      const response = await post(server.endpoint, await signedStandard(body));
      expect(response.status).toBe(200);
    });

    it('rejects a tampered body with 401 and the signature code', async () => {
      const signed = await signedStandard({ type: 'payment.succeeded', data: { amount: 1 } });
      const response = await post(server.endpoint, { ...signed, body: signed.body.replace('1', '9') });
      expect(response.status).toBe(401);
      expect(response.body.code).toBe('HOOKLINE_SIGNATURE_MISMATCH');
    });

    it('answers malformed JSON 400, wrong content type 415, wrong method 405, all as {code, detail}', async () => {
      const malformed = await post(server.endpoint, await signedStandard('{"type":'));
      expect(malformed.status).toBe(400);
      const signed = await signedStandard({ type: 'payment.succeeded' });
      const text = await post(server.endpoint, {
        ...signed,
        headers: { ...signed.headers, 'content-type': 'text/plain' },
      });
      expect(text.status).toBe(415);
      const put = await fetch(server.endpoint, {
        method: 'PUT',
        body: '{}',
        headers: { 'content-type': 'application/json' },
      });
      expect(put.status).toBe(405);
      for (const body of [malformed.body, text.body, await put.json()]) {
        expect(Object.keys(body as object).sort()).toEqual(['code', 'detail']);
      }
    });

    it('answers an oversized body 413 with the receiver code', async () => {
      const big = JSON.stringify({ type: 'payment.succeeded', pad: 'x'.repeat(64 * 1024) });
      const headers = await standardWebhooks.sign({ body: big, id: uniqueId(), secret: SECRET });
      const response = await fetch(server.endpoint, {
        method: 'POST',
        body: big,
        headers: { ...headers, 'content-type': 'application/json' },
      });
      expect(response.status).toBe(413);
      expect(await response.json()).toMatchObject({ code: 'HOOKLINE_RECEIVER_PAYLOAD_TOO_LARGE' });
    });
  });
}
