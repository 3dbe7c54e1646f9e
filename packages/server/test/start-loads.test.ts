// What `hookline serve` loads before it is ready (issue 12 goal 5: start to ready, idle RSS): the `hookline` command
// as users run it (bin/hookline.js, the bundle `npm install` builds), on the SQLite default, with a preloaded
// script that lists at exit the packages in the module cache. The clients of other databases and of brokers, the
// HTTP client, and the JSON Schema compiler load when first used, never at start: the bundle hoisted
// `import pg from 'pg'` to its top once, and every SQLite server loaded pg at start (store/postgres/pg-driver.ts).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { waitFor } from './support/receiver.js';

const bin = fileURLToPath(new URL('../bin/hookline.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'hookline-start-loads-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Preloaded with --require: at exit, writes the names of the packages whose files are in the module cache. */
const SPY = `
const { writeFileSync } = require('node:fs');
process.on('exit', () => {
  const names = new Set();
  for (const file of Object.keys(require.cache)) {
    const match = /node_modules[\\\\/]((?:@[^\\\\/]+[\\\\/])?[^\\\\/]+)[\\\\/]/.exec(file);
    if (match) names.add(match[1].replace('\\\\', '/'));
  }
  writeFileSync(process.env.HOOKLINE_TEST_LOADED, JSON.stringify([...names].sort()));
});
`;

describe('hookline serve on SQLite, at start', () => {
  it('loads neither pg, nor the broker clients, nor undici or ajv before it is ready', {
    timeout: 120_000,
  }, async () => {
    const spy = join(dir, 'spy.cjs');
    const loadedFile = join(dir, 'loaded.json');
    const config = join(dir, 'config.json');
    writeFileSync(spy, SPY);
    writeFileSync(config, '{}');
    const child = spawn(
      process.execPath,
      ['--require', spy, bin, 'serve', '--port', '0', '--database', join(dir, 'hookline.db'), '--config', config],
      { env: { ...process.env, HOOKLINE_TEST_LOADED: loadedFile }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await waitFor(() => output.includes('hookline listening on'), 'hookline serve to be ready', 90_000);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    const loaded = JSON.parse(readFileSync(loadedFile, 'utf8')) as string[];
    // The spy sees CommonJS packages: the SQLite driver, which a SQLite server needs at start, is there.
    expect(loaded).toContain('better-sqlite3');
    const early = loaded.filter((name) =>
      ['pg', 'pg-pool', 'pg-protocol', 'ioredis', 'nats', 'amqplib', 'undici', 'ajv'].includes(name),
    );
    expect(early).toEqual([]);
  });
});
