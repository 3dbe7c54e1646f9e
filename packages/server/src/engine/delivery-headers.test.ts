import { describe, expect, it } from 'vitest';
import { deliveryHeaders, isReservedHeader } from './delivery-headers.js';

const SIGNED = { 'webhook-id': 'msg_1', 'webhook-timestamp': '1', 'webhook-signature': 'v1,abc' };

describe('deliveryHeaders', () => {
  it('sends the endpoint custom headers beside the signature headers', () => {
    expect(deliveryHeaders({ 'X-Tenant': 'acme', authorization: 'Bearer t' }, SIGNED, 'Hookline/1')).toEqual({
      'X-Tenant': 'acme',
      authorization: 'Bearer t',
      ...SIGNED,
      'content-type': 'application/json',
      'user-agent': 'Hookline/1',
    });
  });

  it('never lets a custom header replace a signature, the content type or the framing, in any casing', () => {
    const headers = deliveryHeaders(
      {
        'Webhook-Signature': 'v1,forged',
        'SVIX-ID': 'x',
        'Content-Type': 'text/plain',
        'Content-Length': '1',
        Host: 'h',
      },
      SIGNED,
      'Hookline/1',
    );
    expect(Object.keys(headers).sort()).toEqual(
      ['content-type', 'user-agent', 'webhook-id', 'webhook-signature', 'webhook-timestamp'].sort(),
    );
    expect(headers['webhook-signature']).toBe('v1,abc');
  });

  it('isReservedHeader knows the reserved names and prefixes only', () => {
    expect(isReservedHeader('webhook-anything')).toBe(true);
    expect(isReservedHeader('Transfer-Encoding')).toBe(true);
    expect(isReservedHeader('x-webhook-source')).toBe(false);
    expect(isReservedHeader('authorization')).toBe(false);
  });
});
