// bench/signatures: Standard Webhooks sign and verify, Hookline (@hookline/signatures) against the official
// `standardwebhooks` library, on the same inputs in the same run. Prints ops/s and the ratio (goal >= 1.0x).
// Run: npm run bench:signatures   (env BENCH_ROUNDS, BENCH_ROUND_MS to change the length)
import * as hookline from '@hookline/signatures';
import * as hooklineWeb from '@hookline/signatures/web';
import { Webhook } from 'standardwebhooks';
import { type Comparison, compare, formatComparisons } from '../lib/compare.js';

const rounds = Number(process.env.BENCH_ROUNDS ?? 10);
const roundMs = Number(process.env.BENCH_ROUND_MS ?? 200);
const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const id = 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W';

function payload(bytes: number): string {
  const base = { type: 'payment.succeeded', timestamp: '2026-11-24T06:00:00Z', data: { id: 'pay_123', amount: 1000 } };
  const text = JSON.stringify(base);
  return text.length >= bytes ? text : JSON.stringify({ ...base, pad: 'x'.repeat(bytes - text.length - 10) });
}

const sizes: Array<[string, number]> = [
  ['~200 B', 200],
  ['2 KiB', 2048],
  ['64 KiB', 65536],
];

const theirs = new Webhook(secret);
const rows: Comparison[] = [];
for (const [label, size] of sizes) {
  const body = payload(size);
  const now = new Date();
  const timestamp = Math.floor(now.getTime() / 1000);
  const headers = await hookline.standardWebhooks.sign({ body, id, secret, timestamp });
  const theirHeaders = {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': theirs.sign(id, now, body),
  };
  if (theirHeaders['webhook-signature'] !== headers['webhook-signature']) throw new Error('signatures differ');

  rows.push(
    await compare(
      `sign ${label}`,
      () => theirs.sign(id, now, body),
      () => hookline.standardWebhooks.sign({ body, id, secret, timestamp }),
      { rounds, roundMs },
    ),
  );
  rows.push(
    await compare(
      `verify ${label}`,
      () => theirs.verify(body, theirHeaders, { jsonParse: false }),
      () => hookline.standardWebhooks.verify({ body, headers, secret }),
      { rounds, roundMs },
    ),
  );
  rows.push(
    await compare(
      `verify ${label} (web crypto)`,
      () => theirs.verify(body, theirHeaders, { jsonParse: false }),
      () => hooklineWeb.standardWebhooks.verify({ body, headers, secret }),
      { rounds, roundMs },
    ),
  );
}

console.log(
  formatComparisons(
    `bench/signatures: Standard Webhooks v1, node ${process.version}, ${rounds} rounds x ${roundMs} ms`,
    'standardwebhooks',
    rows,
  ),
);
const core = rows.filter((row) => !row.name.includes('web crypto'));
const worst = Math.min(...core.map((row) => row.ratio));
console.log(`worst node-backend ratio: ${worst.toFixed(2)}x (goal >= 1.00x): ${worst >= 1 ? 'met' : 'NOT met'}`);
