// The Hookline side of bench/ingest, in its own process: `hookline serve` on a temp SQLite file (synchronous=FULL:
// a request is answered only once it is on disk), one application with one endpoint on the bench's receiver, and
// one source verifying GitHub's signature. Prints {"ready":true,"url":...} once set up.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { serve } from '../../packages/server/src/cli/serve.js';
import { defaultConfig } from '../../packages/server/src/config.js';
import { exitWithParent } from '../delivery/child-process.js';

const { values } = parseArgs({ options: { receiver: { type: 'string' }, secret: { type: 'string' } } });
if (values.receiver === undefined || values.secret === undefined) throw new Error('needs --receiver and --secret');
const ADMIN_TOKEN = 'bench-admin-token-0123456789abcdef';
const dir = mkdtempSync(join(tmpdir(), 'hookline-bench-ingest-'));
process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
const server = await serve(
  {
    ...defaultConfig(),
    port: 0,
    database: join(dir, 'hookline.db'),
    adminToken: ADMIN_TOKEN,
    allowPrivateNetworks: true,
    logLevel: 'warn',
  },
  { logger: pino({ level: 'warn' }), print: () => undefined },
);
async function call(path: string, body: unknown): Promise<void> {
  const response = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`POST ${path}: ${response.status} ${await response.text()}`);
}
await call('/api/v1/app', { name: 'bench', uid: 'bench' });
await call('/api/v1/app/bench/endpoint', { url: `${values.receiver}/hookline` });
await call('/api/v1/app/bench/source', {
  uid: 'github',
  name: 'GitHub',
  verification: { type: 'signature', scheme: 'github', secrets: [values.secret] },
  // Re-signed, so each delivery carries a webhook-id the receiver counts unique deliveries by.
  signatureMode: 'hookline',
});
console.log(JSON.stringify({ ready: true, url: server.url }));
exitWithParent(() => server.close());
