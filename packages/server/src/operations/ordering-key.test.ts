import { describe, expect, it } from 'vitest';
import { InvalidInputError } from './errors.js';
import { orderingKeyOf } from './ordering-key.js';

describe('orderingKeyOf', () => {
  it('reads the top-level field', () => {
    expect(orderingKeyOf({ orderingKey: 'cus_1' })).toBe('cus_1');
  });

  it('reads the tag the Svix SDKs pass through', () => {
    expect(orderingKeyOf({ tags: ['audit', 'ordering-key:cus_1'] })).toBe('cus_1');
  });

  it('is null when neither is given', () => {
    expect(orderingKeyOf({ tags: ['audit'] })).toBeNull();
    expect(orderingKeyOf({ orderingKey: null, tags: null })).toBeNull();
  });

  it('accepts both when they agree', () => {
    expect(orderingKeyOf({ orderingKey: 'cus_1', tags: ['ordering-key:cus_1'] })).toBe('cus_1');
  });

  it('refuses a field and a tag that differ, two tags, or an empty tag key', () => {
    expect(() => orderingKeyOf({ orderingKey: 'cus_1', tags: ['ordering-key:cus_2'] })).toThrow(InvalidInputError);
    expect(() => orderingKeyOf({ tags: ['ordering-key:a', 'ordering-key:b'] })).toThrow(InvalidInputError);
    expect(() => orderingKeyOf({ tags: ['ordering-key:'] })).toThrow(InvalidInputError);
  });
});
