import { describe, expect, it } from 'vitest';
import { RateLimitedError, UnsupportedMediaTypeError } from './errors.js';
import { errorResponse, jsonResponse } from './respond.js';
import { applyResponsePolicy, resolveResponsePolicy } from './response-policy.js';

describe('response policy', () => {
  it('honest (the default) leaves every answer as it is', () => {
    const refusal = errorResponse(new UnsupportedMediaTypeError('text/plain'));
    expect(applyResponsePolicy(resolveResponsePolicy(undefined), refusal)).toBe(refusal);
    expect(applyResponsePolicy(resolveResponsePolicy('honest'), refusal)).toBe(refusal);
  });

  it('acknowledge answers every outcome with the same status and body, keeping background work', () => {
    const policy = resolveResponsePolicy({ acknowledge: 'success' });
    const background = Promise.resolve();
    for (const answer of [
      errorResponse(new UnsupportedMediaTypeError(undefined)),
      errorResponse(new Error('a bug')),
      jsonResponse(200, { status: 'handled' }),
      { ...jsonResponse(202, { status: 'accepted' }), background },
    ]) {
      const out = applyResponsePolicy(policy, answer);
      expect(out.status).toBe(200);
      expect(out.body).toBe('success');
      expect(out.headers['content-type']).toBe('text/plain; charset=utf-8');
    }
    expect(applyResponsePolicy(policy, { ...jsonResponse(202, {}), background }).background).toBe(background);
  });

  it('a throttled request is answered 429 so the sender retries, unless throttled: acknowledge', () => {
    const throttled = errorResponse(new RateLimitedError(3));
    expect(applyResponsePolicy(resolveResponsePolicy({ acknowledge: 'success' }), throttled)).toBe(throttled);
    const always = resolveResponsePolicy({ acknowledge: { body: 'OK', throttled: 'acknowledge' } });
    expect(applyResponsePolicy(always, throttled)).toMatchObject({ status: 200, body: 'OK' });
  });

  it('takes a status, body and content type, and refuses what cannot be sent', () => {
    const policy = resolveResponsePolicy({
      acknowledge: { body: '{"code":"SUCCESS"}', status: 204, contentType: 'application/json' },
    });
    expect(policy).toMatchObject({ status: 204, body: '{"code":"SUCCESS"}' });
    expect(() => resolveResponsePolicy({ acknowledge: { body: 'x', status: 302 } })).toThrow(/2xx/);
    expect(() => resolveResponsePolicy({ acknowledge: { body: 'x', contentType: 'a\r\nb: c' } })).toThrow();
    expect(() => resolveResponsePolicy('always' as never)).toThrow(/honest/);
  });
});
