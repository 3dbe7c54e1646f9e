// Pre-signed requests, made before each round so signing costs the load generator nothing while it measures.
// Every request has its own id: Hookline dedupes, and a repeated id would be answered without being handled.
import { github, standardWebhooks } from '@hookline/signatures';
import { GITHUB_SECRET, STANDARD_SECRET } from './secrets.js';
import type { ContenderName } from './servers.js';

export interface PreparedRequest {
  headers: Record<string, string>;
  body: string;
}

let sequence = 0;

/** A typical small event (~250 bytes), the same body shape for every contender. */
function payload(type: string, n: number): string {
  return JSON.stringify({
    type,
    timestamp: '2026-11-24T06:00:00Z',
    data: { id: `pay_${n}`, amount: 1999, currency: 'eur', customer: 'cus_9s6XKzkNRiz8i3', description: 'Order #1042' },
  });
}

export async function prepareRequests(contender: ContenderName, count: number): Promise<PreparedRequest[]> {
  const out: PreparedRequest[] = [];
  for (let i = 0; i < count; i++) {
    const n = ++sequence;
    const id = `msg_bench_${process.pid}_${n}`;
    if (contender === 'octokit') {
      const body = payload('push', n);
      const signed = await github.sign({ body, secret: GITHUB_SECRET });
      out.push({
        body,
        headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': id, ...signed },
      });
      continue;
    }
    const body = payload('payment.succeeded', n);
    const headerPrefix = contender === 'express-svix' ? 'svix' : 'webhook';
    const signed = await standardWebhooks.sign({ body, id, secret: STANDARD_SECRET, headerPrefix });
    out.push({ body, headers: { 'content-type': 'application/json', ...signed } });
  }
  return out;
}
