// One contender per process, forked by run.ts: `servers.ts <name>`. Each listens on loopback port 0, reports its
// port over IPC, and answers IPC questions about its CPU time and the events it handled (to check the load did
// what it claims: every Hookline request verified, routed and handled, none short-circuited as a duplicate).
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createNodeMiddleware, Webhooks } from '@hookline/receiver';
import { createNodeMiddleware as createOctokitMiddleware, Webhooks as OctokitWebhooks } from '@octokit/webhooks';
import express from 'express';
import { Webhook as SvixWebhook } from 'svix';
import { GITHUB_SECRET, STANDARD_SECRET } from './secrets.js';

export type ContenderName = 'bare' | 'hookline' | 'hookline-before' | 'octokit' | 'express-svix';

let handled = 0;

function bare(): RequestListener {
  // The limit: read the body, answer 200. Nothing verified, parsed or routed. The length is declared, as Hookline
  // declares it: without it node answers chunked, which costs bare about 1 µs more per request than a plain body.
  const body = '{"ok":true}';
  return (request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      handled++;
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length }).end(body);
    });
  };
}

type ReceiverModule = Pick<typeof import('@hookline/receiver'), 'Webhooks' | 'createNodeMiddleware'>;

function hookline(receiver: ReceiverModule = { Webhooks, createNodeMiddleware }): RequestListener {
  const webhooks = new receiver.Webhooks({ scheme: 'standard-webhooks', secret: STANDARD_SECRET });
  webhooks.on('payment.succeeded', () => {
    handled++;
  });
  return receiver.createNodeMiddleware(webhooks, { path: '/webhooks' });
}

/**
 * The receiver as built elsewhere (another checkout's `packages/receiver/dist`, with its own signatures package
 * beside it), so a change is measured against its "before" in the same run: BENCH_RECEIVER_BEFORE=<dir> holding
 * `node_modules/@hookline/receiver`.
 */
async function hooklineBefore(): Promise<RequestListener> {
  const dir = process.env.BENCH_RECEIVER_BEFORE;
  if (dir === undefined)
    throw new Error('hookline-before needs BENCH_RECEIVER_BEFORE=<dir with node_modules/@hookline/receiver>');
  const entry = pathToFileURL(join(dir, 'node_modules/@hookline/receiver/dist/index.js')).href;
  return hookline((await import(entry)) as ReceiverModule);
}

function octokit(): RequestListener {
  const webhooks = new OctokitWebhooks({ secret: GITHUB_SECRET });
  webhooks.on('push', () => {
    handled++;
  });
  const middleware = createOctokitMiddleware(webhooks, {
    path: '/webhooks',
    log: { debug() {}, info() {}, warn() {}, error() {} },
  });
  return (request, response) => void middleware(request, response);
}

function expressSvix(): RequestListener {
  const verifier = new SvixWebhook(STANDARD_SECRET);
  const app = express();
  app.post('/webhooks', express.raw({ type: 'application/json' }), (request, response) => {
    try {
      verifier.verify(request.body as Buffer, request.headers as Record<string, string>);
    } catch {
      response.status(401).json({ error: 'invalid signature' });
      return;
    }
    handled++;
    response.status(200).json({ ok: true });
  });
  return app;
}

const contenders: Record<ContenderName, () => RequestListener | Promise<RequestListener>> = {
  bare,
  hookline: () => hookline(),
  'hookline-before': hooklineBefore,
  octokit,
  'express-svix': expressSvix,
};
const name = process.argv[2] as ContenderName;
const make = contenders[name];
if (make === undefined) throw new Error(`unknown contender ${name}`);
const server = createServer(await make());
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.send?.({ port: (server.address() as AddressInfo).port });
});
process.on('message', (message: { ask?: string }) => {
  if (message.ask === 'stats') {
    const cpu = process.cpuUsage();
    process.send?.({ cpuMicros: cpu.user + cpu.system, handled });
  }
});
// The bench owns this process: it ends when the parent goes.
process.on('disconnect', () => process.exit(0));
