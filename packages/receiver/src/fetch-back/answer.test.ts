import { describe, expect, it } from 'vitest';
import { FetchBackUnavailableError } from '../errors.js';
import { judgeFetchBackAnswer } from './answer.js';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('judgeFetchBackAnswer', () => {
  it('accepts any 2xx when nothing more is expected', () => {
    expect(judgeFetchBackAnswer({ status: 200, body: bytes('') }, undefined)).toEqual({ accepted: true });
    expect(judgeFetchBackAnswer({ status: 204, body: bytes('') }, undefined)).toEqual({ accepted: true });
  });

  it('accepts when the JSON field equals the value, strictly, nested fields included', () => {
    const expect1 = { field: 'data.status', equals: 'paid' };
    const paid = bytes('{"data":{"status":"paid"}}');
    expect(judgeFetchBackAnswer({ status: 200, body: paid }, expect1)).toEqual({ accepted: true });
    const pending = bytes('{"data":{"status":"pending"}}');
    expect(judgeFetchBackAnswer({ status: 200, body: pending }, expect1)).toEqual({
      accepted: false,
      reason: 'the fetch-back answer has data.status = "pending", expected "paid"',
    });
    expect(
      judgeFetchBackAnswer({ status: 200, body: bytes('{"paid":"true"}') }, { field: 'paid', equals: true }),
    ).toEqual({
      accepted: false,
      reason: 'the fetch-back answer has paid = "true", expected true',
    });
    expect(judgeFetchBackAnswer({ status: 200, body: bytes('{}') }, { field: 'paid', equals: true })).toEqual({
      accepted: false,
      reason: 'the fetch-back answer has paid = nothing, expected true',
    });
  });

  it('rejects a 404, a 400 or a redirect: the provider says no, or not here', () => {
    expect(judgeFetchBackAnswer({ status: 404, body: bytes('') }, undefined)).toEqual({
      accepted: false,
      reason: 'the fetch-back answered 404',
    });
    expect(judgeFetchBackAnswer({ status: 302, body: bytes('') }, undefined)).toEqual({
      accepted: false,
      reason: 'the fetch-back answered 302 (redirects are not followed)',
    });
  });

  it('cannot tell (throws, so the event is retried) on 5xx, 429, 401/403 and a 2xx that is not JSON', () => {
    for (const status of [500, 502, 503, 429, 401, 403, 408]) {
      expect(() => judgeFetchBackAnswer({ status, body: bytes('') }, undefined), String(status)).toThrow(
        FetchBackUnavailableError,
      );
    }
    expect(() =>
      judgeFetchBackAnswer({ status: 200, body: bytes('<html>maintenance</html>') }, { field: 'a', equals: 1 }),
    ).toThrow(FetchBackUnavailableError);
  });
});
