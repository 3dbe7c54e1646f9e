import { describe, expect, it } from 'vitest';
import { isSensitiveHeader } from '../engine/sensitive-headers.js';
import { checkCustomHeaders, headersOut, MAX_CUSTOM_HEADERS, mergeHeaders } from './custom-headers.js';
import { HttpError } from './http-error.js';

describe('endpoint custom headers', () => {
  it('reads back sensitive headers by name only', () => {
    expect(
      headersOut({ Authorization: 'Bearer x', 'X-Api-Key': 'k', 'X-Session-Id': 's', Cookie: 'c', 'X-Tenant': 'acme' }),
    ).toEqual({ headers: { 'X-Tenant': 'acme' }, sensitive: ['Authorization', 'X-Api-Key', 'X-Session-Id', 'Cookie'] });
  });

  it('knows sensitive names in any casing', () => {
    expect(isSensitiveHeader('AUTHORIZATION')).toBe(true);
    expect(isSensitiveHeader('x-access-token')).toBe(true);
    expect(isSensitiveHeader('X-Client-Secret')).toBe(true);
    expect(isSensitiveHeader('x-region')).toBe(false);
  });

  it('refuses names Hookline sets itself', () => {
    expect(() => checkCustomHeaders({ 'Webhook-Signature': 'v1,x' })).toThrow(HttpError);
    expect(() => checkCustomHeaders({ 'content-type': 'text/plain' })).toThrow(HttpError);
    expect(checkCustomHeaders({ 'X-Ok': '1' })).toEqual({ 'X-Ok': '1' });
  });

  it('a patch replaces names case-insensitively and removes deleteHeaders', () => {
    expect(mergeHeaders({ 'X-A': '1', 'x-b': '2', 'X-C': '3' }, { 'x-a': 'one' }, ['X-B'])).toEqual({
      'X-C': '3',
      'x-a': 'one',
    });
  });

  it('a patch cannot grow past the limit', () => {
    const many = Object.fromEntries(Array.from({ length: MAX_CUSTOM_HEADERS }, (_, i) => [`x-h${i}`, 'v']));
    expect(() => mergeHeaders(many, { 'x-one-more': 'v' }, [])).toThrow(HttpError);
    expect(Object.keys(mergeHeaders(many, { 'x-h0': 'w' }, []))).toHaveLength(MAX_CUSTOM_HEADERS);
  });
});
