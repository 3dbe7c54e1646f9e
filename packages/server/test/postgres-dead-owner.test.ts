// Issue 16 item 4: a process killed with leases on an endpoint at its concurrency limit froze that endpoint until
// the leases ran out (timeout + margin). Leases now name their owner's session; when it ends, the survivor's next
// claim takes them back. The leases here are 10 minutes long: only the owner's death can free them in this test.
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { SERVICES, serviceAvailable } from '../../../test/support/services.js';
import { claimOptions, newMessage, SECRET } from '../src/store/conformance/fixtures.js';
import { PostgresStore } from '../src/store/postgres/postgres-store.js';
import { dropSchema, randomSchemaName } from './support/postgres-schema.js';

const available = await serviceAvailable('postgres');
const url = SERVICES.postgres.url;
const holderScript = fileURLToPath(new URL('./support/lease-holder.ts', import.meta.url));
const LIMIT = 3;

describe.skipIf(!available)('a process that dies holding leases (PostgreSQL)', () => {
  const children = new Set<ChildProcess>();
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const child of children) child.kill('SIGKILL');
    children.clear();
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  /** Starts the lease holder and resolves with how many deliveries it claimed. */
  async function holdLeases(schema: string): Promise<{ child: ChildProcess; claimed: number }> {
    const child = spawn(process.execPath, ['--import', 'tsx', holderScript, url, schema, String(LIMIT)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.add(child);
    const lines = createInterface({ input: child.stdout as NonNullable<typeof child.stdout> });
    const claimed = await new Promise<number>((resolve, reject) => {
      lines.on('line', (line) => {
        const match = /^claimed (\d+)$/.exec(line);
        if (match !== null) resolve(Number(match[1]));
      });
      child.once('exit', (code) => reject(new Error(`lease holder exited with ${code}`)));
    });
    return { child, claimed };
  }

  it('after kill -9, the survivor claims for the endpoint at once instead of after the lease', {
    timeout: 120_000,
  }, async () => {
    const schema = randomSchemaName();
    const survivor = new PostgresStore({ url, schema, max: 4 });
    cleanups.push(async () => {
      await survivor.close();
      await dropSchema(url, schema);
    });
    await survivor.migrate();
    const now = Date.now();
    const app = await survivor.createApplication({ name: 'acme' }, now);
    const endpoint = await survivor.createEndpoint(
      app.id,
      { url: 'https://receiver.example.com/hook', secret: SECRET },
      now,
    );
    for (let i = 0; i < 10; i++) await survivor.publish(app.id, newMessage(), now);

    const { child, claimed } = await holdLeases(schema);
    expect(claimed).toBe(LIMIT);
    const limited = () => claimOptions(Date.now(), { perEndpointLimit: LIMIT, leaseUntil: Date.now() + 600_000 });
    // While the holder lives, its leases fill the endpoint's limit, for the survivor too.
    expect(await survivor.claimDueDeliveries(limited())).toEqual([]);

    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
    // PostgreSQL ends the dead process's sessions when their sockets close; the next claims find its leases free.
    let taken: Awaited<ReturnType<PostgresStore['claimDueDeliveries']>> = [];
    await expect
      .poll(
        async () => {
          taken = await survivor.claimDueDeliveries(limited());
          return taken.length;
        },
        { timeout: 30_000, interval: 100 },
      )
      .toBeGreaterThan(0);
    expect(taken).toHaveLength(LIMIT);
    expect(taken.every((item) => item.endpoint.id === endpoint.id)).toBe(true);
    // The dead holder's deliveries are among them: due again, not lost and not waiting out their 10 minutes.
    expect(await survivor.countDeliveries({ status: 'sending' })).toBe(LIMIT);
    expect(await survivor.countDeliveries({ status: 'pending' })).toBe(10 - LIMIT);
  });

  it('a live process keeps its leases: another claim does not take them', async () => {
    const schema = randomSchemaName();
    const [a, b] = [new PostgresStore({ url, schema, max: 2 }), new PostgresStore({ url, schema, max: 2 })];
    cleanups.push(async () => {
      await Promise.all([a.close(), b.close()]);
      await dropSchema(url, schema);
    });
    await a.migrate();
    await b.migrate();
    const now = Date.now();
    const app = await a.createApplication({ name: 'acme' }, now);
    await a.createEndpoint(app.id, { url: 'https://receiver.example.com/hook', secret: SECRET }, now);
    for (let i = 0; i < 5; i++) await a.publish(app.id, newMessage(), now);
    const options = () => claimOptions(Date.now(), { perEndpointLimit: LIMIT, leaseUntil: Date.now() + 600_000 });
    expect(await a.claimDueDeliveries(options())).toHaveLength(LIMIT);
    for (let i = 0; i < 3; i++) expect(await b.claimDueDeliveries(options())).toEqual([]);
    expect(await b.countDeliveries({ status: 'sending' })).toBe(LIMIT);
  });
});
