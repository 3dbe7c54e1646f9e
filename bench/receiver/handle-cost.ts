// In-process cost of `webhooks.handle()` for the bench's event (verified, routed, deduped in memory), with no
// HTTP around it: prepares WARM + COUNT signed requests, handles WARM, then COUNT more unless HANDLE_COUNTED=0.
// Under callgrind, run it twice (HANDLE_COUNTED=1 and 0) and divide the difference in instructions by COUNT: a
// figure the load on a shared machine does not move. Without valgrind it prints CPU µs per event.
// Run: npx tsx bench/receiver/handle-cost.ts   (env WARM, COUNT, HANDLE_COUNTED)
import { Webhooks } from '@hookline/receiver';
import { prepareRequests } from './requests.js';
import { STANDARD_SECRET } from './secrets.js';

const warm = Number(process.env.WARM ?? 3000);
const count = Number(process.env.COUNT ?? 2000);
const handleCounted = process.env.HANDLE_COUNTED !== '0';

const webhooks = new Webhooks({ scheme: 'standard-webhooks', secret: STANDARD_SECRET });
let handled = 0;
webhooks.on('payment.succeeded', () => {
  handled++;
});
const encoder = new TextEncoder();
const requests = (await prepareRequests('hookline', warm + count)).map(({ headers, body }) => ({
  method: 'POST',
  headers,
  remoteAddress: '127.0.0.1',
  body: encoder.encode(body),
}));
const handleAll = async (from: number, to: number) => {
  for (let i = from; i < to; i++) await webhooks.handle(requests[i] as (typeof requests)[number]);
};
await handleAll(0, warm);
if (handleCounted) {
  const before = process.cpuUsage();
  await handleAll(warm, warm + count);
  const used = process.cpuUsage(before);
  console.log(`handle: ${((used.user + used.system) / count).toFixed(2)} µs CPU per event`);
}
const expected = warm + (handleCounted ? count : 0);
if (handled !== expected) throw new Error(`handled ${handled} of ${expected}: some answered as duplicates or refused`);
