import { describe, expect, it } from 'vitest';
import { eventTypeOut, payloadOut } from './serialize.js';

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

describe('times', () => {
  it("are each record's own, in ISO-8601, whether the one before had the same millisecond or not", () => {
    const at = Date.UTC(2030, 0, 1, 12, 0, 0, 5);
    const eventType = (createdAt: number, updatedAt: number) =>
      eventTypeOut({
        name: 'a.b',
        description: '',
        archived: false,
        deprecated: false,
        featureFlag: null,
        groupName: null,
        schemas: null,
        createdAt,
        updatedAt,
      });
    expect(eventType(at, at)).toMatchObject({
      createdAt: '2030-01-01T12:00:00.005Z',
      updatedAt: '2030-01-01T12:00:00.005Z',
    });
    expect(eventType(at, at + 1)).toMatchObject({
      createdAt: '2030-01-01T12:00:00.005Z',
      updatedAt: '2030-01-01T12:00:00.006Z',
    });
    expect(eventType(at - 86_400_000, at)).toMatchObject({ createdAt: '2029-12-31T12:00:00.005Z' });
  });
});
