// Payload validation against any Standard Schema v1 validator (zod, valibot, arktype…) or a plain function (a
// JSON Schema validator such as a compiled ajv function, via `jsonSchemaValidator`). The interface below is the
// published Standard Schema v1 shape, copied as its authors intend, so there is no dependency on any library.
import type { ValidationIssue } from './errors.js';

export interface StandardSchemaV1<Input = unknown, Output = Input> {
  readonly '~standard': {
    readonly version: 1;
    readonly vendor: string;
    readonly validate: (value: unknown) => StandardSchemaV1Result<Output> | Promise<StandardSchemaV1Result<Output>>;
    readonly types?: { readonly input: Input; readonly output: Output } | undefined;
  };
}

export type StandardSchemaV1Result<Output> =
  | { readonly value: Output; readonly issues?: undefined }
  | {
      readonly issues: ReadonlyArray<{
        readonly message: string;
        readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined;
      }>;
    };

/** A validator function: the (possibly transformed) value, or the issues found. */
export type PayloadValidator = (payload: unknown) => ValidationOutcome | Promise<ValidationOutcome>;

export type ValidationOutcome = { ok: true; value: unknown } | { ok: false; issues: ValidationIssue[] };

export type PayloadSchema = StandardSchemaV1 | PayloadValidator;

const MAX_ISSUES = 20;

function pathOf(path: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined) {
  if (path === undefined) return undefined;
  return path.map((segment) => {
    const key = typeof segment === 'object' ? segment.key : segment;
    return typeof key === 'number' ? key : String(key);
  });
}

/** Runs one schema; issues are capped so a hostile payload cannot make the 422 body huge. */
export async function validatePayload(schema: PayloadSchema, payload: unknown): Promise<ValidationOutcome> {
  if (typeof schema === 'function') {
    const outcome = await schema(payload);
    return outcome.ok ? outcome : { ok: false, issues: outcome.issues.slice(0, MAX_ISSUES) };
  }
  const result = await schema['~standard'].validate(payload);
  if (result.issues === undefined) return { ok: true, value: result.value };
  return {
    ok: false,
    issues: result.issues.slice(0, MAX_ISSUES).map((issue) => {
      const path = pathOf(issue.path);
      return path === undefined ? { message: issue.message } : { message: issue.message, path };
    }),
  };
}

/** The shape of a compiled JSON Schema validator as ajv (and others) produce it. */
export interface CompiledJsonSchemaValidator {
  (data: unknown): boolean;
  errors?: ReadonlyArray<{ instancePath?: string; message?: string }> | null;
}

/** Adapts a compiled JSON Schema validator (`ajv.compile(schema)`) into a `PayloadValidator`. */
export function jsonSchemaValidator(validate: CompiledJsonSchemaValidator): PayloadValidator {
  return (payload) => {
    if (validate(payload)) return { ok: true, value: payload };
    const issues = (validate.errors ?? []).map((error) => {
      const path = (error.instancePath ?? '').split('/').filter((segment) => segment !== '');
      return { message: error.message ?? 'invalid', path };
    });
    return { ok: false, issues: issues.length > 0 ? issues : [{ message: 'invalid' }] };
  };
}
