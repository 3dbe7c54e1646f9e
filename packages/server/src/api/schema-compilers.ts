// Fastify's schema compilers, each route's schema compiled at its first request instead of at start: a server
// has ~100 route schemas, most never used in a given run, and compiling them all (ajv for inputs,
// fast-json-stringify for answers) was most of the CPU and a third of the memory of `hookline serve` getting
// ready (issue 12, goal 5). A compiled function is kept, so every later request runs precompiled code. Replacing
// the compilers factory (not only setting a compiler) also keeps Fastify from loading its own ajv at start.
import { createRequire } from 'node:module';
import type { ValidateFunction } from 'ajv';
import type { FastifyServerOptions } from 'fastify';
import { compileInputSchema } from '../operations/input-schema.js';

type CompilersFactory = NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>;
type Stringify = typeof import('fast-json-stringify');

const require = createRequire(import.meta.url);
let stringifyBuilder: Stringify | undefined;

/** Validates with the operations' input validator (the one embedded calls go through too), compiled at first use. */
function lazyValidator({ schema }: { schema?: unknown }) {
  let compiled: ValidateFunction | undefined;
  // Fastify reads `errors` off the function it was given after a `false`, as ajv leaves them on its own.
  const validate = Object.assign(
    (data: unknown): boolean => {
      compiled ??= compileInputSchema(schema as object);
      const valid = compiled(data);
      validate.errors = compiled.errors;
      return valid as boolean;
    },
    { errors: null as ValidateFunction['errors'] },
  );
  return validate;
}

/** fast-json-stringify for a response schema, compiled at the first answer that uses it. */
function lazySerializer(externalSchemas: unknown, options: unknown) {
  return ({ schema }: { schema?: unknown }) => {
    let serialize: ((doc: unknown) => string) | undefined;
    return (doc: unknown): string => {
      if (serialize === undefined) {
        stringifyBuilder ??= require('fast-json-stringify') as Stringify;
        const settings = { ...(options as object), schema: externalSchemas } as Parameters<Stringify>[1];
        serialize = stringifyBuilder(schema as Parameters<Stringify>[0], settings) as (doc: unknown) => string;
      }
      return serialize(doc);
    };
  };
}

export const lazySchemaCompilers = {
  buildValidator: () => lazyValidator,
  buildSerializer: lazySerializer,
} as unknown as CompilersFactory;
