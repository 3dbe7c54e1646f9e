import { github, hmacSha256, standardWebhooks } from '@hookline/signatures';
import { describe, expect, it } from 'vitest';
import { deliveryHeaders } from './delivery-headers.js';
import { deliveryBody, type SigningInput, schemeAcceptsSecret, signDelivery } from './delivery-signing.js';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const OLD = 'whsec_dGhlIG9sZCBzZWNyZXQgb2YgdGhpcyBlbmRwb2ludA==';
const input = (overrides: Partial<SigningInput> = {}): SigningInput => ({
  scheme: 'standard-webhooks',
  headerPrefix: 'webhook',
  messageId: 'msg_1',
  eventType: 'invoice.paid',
  body: '{"n":1}',
  secrets: [SECRET, OLD],
  timestampSeconds: Math.floor(Date.now() / 1000),
  ...overrides,
});

describe('deliveryBody', () => {
  it('json sends the payload as published; form puts it in the field payload, URL-encoded', () => {
    expect(deliveryBody('{"a":"b c"}', 'json')).toEqual({ body: '{"a":"b c"}', contentType: 'application/json' });
    const form = deliveryBody('{"a":"b c&d=e"}', 'form');
    expect(form.contentType).toBe('application/x-www-form-urlencoded');
    expect(form.body.startsWith('payload=')).toBe(true);
    expect(new URLSearchParams(form.body).get('payload')).toBe('{"a":"b c&d=e"}');
  });
});

describe('signDelivery', () => {
  it('standard-webhooks signs with every active secret', async () => {
    const headers = await signDelivery(input());
    expect(headers['webhook-signature']?.split(' ')).toHaveLength(2);
    for (const secret of [SECRET, OLD]) {
      await expect(standardWebhooks.verify({ body: '{"n":1}', headers, secret })).resolves.toBeDefined();
    }
  });

  it('hmac-sha256 and github sign with the newest secret alone, beside the event and its id', async () => {
    const plain = await signDelivery(input({ scheme: 'hmac-sha256' }));
    expect(Object.keys(plain).sort()).toEqual(['x-webhook-event', 'x-webhook-event-id', 'x-webhook-signature']);
    expect(plain['x-webhook-signature']).not.toContain(',');
    await expect(hmacSha256.verify({ body: '{"n":1}', headers: plain, secret: SECRET })).resolves.toBeDefined();
    await expect(hmacSha256.verify({ body: '{"n":1}', headers: plain, secret: OLD })).rejects.toThrow();
    const gh = await signDelivery(input({ scheme: 'github' }));
    expect(gh).toMatchObject({ 'x-github-event': 'invoice.paid', 'x-github-delivery': 'msg_1' });
    await expect(github.verify({ body: '{"n":1}', headers: gh, secret: SECRET })).resolves.toBeDefined();
  });

  it('an Ed25519 key cannot sign the HMAC-only schemes: an error, which the engine records as a failed attempt', async () => {
    const { secretKey } = await standardWebhooks.generateKeyPair();
    expect(schemeAcceptsSecret('github', secretKey)).toBe(false);
    expect(schemeAcceptsSecret('standard-webhooks', secretKey)).toBe(true);
    await expect(signDelivery(input({ scheme: 'github', secrets: [secretKey] }))).rejects.toThrow(/whsk_/);
    await expect(signDelivery(input({ scheme: 'hmac-sha256', secrets: [] }))).rejects.toThrow(/no active secret/);
  });

  it('a custom header spelled like a scheme header in another case never goes out beside it', async () => {
    const signed = await signDelivery(input({ scheme: 'github' }));
    const headers = deliveryHeaders(
      { 'X-Hub-Signature-256': 'sha256=forged', 'X-Team': 'a' },
      signed,
      'UA',
      'e',
      'webhook',
    );
    expect(Object.keys(headers).filter((name) => name.toLowerCase() === 'x-hub-signature-256')).toEqual([
      'x-hub-signature-256',
    ]);
    expect(headers['X-Team']).toBe('a');
  });
});
