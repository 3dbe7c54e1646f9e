import { describe, expect, it } from 'vitest';
import { findFilterProblem } from './check.js';
import { FILTER_LIMITS } from './language.js';

const locOf = (filter: unknown) => findFilterProblem(filter)?.loc;

describe('findFilterProblem accepts every operator in its place', () => {
  it.each([
    [{ 'data.a': 'x' }],
    [{ 'data.a': 1.5, 'data.b': true, 'data.c': null }],
    [{ 'data.a': { $eq: 'x' } }],
    [{ 'data.a': { $ne: null } }],
    [{ 'data.a': { $gt: 1, $gte: 2, $lt: '9', $lte: '10' } }],
    [{ 'data.a': { $in: ['x', 1, null, false] } }],
    [{ 'data.a': { $nin: [] } }],
    [{ 'data.a': { $exists: false } }],
    [{ 'data.a': { $not: { $in: [1] } } }],
    [{ $and: [{ a: 1 }], $or: [{ b: 2 }, { c: 3 }], $nor: [{ d: 4 }] }],
    [{ 'items.0.price': { $gt: 0 } }],
  ])('%j', (filter) => {
    expect(findFilterProblem(filter)).toBeNull();
  });
});

describe('findFilterProblem points at the bad part', () => {
  it.each([
    ['not an object', [1], [], /object/],
    ['an empty filter inside $or', { $or: [{}] }, ['$or', 0], /empty/],
    ['an empty $and', { $and: [] }, ['$and'], /non-empty array/],
    ['$or of non-filters', { $or: ['a'] }, ['$or', 0], /object/],
    ['an unknown top-level operator', { $where: 'true' }, ['$where'], /unknown operator \$where/],
    ['$regex', { 'data.a': { $regex: '(a+)+$' } }, ['data.a', '$regex'], /unknown operator \$regex/],
    ['$elemMatch', { 'data.a': { $elemMatch: { b: 1 } } }, ['data.a', '$elemMatch'], /unknown operator/],
    ['a logical operator on a path', { 'data.a': { $or: [1] } }, ['data.a', '$or'], /unknown operator \$or/],
    ['a nested object instead of a path', { data: { a: 1 } }, ['data', 'a'], /put it in the path/],
    ['an array as a value', { 'data.a': [1, 2] }, ['data.a'], /\$in/],
    ['an empty condition', { 'data.a': {} }, ['data.a'], /\$exists/],
    ['$gt of a boolean', { 'data.a': { $gt: true } }, ['data.a', '$gt'], /number or a string/],
    ['$lte of null', { 'data.a': { $lte: null } }, ['data.a', '$lte'], /number or a string/],
    ['$eq of an object', { 'data.a': { $eq: { b: 1 } } }, ['data.a', '$eq'], /a string, a number/],
    ['$in of a scalar', { 'data.a': { $in: 'x' } }, ['data.a', '$in'], /array of values/],
    ['$in holding an object', { 'a.b': { $in: [1, { $gt: 1 }] } }, ['a.b', '$in', 1], /a string, a number/],
    ['$nin holding an array', { 'a.b': { $nin: [[1]] } }, ['a.b', '$nin', 0], /a string, a number/],
    ['$exists of a string', { 'data.a': { $exists: 'yes' } }, ['data.a', '$exists'], /true or false/],
    ['$not of a scalar', { 'data.a': { $not: 5 } }, ['data.a', '$not'], /object of operators/],
    ['$not of a filter', { 'data.a': { $not: { b: 1 } } }, ['data.a', '$not', 'b'], /path/],
    ['an empty path', { '': 1 }, [''], /none of them empty/],
    ['an empty segment', { 'data..a': 1 }, ['data..a'], /none of them empty/],
    ['a $ segment', { 'data.$a': 1 }, ['data.$a'], /start with \$/],
    ['__proto__', { 'data.__proto__.x': 1 }, ['data.__proto__.x'], /__proto__/],
    ['constructor', { 'constructor.name': 'Object' }, ['constructor.name'], /constructor/],
    ['prototype', { 'a.prototype': 1 }, ['a.prototype'], /prototype/],
    ['a non-finite number', { a: { $gt: Number.POSITIVE_INFINITY } }, ['a', '$gt'], /finite/],
  ])('%s', (_name, filter, loc, msg) => {
    const problem = findFilterProblem(filter);
    expect(problem?.loc).toEqual(loc);
    expect(problem?.msg).toMatch(msg);
  });
});

describe('hostile filters are refused at a bound, quickly', () => {
  it('deep nesting stops at maxDepth without walking further', () => {
    // 100,000 levels: a walk that recursed to the bottom would overflow the stack.
    let filter: unknown = { a: 1 };
    for (let i = 0; i < 100_000; i++) filter = { $and: [filter] };
    const problem = findFilterProblem(filter);
    expect(problem?.msg).toMatch(`at most ${FILTER_LIMITS.maxDepth} levels`);
    expect(problem?.loc.length).toBeLessThanOrEqual(FILTER_LIMITS.maxDepth + 1);
  });

  it('the deepest accepted nesting is maxDepth', () => {
    // $and, its array, a filter: each step of two levels.
    let filter: unknown = { a: 1 };
    let depth = 1;
    while (depth + 2 <= FILTER_LIMITS.maxDepth) {
      filter = { $and: [filter] };
      depth += 2;
    }
    expect(findFilterProblem(filter)).toBeNull();
    expect(findFilterProblem({ $and: [{ $and: [filter] }] })).not.toBeNull();
  });

  it('a huge $in list is refused at its length, before its items are read', () => {
    const huge = { 'data.id': { $in: Array.from({ length: 100_000 }, (_, index) => index) } };
    expect(locOf(huge)).toEqual(['data.id', '$in']);
    const most = { 'data.id': { $in: Array.from({ length: FILTER_LIMITS.maxListItems }, (_, index) => index) } };
    expect(findFilterProblem(most)).toBeNull();
  });

  it('many paths are refused at the node count, where the count passes it', () => {
    const wide: Record<string, number> = {};
    for (let i = 0; i < 10_000; i++) wide[`f${i}`] = i;
    expect(locOf(wide)).toEqual([`f${FILTER_LIMITS.maxNodes}`]);
    const lists = { $or: Array.from({ length: 10 }, () => ({ a: { $in: Array.from({ length: 250 }, () => 1) } })) };
    expect(findFilterProblem(lists)?.msg).toMatch(`at most ${FILTER_LIMITS.maxNodes}`);
  });

  it('long strings and paths, and a filter too large as JSON', () => {
    const long = `${'a.'.repeat(20)}b`;
    expect(locOf({ [long]: 1 })).toEqual([long]);
    expect(locOf({ ['x'.repeat(FILTER_LIMITS.maxPathLength + 1)]: 1 })).toHaveLength(1);
    expect(locOf({ a: 'x'.repeat(FILTER_LIMITS.maxStringLength + 1) })).toEqual(['a']);
    const big = { a: { $in: Array.from({ length: 100 }, () => 'x'.repeat(FILTER_LIMITS.maxStringLength)) } };
    expect(findFilterProblem(big)).toEqual({ loc: [], msg: expect.stringMatching(/bytes/) });
  });

  it('a __proto__ key from JSON text is a path like any other, and refused', () => {
    expect(locOf(JSON.parse('{"__proto__": {"$exists": true}}'))).toEqual(['__proto__']);
  });
});
