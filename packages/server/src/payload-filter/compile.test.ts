import { describe, expect, it } from 'vitest';
import { findFilterProblem } from './check.js';
import { compiledPayloadFilter } from './compile.js';
import type { PayloadFilter } from './language.js';

const payload = {
  type: 'invoice.paid',
  data: {
    amount: 1500,
    currency: 'EUR',
    customer: { id: 'cus_1', tier: 'gold', vip: true },
    note: null,
    lines: [
      { sku: 'a', price: 500 },
      { sku: 'b', price: 1000 },
    ],
    tags: ['new', 'eu'],
    paidAt: '2026-12-05T10:00:00Z',
  },
};

/** Every case is first accepted by the validator, so the tests run only what could be stored. */
function passes(filter: PayloadFilter, value: unknown = payload): boolean {
  expect(findFilterProblem(filter)).toBeNull();
  return compiledPayloadFilter(JSON.stringify(filter))(value);
}

describe('payload filters match as MongoDB queries do', () => {
  it('a scalar is equality, on nested paths and array elements', () => {
    expect(passes({ 'data.currency': 'EUR' })).toBe(true);
    expect(passes({ 'data.currency': 'USD' })).toBe(false);
    expect(passes({ 'data.customer.vip': true })).toBe(true);
    expect(passes({ 'data.note': null })).toBe(true);
    expect(passes({ 'data.tags': 'eu' })).toBe(true);
    expect(passes({ 'data.lines.sku': 'b' })).toBe(true);
    expect(passes({ 'data.lines.1.sku': 'b' })).toBe(true);
    expect(passes({ 'data.lines.0.sku': 'b' })).toBe(false);
  });

  it('$eq and $ne', () => {
    expect(passes({ 'data.amount': { $eq: 1500 } })).toBe(true);
    expect(passes({ 'data.amount': { $eq: '1500' } })).toBe(false);
    expect(passes({ 'data.amount': { $ne: 1500 } })).toBe(false);
    expect(passes({ 'data.currency': { $ne: 'USD' } })).toBe(true);
    expect(passes({ 'data.missing': { $ne: 'x' } })).toBe(true);
  });

  it('$gt, $gte, $lt, $lte compare numbers with numbers and strings with strings', () => {
    expect(passes({ 'data.amount': { $gt: 1000 } })).toBe(true);
    expect(passes({ 'data.amount': { $gt: 1500 } })).toBe(false);
    expect(passes({ 'data.amount': { $gte: 1500 } })).toBe(true);
    expect(passes({ 'data.amount': { $lt: 1500 } })).toBe(false);
    expect(passes({ 'data.amount': { $lte: 1500 } })).toBe(true);
    expect(passes({ 'data.amount': { $gt: 1000, $lt: 2000 } })).toBe(true);
    expect(passes({ 'data.lines.price': { $gt: 900 } })).toBe(true);
    expect(passes({ 'data.paidAt': { $gte: '2026-12-01' } })).toBe(true);
    expect(passes({ 'data.paidAt': { $lt: '2026-12-01' } })).toBe(false);
    // No coercion: a number is never greater than a string, nor a string than a number.
    expect(passes({ 'data.currency': { $gt: 0 } })).toBe(false);
    expect(passes({ 'data.amount': { $gt: '0' } })).toBe(false);
    expect(passes({ 'data.missing': { $lt: 10 } })).toBe(false);
  });

  it('$in and $nin', () => {
    expect(passes({ 'data.currency': { $in: ['EUR', 'USD'] } })).toBe(true);
    expect(passes({ 'data.currency': { $in: ['GBP'] } })).toBe(false);
    expect(passes({ 'data.tags': { $in: ['eu', 'us'] } })).toBe(true);
    expect(passes({ 'data.currency': { $nin: ['GBP', 'USD'] } })).toBe(true);
    expect(passes({ 'data.tags': { $nin: ['eu'] } })).toBe(false);
    expect(passes({ 'data.missing': { $in: [null] } })).toBe(true);
  });

  it('$exists', () => {
    expect(passes({ 'data.customer.id': { $exists: true } })).toBe(true);
    expect(passes({ 'data.customer.email': { $exists: true } })).toBe(false);
    expect(passes({ 'data.customer.email': { $exists: false } })).toBe(true);
    expect(passes({ 'data.note': { $exists: true } })).toBe(true);
  });

  it('$not on a path', () => {
    expect(passes({ 'data.amount': { $not: { $gt: 2000 } } })).toBe(true);
    expect(passes({ 'data.amount': { $not: { $gt: 1000 } } })).toBe(false);
    expect(passes({ 'data.currency': { $not: { $in: ['EUR'] } } })).toBe(false);
  });

  it('$and, $or, $nor, and several paths in one object (all must hold)', () => {
    expect(passes({ 'data.currency': 'EUR', 'data.amount': { $gte: 1000 } })).toBe(true);
    expect(passes({ 'data.currency': 'EUR', 'data.amount': { $gte: 2000 } })).toBe(false);
    expect(passes({ $and: [{ 'data.currency': 'EUR' }, { 'data.customer.tier': 'gold' }] })).toBe(true);
    expect(passes({ $and: [{ 'data.currency': 'EUR' }, { 'data.customer.tier': 'silver' }] })).toBe(false);
    expect(passes({ $or: [{ 'data.currency': 'USD' }, { 'data.customer.tier': 'gold' }] })).toBe(true);
    expect(passes({ $or: [{ 'data.currency': 'USD' }, { 'data.customer.tier': 'silver' }] })).toBe(false);
    expect(passes({ $nor: [{ 'data.currency': 'USD' }, { 'data.customer.tier': 'silver' }] })).toBe(true);
    expect(passes({ $nor: [{ 'data.currency': 'EUR' }] })).toBe(false);
    const nested = { $or: [{ $and: [{ 'data.amount': { $gt: 1000 } }, { 'data.currency': 'EUR' }] }, { type: 'x' }] };
    expect(passes(nested)).toBe(true);
  });

  it('a payload that is not an object, or lacks the path, does not match a value', () => {
    expect(passes({ 'data.amount': 1500 }, [1, 2])).toBe(false);
    expect(passes({ 'data.amount': 1500 }, 'text')).toBe(false);
    expect(passes({ 'data.amount': 1500 }, {})).toBe(false);
  });

  it('a filter never reaches the prototype: inherited names are refused, own keys named so are data', () => {
    // JSON.parse makes "__proto__" an own key; a path through it is refused at validation, never evaluated.
    expect(findFilterProblem({ 'data.__proto__.polluted': true })).not.toBeNull();
    expect(findFilterProblem({ 'constructor.name': 'Object' })).not.toBeNull();
    // A filter stored as text with __proto__ as its own key cannot set the prototype of the compiled filter.
    const test = compiledPayloadFilter('{"data.currency":"EUR"}');
    expect(test(JSON.parse('{"__proto__":{"data":{"currency":"EUR"}}}'))).toBe(false);
    expect(({} as Record<string, unknown>).data).toBeUndefined();
  });

  it('the same filter text compiles once', () => {
    const text = JSON.stringify({ 'data.amount': { $gt: 1 } });
    expect(compiledPayloadFilter(text)).toBe(compiledPayloadFilter(text));
  });

  it('operators the validator refuses do not compile either, should one reach the store', () => {
    expect(() => compiledPayloadFilter('{"data.x":{"$where":"true"}}')).toThrow(/Unsupported operation: \$where/);
    expect(() => compiledPayloadFilter('{"data.x":{"$regex":"(a+)+$"}}')).toThrow(/Unsupported operation: \$regex/);
  });
});
