import { describe, expect, it } from 'vitest';
import { deliveryHeaders, isReservedHeader } from './delivery-headers.js';

const SIGNED = { 'webhook-id': 'msg_1', 'webhook-timestamp': '1', 'webhook-signature': 'v1,abc' };

describe('deliveryHeaders', () => {
  it('sends the endpoint custom headers beside the signature headers', () => {
    expect(
      deliveryHeaders(
        { 'X-Tenant': 'acme', authorization: 'Bearer t' },
        SIGNED,
        'Hookline/1',
        'invoice.paid',
        'webhook',
      ),
    ).toEqual({
      'X-Tenant': 'acme',
      authorization: 'Bearer t',
      ...SIGNED,
      'webhook-event-type': 'invoice.paid',
      'content-type': 'application/json',
      'user-agent': 'Hookline/1',
    });
  });

  it('names the event type with the endpoint header prefix: svix-event-type beside svix-id', () => {
    const headers = deliveryHeaders({}, { 'svix-id': 'msg_1' }, 'Hookline/1', 'invoice.paid', 'svix');
    expect(headers['svix-event-type']).toBe('invoice.paid');
    expect(headers).not.toHaveProperty('webhook-event-type');
  });

  it('never lets a custom header replace a signature, the content type or the framing, in any casing', () => {
    const headers = deliveryHeaders(
      {
        'Webhook-Signature': 'v1,forged',
        'SVIX-ID': 'x',
        'Content-Type': 'text/plain',
        'Content-Length': '1',
        Host: 'h',
        'Webhook-Event-Type': 'forged.type',
      },
      SIGNED,
      'Hookline/1',
      'invoice.paid',
      'webhook',
    );
    expect(Object.keys(headers).sort()).toEqual(
      [
        'content-type',
        'user-agent',
        'webhook-event-type',
        'webhook-id',
        'webhook-signature',
        'webhook-timestamp',
      ].sort(),
    );
    expect(headers['webhook-event-type']).toBe('invoice.paid');
    expect(headers['webhook-signature']).toBe('v1,abc');
  });

  it('isReservedHeader knows the reserved names and prefixes only', () => {
    expect(isReservedHeader('webhook-anything')).toBe(true);
    expect(isReservedHeader('Transfer-Encoding')).toBe(true);
    expect(isReservedHeader('x-webhook-source')).toBe(false);
    expect(isReservedHeader('authorization')).toBe(false);
  });
});
