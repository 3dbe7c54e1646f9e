// Published payloads checked against their event type's JSON Schema (the highest version in `schemas`), with ajv.
// A schema is compiled once and cached by event type; the cache entry carries the type's updatedAt, so a changed
// schema is compiled again on its next use, in this process or any other reading the same store.
import type { ValidateFunction } from 'ajv';
import type { EventType } from '../store/types.js';
import type { ValidationIssue } from './errors.js';
import { issueOf } from './input-schema.js';
import { newAjv } from './load-ajv.js';

/** Past this many cached validators the cache starts over rather than grow. */
const CACHED_VALIDATORS = 10_000;

export class InvalidSchemaError extends Error {
  readonly code = 'HOOKLINE_INVALID_SCHEMA';
}

/** The schema payloads are checked against: the highest numbered version, or null when there is none. */
export function latestSchema(schemas: Record<string, unknown> | null): object | null {
  if (schemas === null) return null;
  let best: { version: number; schema: unknown } | null = null;
  for (const [key, schema] of Object.entries(schemas)) {
    const version = Number(key);
    if (Number.isFinite(version) && (best === null || version > best.version)) best = { version, schema };
  }
  return best !== null && typeof best.schema === 'object' && best.schema !== null ? best.schema : null;
}

function compile(schema: object): ValidateFunction {
  // A fresh ajv per schema: users' schemas may reuse an $id, which one shared instance would refuse the second time.
  // `$schema` is dropped so a 2020-12 or draft-07 declaration both compile with ajv's default dialect.
  const { $schema: _dialect, ...rest } = schema as Record<string, unknown>;
  const ajv = newAjv({ allErrors: true, strict: false, validateFormats: false });
  try {
    return ajv.compile(rest);
  } catch (error) {
    throw new InvalidSchemaError(error instanceof Error ? error.message : String(error));
  }
}

/** Fails with InvalidSchemaError when a version in `schemas` is not a JSON Schema ajv can compile. */
export function checkSchemas(schemas: Record<string, unknown>): void {
  for (const [version, schema] of Object.entries(schemas)) {
    if (!/^[1-9][0-9]{0,5}$/.test(version)) {
      throw new InvalidSchemaError(`schema versions are positive integers, not ${JSON.stringify(version)}`);
    }
    if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
      throw new InvalidSchemaError(`schemas.${version} must be a JSON Schema object`);
    }
    compile(schema);
  }
}

export class PayloadValidator {
  private readonly validators = new Map<string, { updatedAt: number; validate: ValidateFunction | null }>();

  /** The payload's problems against the event type's latest schema (loc from ['payload']); empty when it conforms. */
  problems(eventType: EventType, payload: unknown): ValidationIssue[] {
    let cached = this.validators.get(eventType.name);
    if (cached === undefined || cached.updatedAt !== eventType.updatedAt) {
      const schema = latestSchema(eventType.schemas);
      cached = { updatedAt: eventType.updatedAt, validate: schema === null ? null : compile(schema) };
      if (this.validators.size >= CACHED_VALIDATORS) this.validators.clear();
      this.validators.set(eventType.name, cached);
    }
    if (cached.validate === null || cached.validate(payload)) return [];
    return (cached.validate.errors ?? []).slice(0, 50).map((error) => issueOf(error, ['payload']));
  }
}
