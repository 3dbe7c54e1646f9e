import { describe, expect, it } from 'vitest';
import type { EventType } from '../store/types.js';
import { checkSchemas, InvalidSchemaError, latestSchema, PayloadValidator } from './payload-validation.js';

function eventType(schemas: Record<string, unknown> | null, updatedAt = 1): EventType {
  return {
    name: 'invoice.paid',
    description: '',
    schemas,
    archived: false,
    deprecated: false,
    featureFlag: null,
    groupName: null,
    createdAt: 1,
    updatedAt,
  };
}

const V1 = { type: 'object', required: ['invoice'], properties: { invoice: { type: 'string' } } };
const V2 = { type: 'object', required: ['amount'], properties: { amount: { type: 'integer', minimum: 0 } } };

describe('latestSchema', () => {
  it('picks the highest numbered version, numerically (10 after 9)', () => {
    expect(latestSchema({ '1': V1, '10': V2, '9': V1 })).toBe(V2);
    expect(latestSchema({})).toBeNull();
    expect(latestSchema(null)).toBeNull();
  });
});

describe('checkSchemas', () => {
  it('accepts JSON Schemas, with or without a $schema dialect', () => {
    expect(() =>
      checkSchemas({ '1': V1, '2': { ...V2, $schema: 'https://json-schema.org/draft/2020-12/schema' } }),
    ).not.toThrow();
  });

  it('refuses a schema ajv cannot compile, and versions that are not positive integers', () => {
    expect(() => checkSchemas({ '1': { type: 'no-such-type' } })).toThrow(InvalidSchemaError);
    expect(() => checkSchemas({ v1: V1 })).toThrow(InvalidSchemaError);
    expect(() => checkSchemas({ '0': V1 })).toThrow(InvalidSchemaError);
    expect(() => checkSchemas({ '1': [] as unknown as object })).toThrow(InvalidSchemaError);
  });
});

describe('PayloadValidator', () => {
  it('lists each failing path in Svix loc form, under payload (the API puts body in front)', () => {
    const problems = new PayloadValidator().problems(eventType({ '1': V1, '2': V2 }), { amount: -5, extra: true });
    expect(problems).toEqual([{ loc: ['payload', 'amount'], msg: 'must be >= 0', type: 'value_error.minimum' }]);
    const missing = new PayloadValidator().problems(eventType({ '2': V2 }), {});
    expect(missing).toEqual([
      { loc: ['payload', 'amount'], msg: "must have required property 'amount'", type: 'value_error.required' },
    ]);
  });

  it('accepts anything for an event type without schemas', () => {
    expect(new PayloadValidator().problems(eventType(null), { whatever: [1, 2] })).toEqual([]);
  });

  it('compiles again when the event type changed (a newer updatedAt), and only then', () => {
    const validator = new PayloadValidator();
    expect(validator.problems(eventType({ '1': V1 }, 1), { invoice: 'in_1' })).toEqual([]);
    // Same updatedAt: the cached validator answers, even if handed different schemas.
    expect(validator.problems(eventType({ '1': V2 }, 1), { invoice: 'in_1' })).toEqual([]);
    expect(validator.problems(eventType({ '1': V2 }, 2), { invoice: 'in_1' })).toHaveLength(1);
  });

  it('two schemas with the same $id both compile', () => {
    const validator = new PayloadValidator();
    const withId = (schema: object) => ({ ...schema, $id: 'https://example.com/invoice' });
    expect(validator.problems(eventType({ '1': withId(V1) }, 1), {})).toHaveLength(1);
    expect(validator.problems({ ...eventType({ '1': withId(V2) }, 1), name: 'other' }, { amount: 1 })).toEqual([]);
  });
});
