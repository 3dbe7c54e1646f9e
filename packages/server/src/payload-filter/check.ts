// Whether a value is a payload filter Hookline accepts, and if not, where it goes wrong: the first problem, with its
// location inside the filter (`["$or", 1, "data.amount", "$gt"]`), so a 422 points at the bad part. The walk is
// linear in the filter's size and stops at the first bound it passes, so a hostile filter costs little to refuse.
import {
  FILTER_LIMITS,
  FORBIDDEN_SEGMENTS,
  LOGICAL_OPERATORS,
  type PayloadFilter,
  VALUE_OPERATORS,
  type ValueOperator,
} from './language.js';

export interface FilterProblem {
  /** Where, from the filter's top: object keys and array indexes. */
  loc: Array<string | number>;
  msg: string;
}

type Loc = Array<string | number>;

/** Thrown inside the walk to stop at the first problem; never leaves this file. */
class Refusal {
  constructor(readonly problem: FilterProblem) {}
}

function refuse(loc: Loc, msg: string): never {
  throw new Refusal({ loc, msg });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const isLogical = (key: string): key is (typeof LOGICAL_OPERATORS)[number] =>
  (LOGICAL_OPERATORS as readonly string[]).includes(key);
const isValueOperator = (key: string): key is ValueOperator => Object.hasOwn(VALUE_OPERATORS, key);

class FilterWalk {
  private nodes = 0;

  /** Counts one more path, operator or value; refuses the filter past the bound. */
  private count(loc: Loc): void {
    this.nodes++;
    if (this.nodes > FILTER_LIMITS.maxNodes) {
      refuse(loc, `a filter may hold at most ${FILTER_LIMITS.maxNodes} paths, operators and values`);
    }
  }

  private enter(loc: Loc, depth: number): void {
    if (depth > FILTER_LIMITS.maxDepth) refuse(loc, `a filter may nest at most ${FILTER_LIMITS.maxDepth} levels`);
  }

  filter(value: unknown, loc: Loc, depth: number): void {
    this.enter(loc, depth);
    if (!isPlainObject(value)) refuse(loc, 'must be an object of payload paths and operators');
    const keys = Object.keys(value);
    if (keys.length === 0) refuse(loc, 'must not be empty');
    for (const key of keys) {
      const here = [...loc, key];
      this.count(here);
      if (isLogical(key)) this.filterList(value[key], here, depth + 1);
      else if (key.startsWith('$')) {
        refuse(here, `unknown operator ${key}: between filters use ${LOGICAL_OPERATORS.join(', ')}`);
      } else {
        this.path(key, here);
        this.condition(value[key], here, depth + 1);
      }
    }
  }

  private filterList(value: unknown, loc: Loc, depth: number): void {
    this.enter(loc, depth);
    if (!Array.isArray(value) || value.length === 0) refuse(loc, 'must be a non-empty array of filters');
    value.forEach((item, index) => {
      this.filter(item, [...loc, index], depth + 1);
    });
  }

  private path(path: string, loc: Loc): void {
    if (path.length > FILTER_LIMITS.maxPathLength) {
      refuse(loc, `a path may be at most ${FILTER_LIMITS.maxPathLength} characters`);
    }
    const segments = path.split('.');
    if (segments.length > FILTER_LIMITS.maxPathSegments) {
      refuse(loc, `a path may have at most ${FILTER_LIMITS.maxPathSegments} segments`);
    }
    for (const segment of segments) {
      if (segment === '') refuse(loc, 'a path is dot-separated field names, none of them empty');
      if (segment.startsWith('$')) refuse(loc, `a path segment may not start with $ (${segment})`);
      if (FORBIDDEN_SEGMENTS.includes(segment)) refuse(loc, `a path may not name ${segment}`);
    }
  }

  /** What a path is tested against: a scalar (equality) or an object of value operators. */
  private condition(value: unknown, loc: Loc, depth: number): void {
    if (Array.isArray(value)) refuse(loc, 'an array is not a condition: to match one of several values use $in');
    if (!isPlainObject(value)) {
      this.scalar(value, loc);
      return;
    }
    this.operators(value, loc, depth);
  }

  private operators(value: Record<string, unknown>, loc: Loc, depth: number): void {
    this.enter(loc, depth);
    const keys = Object.keys(value);
    if (keys.length === 0) refuse(loc, 'must not be empty (to test that a field is there use {"$exists": true})');
    for (const key of keys) {
      const here = [...loc, key];
      this.count(here);
      if (!isValueOperator(key)) {
        refuse(
          here,
          key.startsWith('$')
            ? `unknown operator ${key}: on a path use ${Object.keys(VALUE_OPERATORS).join(', ')}`
            : 'a condition is a value or an object of operators: to reach a nested field put it in the path (a.b)',
        );
      }
      this.operand(key, value[key], here, depth + 1);
    }
  }

  private operand(operator: ValueOperator, value: unknown, loc: Loc, depth: number): void {
    switch (VALUE_OPERATORS[operator]) {
      case 'scalar':
        this.scalar(value, loc);
        return;
      case 'comparable':
        if (typeof value !== 'number' && typeof value !== 'string')
          refuse(loc, `${operator} takes a number or a string`);
        this.scalar(value, loc);
        return;
      case 'boolean':
        if (typeof value !== 'boolean') refuse(loc, `${operator} takes true or false`);
        return;
      case 'scalars':
        this.scalars(operator, value, loc, depth);
        return;
      case 'conditions':
        if (!isPlainObject(value)) refuse(loc, `${operator} takes an object of operators, e.g. {"$gt": 5}`);
        this.operators(value, loc, depth);
        return;
    }
  }

  private scalars(operator: ValueOperator, value: unknown, loc: Loc, depth: number): void {
    this.enter(loc, depth);
    if (!Array.isArray(value)) refuse(loc, `${operator} takes an array of values`);
    if (value.length > FILTER_LIMITS.maxListItems) {
      refuse(loc, `${operator} takes at most ${FILTER_LIMITS.maxListItems} values`);
    }
    value.forEach((item, index) => {
      const here = [...loc, index];
      this.count(here);
      this.scalar(item, here);
    });
  }

  private scalar(value: unknown, loc: Loc): void {
    if (value === null || typeof value === 'boolean') return;
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) refuse(loc, 'must be a finite number');
      return;
    }
    if (typeof value === 'string') {
      if (value.length > FILTER_LIMITS.maxStringLength) {
        refuse(loc, `a string may be at most ${FILTER_LIMITS.maxStringLength} characters`);
      }
      return;
    }
    refuse(loc, 'must be a string, a number, true, false or null');
  }
}

/** The first problem of `value` as a payload filter, or null when it is one. */
export function findFilterProblem(value: unknown): FilterProblem | null {
  try {
    new FilterWalk().filter(value, [], 1);
  } catch (error) {
    if (error instanceof Refusal) return error.problem;
    throw error;
  }
  // Past the walk the filter is bounded in depth and count, so stringifying it is safe and cheap.
  if (Buffer.byteLength(JSON.stringify(value)) > FILTER_LIMITS.maxBytes) {
    return { loc: [], msg: `a filter may be at most ${FILTER_LIMITS.maxBytes} bytes as JSON` };
  }
  return null;
}

/** Narrows a value that findFilterProblem accepted. */
export function isPayloadFilter(value: unknown): value is PayloadFilter {
  return findFilterProblem(value) === null;
}
