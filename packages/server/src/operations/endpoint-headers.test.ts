import { describe, expect, it } from 'vitest';
import { checkCustomHeaders, MAX_CUSTOM_HEADERS, mergeHeaders } from './endpoint-headers.js';

describe('endpoint custom headers', () => {
  it('refuses names Hookline sets itself, with the reserved_header code', () => {
    expect(() => checkCustomHeaders({ 'Webhook-Signature': 'v1,x' })).toThrow(
      expect.objectContaining({ code: 'reserved_header' }),
    );
    expect(() => checkCustomHeaders({ 'content-type': 'text/plain' })).toThrow(
      expect.objectContaining({ code: 'reserved_header' }),
    );
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
    expect(() => mergeHeaders(many, { 'x-one-more': 'v' }, [])).toThrow(
      expect.objectContaining({ code: 'validation' }),
    );
    expect(Object.keys(mergeHeaders(many, { 'x-h0': 'w' }, []))).toHaveLength(MAX_CUSTOM_HEADERS);
  });
});
