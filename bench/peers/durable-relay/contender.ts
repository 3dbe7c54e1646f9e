// The floor under goal 1: the relay made durable in the least costly way with the tools Hookline uses (node:http,
// undici, better-sqlite3 in WAL, the fsync off the event loop). Events go in exactly as the relay's and Hookline's do
// (one POST per event, `context.concurrency` in flight, from the harness), and out as signed POSTs from a process of
// its own (`server.ts`), its queue a SQLite file in a temporary directory. Its CPU per event over the relay's is what
// durability alone costs; Hookline's over this one is what its API, schema and engine add. The harness's side is the
// relay's (peers/relay/contender.ts), with the queue's file as one more argument.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Contender } from '../../delivery/contender.js';
import { relayShapedContender } from '../relay/contender.js';

const serverFile = fileURLToPath(new URL('./server.ts', import.meta.url));

export function createDurableRelayContender(): Contender {
  return relayShapedContender({
    name: 'durable-relay',
    serverFile,
    nodeArgsVariable: 'BENCH_DURABLE_RELAY_NODE_ARGS',
    ownArguments: () => {
      // The same directory as Hookline's database (bench/delivery/hookline.ts), so both fsync on the same disk.
      const dir = mkdtempSync(join(tmpdir(), 'hookline-bench-durable-relay-'));
      return {
        args: ['--database', join(dir, 'queue.db')],
        cleanup: () => rmSync(dir, { recursive: true, force: true }),
      };
    },
  });
}
