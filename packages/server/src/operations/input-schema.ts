// The one JSON Schema validator of inputs. The HTTP API validates requests with it (api/app.ts hands it to Fastify
// as the validator compiler) and embedded calls are checked with it too, so a limit written in an input schema
// (a length, a pattern, a count) holds at every entry point. Fastify's own defaults: coerce query strings, fill
// defaults, drop unknown properties, stop at the first error (allErrors invites a denial of service).
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { isInstant } from '../input/instant.js';
import { findInputProblem } from '../input/well-formed.js';
import { InvalidInputError, type ValidationIssue } from './errors.js';

// ajv-formats is CommonJS: under NodeNext its default import is the module object, whose default is the plugin.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as unknown as (
  ajv: Ajv,
) => Ajv;

const ajv = new Ajv({
  coerceTypes: 'array',
  useDefaults: true,
  removeAdditional: true,
  addUsedSchema: false,
  allErrors: false,
});
addFormats(ajv);
// The API's date-time is RFC 3339 as input/instant.ts reads it, so a time the schema accepts always converts.
ajv.addFormat('date-time', { type: 'string', validate: isInstant });

const compiled = new WeakMap<object, ValidateFunction>();

/** Compiles a schema once (by identity): what Fastify calls for every route schema. */
export function compileInputSchema(schema: object): ValidateFunction {
  let validate = compiled.get(schema);
  if (validate === undefined) {
    validate = ajv.compile(schema);
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
