// Hookline's SQLite store driven as the engine drives it, phase by phase: publishes (IN_FLIGHT at a time), then
// claims of IN_FLIGHT and one attempt record per claimed delivery. `around` wraps each phase's work, so run.ts can
// read CPU around it, and `upTo` stops after a phase, so instructions.ts can count each phase by difference.
import { join } from 'node:path';
import { SqliteStore } from '../../packages/server/src/store/sqlite/sqlite-store.js';

export type Phase = 'publish' | 'claim' | 'record';
export const PHASES: readonly Phase[] = ['publish', 'claim', 'record'];

export const IN_FLIGHT = 64;
export const payload = JSON.stringify({ type: 'bench.event', data: 'x'.repeat(1000) });
export const requestHeaders = {
  'content-type': 'application/json',
  'webhook-id': 'msg_2fXkbGk3XhTqd9a0bZ0qXx',
  'webhook-timestamp': '1700000000',
  'webhook-signature': `v1,${'x'.repeat(44)}`,
  'user-agent': 'Hookline',
};

export async function inLanes(events: number, task: (index: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < events) await task(next++);
    }),
  );
}

export async function driveHooklineStore(
  dir: string,
  events: number,
  options: { upTo?: Phase; around?: (phase: Phase, work: () => Promise<void>) => Promise<void> } = {},
): Promise<void> {
  const around = options.around ?? ((_phase, work) => work());
  const upTo = PHASES.indexOf(options.upTo ?? 'record');
  const store = new SqliteStore({ path: join(dir, 'hookline.db') });
  await store.migrate();
  const app = await store.createApplication({ name: 'bench' }, Date.now());
  await store.createEndpoint(
    app.id,
    { url: 'http://127.0.0.1:9/bench', secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' },
    Date.now(),
  );
  await around('publish', () =>
    inLanes(events, () => store.publish(app.id, { eventType: 'bench.event', payload }, Date.now())),
  );
  for (let done = 0; upTo >= 1 && done < events; ) {
    const now = Date.now();
    const leaseUntil = now + 30_000;
    let batch: Awaited<ReturnType<SqliteStore['claimDueDeliveries']>> = [];
    await around('claim', async () => {
      batch = await store.claimDueDeliveries({
        now,
        leaseUntil,
        limit: IN_FLIGHT,
        excludeEndpointIds: [],
        perEndpointLimit: IN_FLIGHT,
        endpointCaps: {},
      });
    });
    if (batch.length === 0) throw new Error(`hookline: ${events - done} deliveries not claimable`);
    if (upTo >= 2) {
      // One record per send, as the engine does: each send finishes on its own and records itself.
      await around('record', async () => {
        await Promise.all(
          batch.map((item) =>
            store.recordAttempts([
              {
                deliveryId: item.delivery.id,
                leaseUntil,
                outcome: 'succeeded',
                trigger: 'scheduled',
                url: item.endpoint.url,
                statusCode: 200,
                responseBody: '',
                durationMs: 1,
                error: null,
                requestHeaders,
                at: Date.now(),
                next: { status: 'dead' },
                disableEndpoint: null,
                circuit: 'success',
              },
            ]),
          ),
        );
      });
    }
    done += batch.length;
  }
  await store.close();
}
