// Starting or migrating where it cannot work says why in one `hookline:` line with a hint and exits non-zero: no
// stack trace, no page of driver fields, and no folder made out of a URL.
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { SERVICES, serviceAvailable } from '../../../test/support/services.js';
import { CLI_TEST_TIMEOUT_MS, runCli } from './support/cli-process.js';
import { freePort } from './support/hookline-process.js';
import { dropSchema, randomSchemaName } from './support/postgres-schema.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hookline-startup-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** One `hookline:` line, one hint line, nothing else: no stack frames, no pg error fields. */
function expectOneLineError(stderr: string, message: string | RegExp): void {
  const lines = stderr.trimEnd().split('\n');
  expect(lines, stderr).toHaveLength(2);
  expect(lines[0]).toMatch(/^hookline: /);
  if (typeof message === 'string') expect(lines[0]).toContain(message);
  else expect(lines[0]).toMatch(message);
  expect(lines[1]).toMatch(/^ {2}hint: \S/);
  expect(stderr).not.toMatch(/\n\s+at /);
}

const postgres = await serviceAvailable('postgres');

describe('hookline serve that cannot start', () => {
  it(
    'on a busy port: one line naming the port, a hint to pick another, exit 1',
    async () => {
      const taken = createServer();
      const port = await new Promise<number>((resolve) =>
        taken.listen(0, '127.0.0.1', () => resolve((taken.address() as { port: number }).port)),
      );
      try {
        const run = await runCli(['serve', '--port', String(port), '--database', join(tempDir(), 'h.db')]);
        expect(run.code).toBe(1);
        expectOneLineError(run.stderr, `port ${port} on 127.0.0.1 is already in use`);
        expect(run.stderr).toContain('PORT=');
      } finally {
        await new Promise((resolve) => taken.close(resolve));
      }
    },
    CLI_TEST_TIMEOUT_MS,
  );

  it(
    'with PostgreSQL down (ECONNREFUSED): one line naming where, exit 1',
    async () => {
      const port = await freePort();
      const run = await runCli([
        'serve',
        '--port',
        '0',
        '--database',
        `postgres://postgres@127.0.0.1:${port}/hookline`,
      ]);
      expect(run.code).toBe(1);
      expectOneLineError(run.stderr, `cannot connect to PostgreSQL at 127.0.0.1:${port} (ECONNREFUSED)`);
    },
    CLI_TEST_TIMEOUT_MS,
  );

  it.skipIf(!postgres)(
    'with a database that does not exist: one line naming it, a hint to create it, exit 1',
    async () => {
      const url = new URL(SERVICES.postgres.url);
      url.pathname = '/hookline_no_such_database';
      const run = await runCli(['serve', '--port', '0', '--database', url.toString()]);
      expect(run.code).toBe(1);
      expectOneLineError(run.stderr, 'has no database "hookline_no_such_database"');
      expect(run.stderr).toContain('createdb');
    },
    CLI_TEST_TIMEOUT_MS,
  );

  it(
    'with a SQLite path it cannot open or that is not a database: one line each, exit 1',
    async () => {
      const dir = tempDir();
      const notADirectory = join(dir, 'file');
      writeFileSync(notADirectory, 'x');
      const under = await runCli(['serve', '--port', '0', '--database', join(notADirectory, 'h.db')]);
      expect(under.code).toBe(1);
      expectOneLineError(under.stderr, `cannot open the SQLite database ${join(notADirectory, 'h.db')}`);

      const garbage = join(dir, 'garbage.db');
      writeFileSync(garbage, Buffer.alloc(8192, 7));
      const notDb = await runCli(['serve', '--port', '0', '--database', garbage]);
      expect(notDb.code).toBe(1);
      expectOneLineError(notDb.stderr, `${garbage} is not a SQLite database`);
    },
    CLI_TEST_TIMEOUT_MS,
  );
});

describe('hookline migrate with a PostgreSQL URL', () => {
  it(
    'with PostgreSQL down: one clear error, exit 1, and no folder named after the URL',
    async () => {
      const cwd = tempDir();
      const port = await freePort();
      const run = await runCli(['migrate', '--database', `postgres://postgres@127.0.0.1:${port}/x`], {}, { cwd });
      expect(run.code).toBe(1);
      expect(run.stdout).toBe('');
      expectOneLineError(run.stderr, `cannot connect to PostgreSQL at 127.0.0.1:${port} (ECONNREFUSED)`);
      expect(readdirSync(cwd)).toEqual([]);
      expect(existsSync(join(cwd, 'postgres:'))).toBe(false);
    },
    CLI_TEST_TIMEOUT_MS,
  );

  it(
    'a database URL of another kind is refused, not taken for a file path',
    async () => {
      const cwd = tempDir();
      const run = await runCli(['migrate', '--database', 'mysql://root@127.0.0.1/hookline'], {}, { cwd });
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('database must be a SQLite file path or a postgres:// URL');
      expect(readdirSync(cwd)).toEqual([]);
    },
    CLI_TEST_TIMEOUT_MS,
  );

  it.skipIf(!postgres)(
    'against a live database creates the tables (in the ?schema= given), twice without harm',
    async () => {
      const schema = randomSchemaName();
      const url = `${SERVICES.postgres.url}?schema=${schema}`;
      try {
        const run = await runCli(['--json', 'migrate', '--database', url]);
        expect(run.stderr).toBe('');
        expect(run.code).toBe(0);
        // The URL said back without its user (it could carry a password).
        expect(JSON.parse(run.stdout)).toEqual({
          database: expect.not.stringContaining('postgres@'),
          migrated: true,
          // Encryption at rest's pass over existing rows: nothing to do in a new database.
          resealed: 0,
          unreadable: 0,
        });
        const client = new pg.Client({ connectionString: SERVICES.postgres.url });
        await client.connect();
        try {
          const tables = await client.query<{ table_name: string }>(
            'SELECT table_name FROM information_schema.tables WHERE table_schema = $1',
            [schema],
          );
          const names = tables.rows.map((row) => row.table_name);
          expect(names).toEqual(expect.arrayContaining(['messages', 'deliveries', 'endpoints', 'schema_migrations']));
        } finally {
          await client.end();
        }
        expect((await runCli(['migrate', '--database', url])).code).toBe(0);
      } finally {
        await dropSchema(SERVICES.postgres.url, schema);
      }
    },
    CLI_TEST_TIMEOUT_MS,
  );
});
