// The floor under goal 1: the relay made durable in the least costly way with the tools Hookline uses (node:http,
// undici, better-sqlite3 in WAL, the fsync off the event loop). Events go in exactly as the relay's and Hookline's do
// (one POST per event, `context.concurrency` in flight, from the harness), and out as signed POSTs from a process of
// its own (`server.ts`), its queue a SQLite file in a temporary directory. Its CPU per event over the relay's is what
// durability alone costs; Hookline's over this one is what its API, schema and engine add.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import { type Child, startChild } from '../../delivery/child-process.js';
import type { Contender, ContenderContext, DeliveryRun } from '../../delivery/contender.js';
import { forEachConcurrently } from '../../delivery/delivery-client.js';
import { bundleForNode } from '../../lib/bundle.js';

const serverFile = fileURLToPath(new URL('./server.ts', import.meta.url));

export function createDurableRelayContender(): Contender {
  let context: ContenderContext | undefined;
  let child: Child | undefined;
  let api: Pool | undefined;
  let dir: string | undefined;
  let parsedPayload: unknown;
  let bundle: string | undefined;

  const ready = () => {
    if (context === undefined || api === undefined) throw new Error('durable-relay: setup() first');
    return { context, api };
  };

  async function post(path: string, body: unknown, expected: number): Promise<void> {
    const response = await ready().api.request({
      method: 'POST',
      path,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    await response.body.dump();
    if (response.statusCode !== expected) {
      throw new Error(`durable-relay: POST ${path} answered ${response.statusCode}`);
    }
  }

  const publishEvent = (run: DeliveryRun, index: number) =>
    post(
      `/run/${run.id}/msg`,
      { eventType: 'bench.event', eventId: `${run.id}-${index}`, payload: parsedPayload },
      202,
    );

  return {
    name: 'durable-relay',
    async build() {
      bundle = await bundleForNode(serverFile, 'durable-relay-server');
    },
    async setup(given) {
      context = given;
      parsedPayload = JSON.parse(given.payload);
      // The same directory as Hookline's database (bench/delivery/hookline.ts), so both fsync on the same disk.
      dir = mkdtempSync(join(tmpdir(), 'hookline-bench-durable-relay-'));
      child = await startChild(
        bundle ?? serverFile,
        [
          '--receiver',
          given.receiverUrl,
          '--concurrency',
          String(given.concurrency),
          '--secret',
          given.secret,
          '--database',
          join(dir, 'queue.db'),
        ],
        {
          readyTimeoutMs: 30_000,
          // For a CPU profile under the bench, as BENCH_RELAY_NODE_ARGS does for the relay.
          nodeArgs: (process.env.BENCH_DURABLE_RELAY_NODE_ARGS ?? '').split(' ').filter((arg) => arg !== ''),
        },
      );
      const url = child.ready.url;
      if (typeof url !== 'string') {
        throw new Error(`durable-relay: ready line without a url: ${JSON.stringify(child.ready)}`);
      }
      api = new Pool(url, { connections: given.concurrency, pipelining: 1, keepAliveTimeout: 30_000 });
    },
    async prepare(run) {
      await post(
        `/run/${run.id}`,
        run.endpointUrls.map((url) => new URL(url).pathname),
        200,
      );
      await post('/resume', {}, 200);
    },
    async fill(run) {
      await post('/pause', {}, 200);
      await forEachConcurrently(run.events, ready().context.concurrency, (index) => publishEvent(run, index));
    },
    async release() {
      await post('/resume', {}, 200);
    },
    async publish(run) {
      await forEachConcurrently(run.events, ready().context.concurrency, (index) => publishEvent(run, index));
    },
    publishOne: publishEvent,
    processes: () => (child === undefined ? [] : [{ role: 'durable-relay', pid: child.pid }]),
    async teardown() {
      await api?.close();
      api = undefined;
      await child?.stop();
      child = undefined;
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
      dir = undefined;
    },
  };
}
