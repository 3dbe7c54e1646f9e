import { patternMatches } from '@hookline/receiver';
import { describe, expect, it } from 'vitest';
import { HandlerRegistry } from './on.js';

describe('patternMatches', () => {
  it.each([
    ['*', 'anything', true],
    ['payment.succeeded', 'payment.succeeded', true],
    ['payment.succeeded', 'payment.succeeded.late', false],
    ['payment.*', 'payment.succeeded', true],
    ['payment.*', 'payment', false],
    ['payment.*', 'payments.succeeded', false],
    ['orders/*', 'orders/create', true],
  ])('%s routes %s: %s', (pattern, name, expected) => {
    expect(patternMatches(pattern, name)).toBe(expected);
  });
});

describe('HandlerRegistry', () => {
  it('runs a handler once when several of the event names match it', () => {
    const registry = new HandlerRegistry();
    const handler = () => {};
    registry.add('issues.*', handler);
    registry.add('issues', handler);
    const other = () => {};
    registry.add('issues', other);
    expect(registry.handlersFor(['issues.opened', 'issues'])).toEqual([handler, other]);
  });

  it('refuses an empty pattern or a non-function', () => {
    const registry = new HandlerRegistry();
    expect(() => registry.add('', () => {})).toThrow(TypeError);
    expect(() => registry.add('x', 'nope' as unknown as () => void)).toThrow(TypeError);
  });
});
