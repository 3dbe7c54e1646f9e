// The one JSON Schema validator of inputs. The HTTP API validates requests with it (api/app.ts hands it to Fastify
// as the validator compiler) and embedded calls are checked with it too, so a limit written in an input schema
// (a length, a pattern, a count) holds at every entry point. Fastify's own defaults: coerce query strings, fill
// defaults, drop unknown properties, stop at the first error (allErrors invites a denial of service).
import type { Ajv, ErrorObject, ValidateFunction } from 'ajv';
import { isInstant } from '../input/instant.js';
import { findInputProblem } from '../input/well-formed.js';
import { InvalidInputError, type ValidationIssue } from './errors.js';
import { newAjv } from './load-ajv.js';

let ajv: Ajv | undefined;

/** The one instance, made at the first schema compiled (load-ajv.ts says why not at start). */
function inputAjv(): Ajv {
  if (ajv === undefined) {
    ajv = newAjv(
      { coerceTypes: 'array', useDefaults: true, removeAdditional: true, addUsedSchema: false, allErrors: false },
      true,
    );
    // The API's date-time is RFC 3339 as input/instant.ts reads it, so a time the schema accepts always converts.
    ajv.addFormat('date-time', { type: 'string', validate: isInstant });
  }
  return ajv;
}

const compiled = new WeakMap<object, ValidateFunction>();

/** Compiles a schema once (by identity): what the API's validators and embedded calls' checks run. */
export function compileInputSchema(schema: object): ValidateFunction {
  let validate = compiled.get(schema);
  if (validate === undefined) {
    validate = inputAjv().compile(schema);
    compiled.set(schema, validate);
  }
  return validate;
}

/** An ajv error as a validation issue, its loc within the input (`prefix` first). */
export function issueOf(error: ErrorObject, prefix: ReadonlyArray<string | number> = []): ValidationIssue {
  const loc: Array<string | number> = [...prefix];
  for (const part of error.instancePath.split('/').slice(1)) {
    const name = part.replaceAll('~1', '/').replaceAll('~0', '~');
    loc.push(/^\d+$/.test(name) ? Number(name) : name);
  }
  const missing = (error.params as { missingProperty?: unknown }).missingProperty;
  if (error.keyword === 'required' && typeof missing === 'string') loc.push(missing);
  return { loc, msg: error.message ?? 'invalid', type: `value_error.${error.keyword}` };
}

/**
 * Checks an embedded caller's input as the API checks a request body: for what no schema can say
 * (input/well-formed.ts: non-finite numbers, NUL, lone surrogates, nesting depth) before and after its schema, as
 * the API's input guard does (coercion turns Infinity into the string "Infinity", and "1e400" into Infinity), and
 * against its schema on a copy (coercion and defaults write into what they check, and the caller's object is not
 * ours to change). Returns the checked copy.
 */
export function checkInput<T extends object>(schema: object, input: unknown): T {
  refuseProblemIn(input);
  const copy = typeof input === 'object' && input !== null && !Array.isArray(input) ? { ...input } : input;
  const validate = compileInputSchema(schema);
  if (!validate(copy)) throw new InvalidInputError((validate.errors ?? []).map((error) => issueOf(error)));
  refuseProblemIn(copy);
  return copy as T;
}

function refuseProblemIn(input: unknown): void {
  const problem = findInputProblem(input);
  if (problem !== null) throw new InvalidInputError([{ loc: problem.path, msg: problem.msg, type: problem.type }]);
}
