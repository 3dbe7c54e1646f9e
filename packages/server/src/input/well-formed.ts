// What every value that comes in (a JSON body, a query string, a path, an embedded call's arguments) must be before
// anything stores or sends it: numbers finite, strings well-formed Unicode without NUL, JSON nested a bounded depth.
// Each one broke something past the edge: Infinity (ajv coerces "1e400" to it, past minimum/maximum) stored on
// SQLite and failed every later list; NUL is refused by PostgreSQL text; a lone surrogate stored as JSON text broke
// every `::jsonb` cast of its row; a 5,000-deep payload overflowed the stack in JSON.stringify.

/**
 * How deep JSON may nest (arrays and objects; a body's top level is depth 1). serde_json, the strictest common
 * receiver-side parser, stops at 128: a payload any deeper could not be read by every receiver anyway.
 */
export const MAX_JSON_DEPTH = 128;

export interface InputProblem {
  /** Where the bad value is, from the value given (object keys and array indexes). */
  path: Array<string | number>;
  msg: string;
  /** A stable name of the rule broken, as in Svix's validation errors (`value_error.…`). */
  type: string;
}

declare global {
  interface String {
    /** ES2024, in every Node this runs on (20+); our TypeScript lib is ES2023. */
    isWellFormed(): boolean;
  }
}

/** Why a string is refused, or null: NUL, or a lone surrogate (UTF-16 that no UTF-8 can hold). */
export function stringProblem(text: string): Omit<InputProblem, 'path'> | null {
  if (text.includes('\u0000')) return { msg: 'must not contain NUL (U+0000)', type: 'value_error.str.nul' };
  if (!text.isWellFormed()) {
    return { msg: 'must be well-formed Unicode (it holds a lone surrogate)', type: 'value_error.str.surrogate' };
  }
  return null;
}

export function numberProblem(value: number): Omit<InputProblem, 'path'> | null {
  return Number.isFinite(value) ? null : { msg: 'must be a finite number', type: 'value_error.number.not_finite' };
}

/**
 * The first thing in `value` that breaks the rules above, or null. It visits every string, key and number once
 * (linear in the size of the input) and never recurses past `maxDepth`, so a hostile depth cannot overflow it.
 */
export function findInputProblem(value: unknown, maxDepth: number = MAX_JSON_DEPTH): InputProblem | null {
  const problem = visit(value, 0, maxDepth);
  if (problem === null) return null;
  // The path was built on the way back up, innermost first.
  problem.path.reverse();
  return problem;
}

function visit(item: unknown, depth: number, maxDepth: number): InputProblem | null {
  if (typeof item === 'string') {
    const problem = stringProblem(item);
    return problem === null ? null : { path: [], ...problem };
  }
  if (typeof item === 'number') {
    const problem = numberProblem(item);
    return problem === null ? null : { path: [], ...problem };
  }
  if (typeof item !== 'object' || item === null) return null;
  if (depth >= maxDepth) {
    return { path: [], msg: `nests deeper than ${maxDepth} levels of arrays and objects`, type: 'value_error.depth' };
  }
  if (Array.isArray(item)) {
    for (let index = 0; index < item.length; index++) {
      const problem = visit(item[index], depth + 1, maxDepth);
      if (problem !== null) {
        problem.path.push(index);
        return problem;
      }
    }
    return null;
  }
  for (const key in item) {
    if (!Object.hasOwn(item, key)) continue;
    const keyProblem = stringProblem(key);
    const problem =
      keyProblem === null
        ? visit((item as Record<string, unknown>)[key], depth + 1, maxDepth)
        : { path: [], ...keyProblem, msg: `a key ${keyProblem.msg}` };
    if (problem !== null) {
      problem.path.push(key);
      return problem;
    }
  }
  return null;
}

/** Whether `value` nests arrays and objects deeper than `maxDepth`; never recurses past it. */
export function nestsDeeperThan(value: unknown, maxDepth: number = MAX_JSON_DEPTH): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (maxDepth <= 0) return true;
  const children = Array.isArray(value) ? value : Object.values(value);
  return children.some((child) => nestsDeeperThan(child, maxDepth - 1));
}
