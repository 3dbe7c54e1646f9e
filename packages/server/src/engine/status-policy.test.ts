import { describe, expect, it } from 'vitest';
import { classifyStatus, honoursRetryAfter, InvalidStatusPolicyError, parseStatusPolicy } from './status-policy.js';

describe('classifyStatus without a policy', () => {
  it.each([200, 201, 202, 204, 299])('%i is delivered', (status) => {
    expect(classifyStatus(status, null)).toBe('delivered');
  });

  it('410 Gone asks us to stop', () => {
    expect(classifyStatus(410, null)).toBe('gone');
  });

  it.each([300, 301, 302, 303, 304, 307, 308])('%i is a failure and retried: redirects are not followed', (status) => {
    expect(classifyStatus(status, null)).toBe('retry');
  });

  it.each([100, 199, 400, 401, 403, 404, 408, 422, 429, 499, 500, 502, 503, 504, 599])('%i is retried', (status) => {
    expect(classifyStatus(status, null)).toBe('retry');
  });
});

describe('classifyStatus with "4xx,!408,!429"', () => {
  const policy = parseStatusPolicy('4xx,!408,!429');

  it.each([400, 401, 403, 404, 409, 422, 499])('%i is final', (status) => {
    expect(classifyStatus(status, policy)).toBe('final');
  });

  it.each([408, 429, 500, 502, 503, 504, 301, 302])('%i is still retried', (status) => {
    expect(classifyStatus(status, policy)).toBe('retry');
  });

  it('410 still disables the endpoint rather than being final', () => {
    expect(classifyStatus(410, policy)).toBe('gone');
  });

  it('2xx is still delivered', () => {
    expect(classifyStatus(200, policy)).toBe('delivered');
  });
});

describe('parseStatusPolicy', () => {
  it('keeps its source', () => {
    expect(parseStatusPolicy('4xx,!408').source).toBe('4xx,!408');
  });

  it('matches exact statuses', () => {
    const policy = parseStatusPolicy('400,422');
    expect([400, 422, 401, 404, 500].map((status) => policy.matches(status))).toEqual([
      true,
      true,
      false,
      false,
      false,
    ]);
  });

  it('matches a whole class', () => {
    const policy = parseStatusPolicy('5xx');
    expect([500, 503, 599, 499, 600].map((status) => policy.matches(status))).toEqual([true, true, true, false, false]);
  });

  it('an exception wins over the class it is carved from, whatever the order', () => {
    expect(parseStatusPolicy('!404,4xx').matches(404)).toBe(false);
    expect(parseStatusPolicy('4xx,!404').matches(404)).toBe(false);
    expect(parseStatusPolicy('4xx,!404').matches(403)).toBe(true);
  });

  it('exceptions alone match nothing', () => {
    const policy = parseStatusPolicy('!408,!429');
    expect([400, 408, 429, 500].some((status) => policy.matches(status))).toBe(false);
  });

  it('ignores spaces, case and empty items', () => {
    const policy = parseStatusPolicy(' 4XX , !408 ,, ');
    expect(policy.matches(404)).toBe(true);
    expect(policy.matches(408)).toBe(false);
  });

  it.each([
    'abc',
    '4x',
    '4xxx',
    '40',
    '4000',
    '600',
    '6xx',
    '0xx',
    '!!404',
    '!',
    '4xx;!408',
    '4xx !408',
    '+404',
    '4 04',
  ])('refuses %j with InvalidStatusPolicyError', (source) => {
    expect(() => parseStatusPolicy(source)).toThrow(InvalidStatusPolicyError);
  });

  it('explains what is wrong, naming the bad item, with a stable code', () => {
    let error: unknown;
    try {
      parseStatusPolicy('4xx, 40x ,!408');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidStatusPolicyError);
    expect(error).toBeInstanceOf(Error);
    expect((error as InvalidStatusPolicyError).code).toBe('HOOKLINE_INVALID_STATUS_POLICY');
    expect((error as InvalidStatusPolicyError).message).toBe(
      '"40x" is not a status (404) or a class (4xx), optionally with ! before it',
    );
  });
});

describe('honoursRetryAfter', () => {
  it('is true for 429 and 503 only', () => {
    expect([429, 503].every(honoursRetryAfter)).toBe(true);
    expect([200, 301, 400, 408, 410, 500, 502, 504].some(honoursRetryAfter)).toBe(false);
  });
});
