// ajv (and ajv-formats) loaded at the first schema compiled, not at start: most requests of a running server are
// checked by schemas compiled long before, and a server that has not yet been asked anything should not pay
// ~20 MiB and ~200 ms of CPU to be ready. Both are CommonJS, so a synchronous require serves the synchronous
// compile paths (Fastify's validator compiler, embedded calls' checkInput).
import { createRequire } from 'node:module';
import type { Ajv, Options } from 'ajv';

const require = createRequire(import.meta.url);

let AjvClass: typeof Ajv | undefined;
let addFormats: ((ajv: Ajv) => Ajv) | undefined;

/** A new ajv instance; `withFormats` adds ajv-formats' formats (email, uri, date-time, …). */
export function newAjv(options: Options, withFormats = false): Ajv {
  AjvClass ??= (require('ajv') as typeof import('ajv')).Ajv;
  const ajv = new AjvClass(options);
  if (withFormats) {
    // ajv-formats is CommonJS: its module object is the plugin, also found under `default`.
    addFormats ??= (() => {
      const loaded = require('ajv-formats') as { default?: unknown };
      return (loaded.default ?? loaded) as (ajv: Ajv) => Ajv;
    })();
    addFormats(ajv);
  }
  return ajv;
}
