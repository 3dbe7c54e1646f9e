import { describe, expect, it } from 'vitest';
import { MalformedFormError, MalformedJsonError } from './errors.js';
import { parseFields, queryOf, readPayload } from './payload.js';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('readPayload', () => {
  it('a GET: the query parameters, repeated names as lists', () => {
    expect(readPayload('GET', undefined, bytes(''), 'id=xyz&status=paid&tag=a&tag=b&empty=')).toEqual({
      id: 'xyz',
      status: 'paid',
      tag: ['a', 'b'],
      empty: '',
    });
  });

  it('a form POST: its fields, percent and plus decoded, any charset parameter', () => {
    const payload = readPayload(
      'POST',
      'application/x-www-form-urlencoded; charset=UTF-8',
      bytes('out_trade_no=ord%201&subject=caf%C3%A9+au+lait'),
      '',
    );
    expect(payload).toEqual({ out_trade_no: 'ord 1', subject: 'café au lait' });
  });

  it('anything else: JSON, malformed JSON and invalid UTF-8 refused', () => {
    expect(readPayload('POST', 'application/json', bytes('{"a":1}'), 'ignored=1')).toEqual({ a: 1 });
    expect(() => readPayload('POST', 'application/json', bytes('{"a":'), '')).toThrow(MalformedJsonError);
    expect(() =>
      readPayload('POST', 'application/x-www-form-urlencoded', new Uint8Array([0x61, 0x3d, 0xff]), ''),
    ).toThrow(MalformedFormError);
  });

  it('a field named __proto__ is a field, never the prototype', () => {
    const fields = parseFields('__proto__=x&constructor=y');
    expect(Object.getPrototypeOf(fields)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(fields, '__proto__')?.value).toBe('x');
    expect(Object.keys(fields)).toEqual(['__proto__', 'constructor']);
  });
});

describe('queryOf', () => {
  it('takes the query of a request target or URL, without ? or fragment', () => {
    expect(queryOf('/paid?id=1&x=2')).toBe('id=1&x=2');
    expect(queryOf('https://shop.example/paid?id=1#top')).toBe('id=1');
    expect(queryOf('/paid')).toBe('');
    expect(queryOf(undefined)).toBe('');
  });
});
