// node-postgres, loaded when a PostgreSQL store is. A static `import pg from 'pg'` in the modules below it would be
// hoisted by the bundle (dist/hookline.mjs, scripts/bundle.mjs: pg is left outside it as an import) to the top of
// the one file, so every `hookline serve`, SQLite included, loaded pg at start: its modules, and through its check
// for a Cloudflare runtime (`new Response`) Node's own fetch implementation, ~20 ms of CPU before ready (issue 12
// goal 5). Required here instead, when this module runs: the bundle runs it only once a postgres:// store is opened.
import { createRequire } from 'node:module';

export const pgDriver = createRequire(import.meta.url)('pg') as typeof import('pg');
