import { describe, expect, it } from 'vitest';
import { identifyFields, identifyStandardWebhooks } from './identify.js';

describe('identifyStandardWebhooks', () => {
  it('routes on the body type when there is one', () => {
    expect(
      identifyStandardWebhooks({
        headers: { 'webhook-event-type': 'invoice.paid' },
        payload: { type: 'invoice.voided' },
        verifiedId: 'msg_1',
      }),
    ).toEqual({ type: 'invoice.voided', id: 'msg_1' });
  });

  it('falls back to the webhook-event-type (or svix-event-type) header Hookline sends, for payloads without a type', () => {
    expect(
      identifyStandardWebhooks({
        headers: { 'Webhook-Event-Type': 'invoice.paid' },
        payload: { invoiceId: 'in_42' },
        verifiedId: 'msg_1',
      }),
    ).toEqual({ type: 'invoice.paid', id: 'msg_1' });
    expect(
      identifyStandardWebhooks({
        headers: { 'svix-event-type': 'invoice.paid' },
        payload: ['not', 'an', 'object'],
        verifiedId: 'msg_1',
      }),
    ).toEqual({ type: 'invoice.paid', id: 'msg_1' });
    expect(
      identifyStandardWebhooks({ headers: { 'webhook-event-type': '' }, payload: {}, verifiedId: 'msg_1' }).type,
    ).toBeUndefined();
  });
});

describe('identifyFields', () => {
  it('a fixed type and an id field', () => {
    const identify = identifyFields({ type: 'payment.paid', idField: 'out_trade_no' });
    expect(identify({ headers: {}, payload: { out_trade_no: 'ord_1' }, verifiedId: undefined })).toEqual({
      type: 'payment.paid',
      id: 'ord_1',
    });
  });

  it('a type read from a field, with a prefix; a repeated or missing field reads as nothing', () => {
    const identify = identifyFields({ typeField: 'trade_status', typePrefix: 'trade.', idField: 'id' });
    expect(identify({ headers: {}, payload: { trade_status: 'SUCCESS', id: 'x' }, verifiedId: undefined })).toEqual({
      type: 'trade.SUCCESS',
      id: 'x',
    });
    expect(
      identify({ headers: {}, payload: { trade_status: ['a', 'b'], id: ['1', '2'] }, verifiedId: undefined }),
    ).toEqual({ type: undefined, id: undefined });
  });

  it('needs exactly one of type and typeField', () => {
    expect(() => identifyFields({})).toThrow(/exactly one/);
    expect(() => identifyFields({ type: 'a', typeField: 'b' })).toThrow(/exactly one/);
  });
});
