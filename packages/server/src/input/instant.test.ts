import { describe, expect, it } from 'vitest';
import { parseInstant } from './instant.js';

describe('parseInstant', () => {
  it('reads what the Svix SDKs and toISOString write', () => {
    expect(parseInstant('2026-11-30T12:00:00Z')).toBe(Date.UTC(2026, 10, 30, 12));
    expect(parseInstant('2026-11-30T12:00:00.123Z')).toBe(Date.UTC(2026, 10, 30, 12, 0, 0, 123));
    expect(parseInstant(new Date(1_700_000_000_123).toISOString())).toBe(1_700_000_000_123);
  });

  it('applies offsets in every form ISO 8601 allows, and RFC 3339 lowercase and space', () => {
    const noon = Date.UTC(2026, 0, 1, 12);
    expect(parseInstant('2026-01-01T13:00:00+01:00')).toBe(noon);
    expect(parseInstant('2026-01-01T13:00:00+0100')).toBe(noon);
    expect(parseInstant('2026-01-01T13:00:00+01')).toBe(noon);
    expect(parseInstant('2026-01-01T06:30:00-05:30')).toBe(noon);
    expect(parseInstant('2026-01-01t12:00:00z')).toBe(noon);
    expect(parseInstant('2026-01-01 12:00:00Z')).toBe(noon);
    expect(parseInstant('2026-01-01T12:00:00-00:00')).toBe(noon);
  });

  it('reads a fraction to the millisecond, truncating finer digits', () => {
    expect(parseInstant('2026-01-01T00:00:00.5Z')).toBe(Date.UTC(2026, 0, 1, 0, 0, 0, 500));
    expect(parseInstant('2026-01-01T00:00:00.123456789Z')).toBe(Date.UTC(2026, 0, 1, 0, 0, 0, 123));
  });

  it('keeps years 0-99 as they are (Date.UTC would read them as 1900-1999)', () => {
    expect(new Date(parseInstant('0050-06-01T00:00:00Z') as number).getUTCFullYear()).toBe(50);
    expect(parseInstant('9999-12-31T23:59:59.999Z')).toBe(253402300799999);
  });

  it('refuses a leap second: epoch time has none (Date.parse gave NaN, PostgreSQL then 500)', () => {
    expect(parseInstant('2016-12-31T23:59:60Z')).toBeNull();
    expect(parseInstant('2016-12-31T18:59:60-05:00')).toBeNull();
  });

  it('refuses days a month does not have, and out-of-range fields', () => {
    expect(parseInstant('2016-02-29T00:00:00Z')).not.toBeNull();
    expect(parseInstant('2015-02-29T00:00:00Z')).toBeNull();
    expect(parseInstant('1900-02-29T00:00:00Z')).toBeNull();
    expect(parseInstant('2000-02-29T00:00:00Z')).not.toBeNull();
    expect(parseInstant('2026-04-31T00:00:00Z')).toBeNull();
    expect(parseInstant('2026-13-01T00:00:00Z')).toBeNull();
    expect(parseInstant('2026-00-01T00:00:00Z')).toBeNull();
    expect(parseInstant('2026-01-00T00:00:00Z')).toBeNull();
    expect(parseInstant('2026-01-01T24:00:00Z')).toBeNull();
    expect(parseInstant('2026-01-01T00:60:00Z')).toBeNull();
    expect(parseInstant('2026-01-01T00:00:00+24:00')).toBeNull();
    expect(parseInstant('2026-01-01T00:00:00+01:60')).toBeNull();
  });

  it('refuses what is not a date-time, whatever Date.parse would make of it', () => {
    for (const text of [
      '',
      '1',
      '2026',
      '2026-01-01',
      'Dec 25 1995',
      '2026-01-01T00:00:00',
      '2026-01-01T00:00Z',
      '+002026-01-01T00:00:00Z',
      '2026-01-01T00:00:00ZZ',
      ' 2026-01-01T00:00:00Z',
      '2026-01-01T00:00:00.Z',
      '２０２６-01-01T00:00:00Z',
      'NaN',
      'Infinity',
    ]) {
      expect(parseInstant(text), text).toBeNull();
    }
  });
});
