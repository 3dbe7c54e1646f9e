import { describe, expect, it } from 'vitest';
import { findInputProblem, MAX_JSON_DEPTH, nestsDeeperThan } from './well-formed.js';

const nest = (depth: number): unknown => {
  let value: unknown = 1;
  for (let level = 0; level < depth; level++) value = level % 2 === 0 ? [value] : { k: value };
  return value;
};

describe('findInputProblem', () => {
  it('accepts ordinary JSON: finite numbers, well-formed strings (emoji included), null and booleans', () => {
    expect(findInputProblem({ a: [1, -2.5, 0, 1e308], b: 'é 🦄 \uFFFF', c: null, d: true, e: {} })).toBeNull();
    expect(findInputProblem('plain')).toBeNull();
    expect(findInputProblem(undefined)).toBeNull();
  });

  it('refuses Infinity, -Infinity and NaN, and says where', () => {
    expect(findInputProblem({ limit: Number.POSITIVE_INFINITY })).toMatchObject({
      path: ['limit'],
      type: 'value_error.number.not_finite',
    });
    expect(findInputProblem({ a: [0, { b: Number.NEGATIVE_INFINITY }] })?.path).toEqual(['a', 1, 'b']);
    expect(findInputProblem([Number.NaN])?.path).toEqual([0]);
  });

  it('refuses NUL in a value or a key', () => {
    expect(findInputProblem({ name: 'a\u0000b' })).toMatchObject({ path: ['name'], type: 'value_error.str.nul' });
    expect(findInputProblem({ 'k\u0000': 'v' })).toMatchObject({ path: ['k\u0000'], type: 'value_error.str.nul' });
  });

  it('refuses a lone high or low surrogate, not a pair', () => {
    expect(findInputProblem(['\uD800'])?.type).toBe('value_error.str.surrogate');
    expect(findInputProblem(['x\uDC00y'])?.type).toBe('value_error.str.surrogate');
    expect(findInputProblem(['\uD800\uD800\uDC00'])?.type).toBe('value_error.str.surrogate');
    expect(findInputProblem({ '\uDBFF': 1 })?.type).toBe('value_error.str.surrogate');
    expect(findInputProblem(['\uD83E\uDD84'])).toBeNull();
  });

  it(`accepts ${MAX_JSON_DEPTH} levels of nesting and refuses the next, at the level past the limit`, () => {
    expect(findInputProblem(nest(MAX_JSON_DEPTH))).toBeNull();
    const problem = findInputProblem(nest(MAX_JSON_DEPTH + 1));
    expect(problem?.type).toBe('value_error.depth');
    expect(problem?.path).toHaveLength(MAX_JSON_DEPTH);
    expect(findInputProblem(nest(3), 2)?.type).toBe('value_error.depth');
  });

  it('walks 200,000 levels without overflowing the stack (it stops at the limit)', () => {
    expect(findInputProblem(JSON.parse(`${'['.repeat(200_000)}${']'.repeat(200_000)}`))?.type).toBe(
      'value_error.depth',
    );
  });

  it('reports the first problem in document order', () => {
    expect(findInputProblem({ a: 'ok', b: Number.POSITIVE_INFINITY, c: '\u0000' })?.path).toEqual(['b']);
  });
});

describe('nestsDeeperThan', () => {
  it(`holds ${MAX_JSON_DEPTH} levels and not the next, as findInputProblem counts them`, () => {
    expect(nestsDeeperThan(nest(MAX_JSON_DEPTH))).toBe(false);
    expect(nestsDeeperThan(nest(MAX_JSON_DEPTH + 1))).toBe(true);
    expect(nestsDeeperThan('text')).toBe(false);
    expect(nestsDeeperThan({ a: [1, { b: [] }] }, 4)).toBe(false);
    expect(nestsDeeperThan({ a: [1, { b: [] }] }, 3)).toBe(true);
  });

  it('answers for 200,000 levels without overflowing the stack', () => {
    expect(nestsDeeperThan(JSON.parse(`${'['.repeat(200_000)}${']'.repeat(200_000)}`))).toBe(true);
  });
});
