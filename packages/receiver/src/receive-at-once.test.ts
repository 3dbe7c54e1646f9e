// The pipeline answers without a promise when every step can (key imported, memory dedupe, a handler returning
// no promise), and waits only where a step must: the answers are the same either way.
import { standardWebhooks } from '@hookline/signatures';
import { describe, expect, it } from 'vitest';
import { MemoryDedupeStore } from './dedupe/memory.js';
import { HANDLE_NOW } from './receive.js';
import type { IncomingWebhookRequest, WebhookResponse } from './types.js';
import { Webhooks } from './webhooks.js';

const encoder = new TextEncoder();
const T = 1_700_000_000;
const secret = standardWebhooks.generateSecret();

async function request(id: string): Promise<IncomingWebhookRequest> {
  const body = JSON.stringify({ type: 'payment.succeeded', data: { id } });
  const headers = await standardWebhooks.sign({ body, id, secret, timestamp: T });
  return {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    remoteAddress: '127.0.0.1',
    body: encoder.encode(body),
  };
}

/** HANDLE_NOW's answer: the answer itself when it came before the call returned, else a promise of it. */
function handleNow(webhooks: Webhooks, request: IncomingWebhookRequest): WebhookResponse | Promise<WebhookResponse> {
  let now: WebhookResponse | undefined;
  let later: ((answer: WebhookResponse) => void) | undefined;
  let replies = 0;
  webhooks[HANDLE_NOW](request, (answer) => {
    replies++;
    if (replies > 1) throw new Error('replied twice');
    if (later === undefined) now = answer;
    else later(answer);
  });
  return now ?? new Promise((resolve) => (later = resolve));
}

/** A receiver whose key is imported (one request handled), so a verify can answer at once. */
async function warmReceiver(handler: () => unknown): Promise<Webhooks> {
  const webhooks = new Webhooks({ scheme: 'standard-webhooks', secret, now: () => T * 1000 });
  webhooks.on('payment.succeeded', handler);
  await webhooks.handle(await request('msg_warm'));
  return webhooks;
}

describe('answering at once', () => {
  it('a verified, deduped event with a handler that returns no promise is answered without a promise', async () => {
    const handled: string[] = [];
    const webhooks = await warmReceiver(() => handled.push('ran'));
    const first = handleNow(webhooks, await request('msg_now_1'));
    expect(first).not.toBeInstanceOf(Promise);
    expect((first as WebhookResponse).body).toBe('{"status":"handled"}');
    const again = handleNow(webhooks, await request('msg_now_1'));
    expect((again as WebhookResponse).body).toBe('{"status":"duplicate"}');
    expect(handled).toEqual(['ran', 'ran']); // the warm-up and msg_now_1, once
  });

  it('a handler that returns a promise is waited for, and its failure is a 500 with the id released', async () => {
    let fail = true;
    const webhooks = await warmReceiver(async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (fail) throw new Error('not yet');
    });
    const failed = handleNow(webhooks, await request('msg_later'));
    expect(failed).toBeInstanceOf(Promise);
    expect((await failed).status).toBe(500);
    fail = false;
    expect((await handleNow(webhooks, await request('msg_later'))).body).toBe('{"status":"handled"}');
  });

  it('a refusal is answered at once too, and told to onRefused', async () => {
    const webhooks = await warmReceiver(() => undefined);
    const codes: string[] = [];
    webhooks.onRefused((refusal) => codes.push(refusal.code));
    const forged = { ...(await request('msg_forged')), body: encoder.encode('{"type":"payment.succeeded"}') };
    const answer = handleNow(webhooks, forged);
    expect(answer).not.toBeInstanceOf(Promise);
    expect((answer as WebhookResponse).status).toBe(401);
    expect(codes).toEqual(['HOOKLINE_SIGNATURE_MISMATCH']);
  });

  it('a handler throwing at once is a 500, the id released so the retry runs', async () => {
    let fail = true;
    const webhooks = await warmReceiver(() => {
      if (fail) throw new Error('boom');
    });
    expect(((await webhooks.handle(await request('msg_throw'))) as WebhookResponse).status).toBe(500);
    fail = false;
    expect((await webhooks.handle(await request('msg_throw'))).body).toBe('{"status":"handled"}');
  });
});

describe('MemoryDedupeStore at once', () => {
  it('claimNow and completeNow give the answers claim and complete give', async () => {
    let now = 5_000;
    const store = new MemoryDedupeStore({ now: () => now });
    expect(store.claimNow('a', 10)).toBe('claimed');
    expect(await store.claim('a', 10)).toBe('in-progress');
    now += 10_001; // the lease ran out
    expect(store.claimNow('a', 10)).toBe('claimed');
    store.completeNow('a', 60);
    expect(await store.claim('a', 10)).toBe('done');
    now += 60_001;
    expect(store.claimNow('a', 10)).toBe('claimed');
  });
});
