// Crash safety: a child `hookline serve` is killed with SIGKILL at random moments while 5,000 events flow through
// it. After the last restart every accepted event must reach the receiver (unique webhook-ids), duplicates are
// reported (delivery is at-least-once), and no delivery is left pending or sending.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, expect, it } from 'vitest';
import { TestReceiver, waitFor } from './support/receiver.js';

const EVENTS = 5000;
const KILLS = 5;
const TOKEN = 'crash-test-admin-token-0123456789';
const main = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'hookline-crash-'));
const children = new Set<ChildProcess>();

afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

it(`no accepted event is lost across ${KILLS} kill -9s while ${EVENTS} events flow`, { timeout: 300_000 }, async () => {
  const receiver = new TestReceiver();
  await receiver.start();
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const database = join(dir, 'hookline.db');
  const config = join(dir, 'hookline.json');
  writeFileSync(
    config,
    JSON.stringify({
      delivery: {
        timeoutMs: 2000,
        leaseMarginMs: 1000,
        pollIntervalMs: 200,
        retrySchedule: [0.1, 0.2, 0.5, 1, 1, 1, 1],
      },
    }),
  );

  const startChild = async (): Promise<ChildProcess> => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        main,
        'serve',
        '--port',
        String(port),
        '--database',
        database,
        '--allow-private-networks',
        '--config',
        config,
      ],
      {
        env: { ...process.env, HOOKLINE_ADMIN_TOKEN: TOKEN, HOOKLINE_LOG_LEVEL: 'error' },
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
    children.add(child);
    child.once('exit', () => children.delete(child));
    await waitFor(
      async () => {
        try {
          return (await fetch(`${base}/api/v1/health/`)).status === 204;
        } catch {
          return false;
        }
      },
      'hookline to answer health',
      30_000,
    );
    return child;
  };

  const call = async (path: string, body: unknown) =>
    fetch(`${base}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  let child = await startChild();
  try {
    await (await call('/api/v1/app', { name: 'crash', uid: 'crash' })).text();
    await (await call('/api/v1/app/crash/endpoint', { url: `${receiver.url}/sink` })).text();

    // The publisher: each event is sent until the service says it has it (202), or had it already (409 for the
    // same eventId: the first try was committed before the crash cut the answer off).
    let next = 0;
    let accepted = 0;
    const deadline = Date.now() + 240_000;
    const publisher = async () => {
      while (next < EVENTS && Date.now() < deadline) {
        const seq = next++;
        for (;;) {
          if (Date.now() > deadline) throw new Error('publishing did not finish in time');
          try {
            const response = await call('/api/v1/app/crash/msg', {
              eventType: 'order.created',
              eventId: `evt-${seq}`,
              payload: { seq },
            });
            await response.text();
            if (response.status === 202 || response.status === 409) {
              accepted++;
              break;
            }
          } catch {
            // The process is down or restarting: try the same event again.
          }
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
    };
    const publishing = Promise.all(Array.from({ length: 16 }, publisher));

    for (let kill = 0; kill < KILLS; kill++) {
      await new Promise((resolve) => setTimeout(resolve, 300 + Math.random() * 1200));
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
      child = await startChild();
    }
    await publishing;
    expect(accepted).toBe(EVENTS);

    const seen = () => new Set(receiver.on('/sink').map((r) => (JSON.parse(r.body) as { seq: number }).seq));
    await waitFor(() => seen().size === EVENTS, `all ${EVENTS} events at the receiver`, 120_000);

    // Deliveries the killed processes held stay leased until their lease runs out; then the live process sends
    // them again (the duplicates above). Wait for that: nothing may stay pending or sending.
    const watch = new Database(database, { readonly: true });
    try {
      const unfinished = watch.prepare("SELECT COUNT(*) AS n FROM deliveries WHERE status <> 'succeeded'");
      await waitFor(() => (unfinished.get() as { n: number }).n === 0, 'every delivery to succeed', 60_000);
    } finally {
      watch.close();
    }
    const ids = receiver.on('/sink').map((r) => String(r.headers['webhook-id']));
    const unique = new Set(ids);
    expect(unique.size).toBe(EVENTS);
    console.log(
      `crash test: ${KILLS} kills, ${EVENTS} accepted, ${unique.size} unique webhook-ids delivered, ${ids.length - unique.size} duplicate deliveries (at-least-once)`,
    );

    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
    const db = new Database(database, { readonly: true });
    try {
      const counts = db.prepare('SELECT status, COUNT(*) AS n FROM deliveries GROUP BY status').all() as Array<{
        status: string;
        n: number;
      }>;
      expect(counts).toEqual([{ status: 'succeeded', n: EVENTS }]);
      expect((db.prepare('SELECT COUNT(*) AS n FROM messages').get() as { n: number }).n).toBe(EVENTS);
    } finally {
      db.close();
    }
  } finally {
    child.kill('SIGKILL');
    await receiver.stop();
  }
});
