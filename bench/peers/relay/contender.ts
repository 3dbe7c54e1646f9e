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

export function createRelayContender(): Contender {
  let context: ContenderContext | undefined;
  let child: Child | undefined;
  let api: Pool | undefined;
  let parsedPayload: unknown;
  let bundle: string | undefined;

  const ready = () => {
    if (context === undefined || api === undefined) throw new Error('relay: setup() first');
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
    if (response.statusCode !== expected) throw new Error(`relay: POST ${path} answered ${response.statusCode}`);
  }

  const publishEvent = (run: DeliveryRun, index: number) =>
    post(
      `/run/${run.id}/msg`,
      { eventType: 'bench.event', eventId: `${run.id}-${index}`, payload: parsedPayload },
      202,
    );

  return {
    name: 'relay',
    async build() {
      bundle = await bundleForNode(serverFile, 'relay-server');
    },
    async setup(given) {
      context = given;
      parsedPayload = JSON.parse(given.payload);
      child = await startChild(
        bundle ?? serverFile,
        ['--receiver', given.receiverUrl, '--concurrency', String(given.concurrency), '--secret', given.secret],
        {
          readyTimeoutMs: 30_000,
          // For a CPU profile of the relay under the bench, as BENCH_HOOKLINE_NODE_ARGS does for Hookline.
          nodeArgs: (process.env.BENCH_RELAY_NODE_ARGS ?? '').split(' ').filter((arg) => arg !== ''),
        },
      );
      const url = child.ready.url;
      if (typeof url !== 'string') throw new Error(`relay: ready line without a url: ${JSON.stringify(child.ready)}`);
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
    processes: () => (child === undefined ? [] : [{ role: 'relay', pid: child.pid }]),
    async teardown() {
      await api?.close();
      api = undefined;
      await child?.stop();
      child = undefined;
    },
  };
}
