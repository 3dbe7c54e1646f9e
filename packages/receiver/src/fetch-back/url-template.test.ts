import { describe, expect, it } from 'vitest';
import { compileUrlTemplate, readField } from './url-template.js';

describe('compileUrlTemplate', () => {
  it('fills placeholders from fields, percent-encoded, in the path and the query', () => {
    const template = compileUrlTemplate('https://api.pay.example/v1/payments/{id}?merchant={shop}&n={n}');
    const filled = template.fill({ id: 'pay 1/2?#&', shop: 'acme', n: 42 });
    expect(filled).toEqual({
      ok: true,
      url: new URL('https://api.pay.example/v1/payments/pay%201%2F2%3F%23%26?merchant=acme&n=42'),
    });
    expect(template.origin).toBe('https://api.pay.example');
  });

  it('reads nested JSON by a dotted path, and a key that has a dot in it first', () => {
    expect(readField({ data: { object: { id: 'x' } } }, 'data.object.id')).toBe('x');
    expect(readField({ 'order.id': 'direct', order: { id: 'nested' } }, 'order.id')).toBe('direct');
    expect(readField({ a: 1 }, '__proto__')).toBeUndefined();
    expect(readField({ a: 1 }, 'constructor')).toBeUndefined();
  });

  it('refuses, without a request, a field that is missing, empty, repeated, an object, or too long', () => {
    const template = compileUrlTemplate('https://api.pay.example/v1/payments/{id}');
    expect(template.fill({})).toEqual({ ok: false, reason: 'field id is missing' });
    expect(template.fill({ id: '' })).toEqual({ ok: false, reason: 'field id is missing' });
    expect(template.fill({ id: ['1', '2'] })).toEqual({ ok: false, reason: 'field id has several values' });
    expect(template.fill({ id: { x: 1 } }).ok).toBe(false);
    expect(template.fill({ id: Number.NaN }).ok).toBe(false);
    expect(template.fill({ id: 'x'.repeat(1025) }).ok).toBe(false);
    expect(template.fill('not an object').ok).toBe(false);
  });

  it('never lets a field walk up the path: . and .. are refused in a path segment', () => {
    const template = compileUrlTemplate('https://api.pay.example/v1/payments/{id}/status?x={q}');
    expect(template.fill({ id: '..', q: '1' })).toEqual({ ok: false, reason: 'field id is not usable in a path' });
    expect(template.fill({ id: '.', q: '1' }).ok).toBe(false);
    // In the query, dots are just data.
    const filled = template.fill({ id: 'p1', q: '..' });
    expect(filled.ok && filled.url.href).toBe('https://api.pay.example/v1/payments/p1/status?x=..');
    // Encoded dots stay encoded data: %2e%2e becomes %252e%252e.
    const encoded = template.fill({ id: '%2e%2e', q: '1' });
    expect(encoded.ok && encoded.url.pathname).toBe('/v1/payments/%252e%252e/status');
  });

  it('refuses at configuration a template whose host or scheme a field could choose', () => {
    for (const bad of [
      'https://{host}/v1/payments/{id}',
      'https://api.{region}.pay.example/x',
      '{scheme}://api.pay.example/x',
      'https://user:{password}@api.pay.example/x',
    ]) {
      expect(() => compileUrlTemplate(bad), bad).toThrow(/placeholders may appear in the path and query only/);
    }
    expect(() => compileUrlTemplate('https://api.pay.example:{port}/x')).toThrow();
  });

  it('refuses at configuration a template that cannot work', () => {
    expect(() => compileUrlTemplate('ftp://api.pay.example/{id}')).toThrow(/use http or https/);
    expect(() => compileUrlTemplate('/relative/{id}')).toThrow(/not an absolute URL/);
    expect(() => compileUrlTemplate('https://u:p@api.pay.example/{id}')).toThrow(/credentials/);
    expect(() => compileUrlTemplate('https://api.pay.example/{id}#frag')).toThrow(/fragment/);
    expect(() => compileUrlTemplate('https://api.pay.example/{a b}')).toThrow(/not a field name/);
    expect(() => compileUrlTemplate('')).toThrow();
  });
});
