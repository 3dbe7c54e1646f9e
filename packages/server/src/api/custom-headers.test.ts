import { describe, expect, it } from 'vitest';
import { isSensitiveHeader } from '../engine/sensitive-headers.js';
import { headersOut } from './custom-headers.js';

describe('endpoint custom headers as the API shows them', () => {
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
});
