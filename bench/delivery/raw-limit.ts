// Contender 1, the raw limit: no queue at all, signed POSTs with undici straight at the receiver, 64 in flight.
// Whatever a queue adds (persistence, claims, retries) can only cost throughput against this.
import { standardWebhooks } from '@hookline/signatures';
import type { Pool } from 'undici';
import type { Contender, ContenderContext, DeliveryRun } from './contender.js';
import { createDeliveryPool, forEachConcurrently, postDelivery } from './delivery-client.js';

export function createRawLimitContender(): Contender {
  let context: ContenderContext | undefined;
  let pool: Pool | undefined;

  const ready = (): { context: ContenderContext; pool: Pool } => {
    if (context === undefined || pool === undefined) throw new Error('raw limit: setup() first');
    return { context, pool };
  };

  /** Every delivery of event `index` of the run, signed per endpoint as a real sender would. */
  async function deliverEvent(run: DeliveryRun, paths: readonly string[], index: number): Promise<void> {
    const { context, pool } = ready();
    const id = `msg_${run.id}_${index}`;
    const timestamp = Math.floor(Date.now() / 1000);
    for (const path of paths) {
      const signed = await standardWebhooks.sign({ body: context.payload, id, secret: context.secret, timestamp });
      await postDelivery(pool, path, { 'content-type': 'application/json', ...signed }, context.payload);
    }
  }

  const pathsOf = (run: DeliveryRun) => run.endpointUrls.map((url) => new URL(url).pathname);

  return {
    name: 'raw',
    async setup(given) {
      context = given;
      pool = createDeliveryPool(given.receiverUrl, given.concurrency);
    },
    async publish(run) {
      const paths = pathsOf(run);
      // One lane per in-flight request; with fan-out each lane walks one event's endpoints in turn.
      await forEachConcurrently(run.events, ready().context.concurrency, (index) => deliverEvent(run, paths, index));
    },
    async publishOne(run, index) {
      await deliverEvent(run, pathsOf(run), index);
    },
    // The sender is the harness itself: its CPU is the load generator's.
    processes: () => [],
    async teardown() {
      await pool?.close();
      pool = undefined;
    },
  };
}
