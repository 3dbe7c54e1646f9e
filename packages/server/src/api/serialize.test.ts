import { describe, expect, it } from 'vitest';
import { payloadOut } from './serialize.js';

describe('payloadOut', () => {
  it('shows JSON as the value it is, and a form body kept byte for byte as its text', () => {
    expect(payloadOut('{"a":[1,2]}')).toEqual({ a: [1, 2] });
    expect(payloadOut('id=1&paid=yes')).toBe('id=1&paid=yes');
  });

  it('shows a payload nested 5,000 deep (stored before the edge refused it) as its text, so it can be serialized', () => {
    const deep = `{"x":${'['.repeat(5000)}${']'.repeat(5000)}}`;
    const shown = payloadOut(deep);
    expect(shown).toBe(deep);
    expect(() => JSON.stringify({ payload: shown })).not.toThrow();
  });
});
