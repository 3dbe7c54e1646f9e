// The relay ceiling: what any service that takes events in through an HTTP API and delivers them over HTTP could
// reach on this machine if persisting, queueing and retrying cost nothing. Events go in exactly as Hookline's do
// (one POST per event, `context.concurrency` in flight, from the harness), and out as signed POSTs from a process
// of its own (`server.ts`). Hookline's end-to-end rate cannot pass this one's: the gap between them is what
// durability, the queue and the API cost; the gap between this one and the raw limit is what the extra HTTP hop in
// costs, which no design that publishes one event per request can avoid.
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import { type Child, startChild } from '../../delivery/child-process.js';
import type { Contender, ContenderContext, DeliveryRun } from '../../delivery/contender.js';
import { forEachConcurrently } from '../../delivery/delivery-client.js';
import { bundleForNode } from '../../lib/bundle.js';

const serverFile = fileURLToPath(new URL('./server.ts', import.meta.url));

/** A relay-shaped peer: a server process of its own that takes the harness's POSTs and delivers them. */
export interface RelayShape {
  /** The contender's name, its process's role, and its bundle's (`<name>-server`). */
  name: string;
  serverFile: string;
  /** The environment variable whose value is passed to node (e.g. `--cpu-prof`), as BENCH_HOOKLINE_NODE_ARGS is. */
  nodeArgsVariable: string;
  /** Arguments of its own beyond the receiver, concurrency and secret, and what to remove once it has stopped. */
  ownArguments?: () => { args: string[]; cleanup: () => void };
}

export function createRelayContender(): Contender {
  return relayShapedContender({ name: 'relay', serverFile, nodeArgsVariable: 'BENCH_RELAY_NODE_ARGS' });
}

/** The harness's side of a relay-shaped peer: the relay's, and the durable relay's (peers/durable-relay). */
export function relayShapedContender(shape: RelayShape): Contender {
  const { name } = shape;
  let context: ContenderContext | undefined;
  let child: Child | undefined;
  let api: Pool | undefined;
  let parsedPayload: unknown;
  let bundle: string | undefined;
  let cleanup: (() => void) | undefined;

  const ready = () => {
    if (context === undefined || api === undefined) throw new Error(`${name}: setup() first`);
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
    if (response.statusCode !== expected) throw new Error(`${name}: POST ${path} answered ${response.statusCode}`);
  }

  const publishEvent = (run: DeliveryRun, index: number) =>
    post(
      `/run/${run.id}/msg`,
      { eventType: 'bench.event', eventId: `${run.id}-${index}`, payload: parsedPayload },
      202,
    );

  return {
    name,
    async build() {
      bundle = await bundleForNode(shape.serverFile, `${name}-server`);
    },
    async setup(given) {
      context = given;
      parsedPayload = JSON.parse(given.payload);
      const own = shape.ownArguments?.();
      cleanup = own?.cleanup;
      child = await startChild(
        bundle ?? shape.serverFile,
        [
          '--receiver',
          given.receiverUrl,
          '--concurrency',
          String(given.concurrency),
          '--secret',
          given.secret,
          ...(own?.args ?? []),
        ],
        {
          readyTimeoutMs: 30_000,
          // For a CPU profile of the peer under the bench, as BENCH_HOOKLINE_NODE_ARGS does for Hookline.
          nodeArgs: (process.env[shape.nodeArgsVariable] ?? '').split(' ').filter((arg) => arg !== ''),
        },
      );
      const url = child.ready.url;
      if (typeof url !== 'string') throw new Error(`${name}: ready line without a url: ${JSON.stringify(child.ready)}`);
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
    processes: () => (child === undefined ? [] : [{ role: name, pid: child.pid }]),
    async teardown() {
      await api?.close();
      api = undefined;
      await child?.stop();
      child = undefined;
      cleanup?.();
      cleanup = undefined;
    },
  };
}
