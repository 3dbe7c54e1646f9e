// The shared receiver, run as its own process so its CPU is never the contender's. Answers every POST with 200
// and counts requests, unique `webhook-id`s and duplicates per path; POSTs under /hang/ never get an answer.
// Control: GET /stats, POST /reset, GET /wait?prefix=/p/&unique=N&timeoutMs=T (answers when the paths under the
// prefix together hold N unique ids, with the receiver's clock at that moment), POST /release?prefix=/hang/x/
// (the hanging paths under the prefix answer from now on, held requests at once). Prints {"port":N} when ready.
// Flags: --verify checks every Standard Webhooks signature with --secret (401 and no count when it fails).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { parseArgs } from 'node:util';
import { standardWebhooks } from '@hookline/signatures';
import { exitWithParent } from './child-process.js';

export interface PathStats {
  requests: number;
  unique: number;
  duplicates: number;
  rejected: number;
  missingId: number;
}

export interface ReceiverStats {
  paths: Record<string, PathStats>;
  /** Requests under /hang/ whose connection is still open. */
  hangingOpen: number;
}

export interface WaitAnswer {
  reached: boolean;
  unique: number;
  /** `performance.timeOrigin + performance.now()` when the count was reached (epoch ms, sub-ms precision). */
  reachedAtMs: number | null;
}

const { values: flags } = parseArgs({
  options: { verify: { type: 'boolean', default: false }, secret: { type: 'string' } },
});
if (flags.verify && flags.secret === undefined) throw new Error('--verify needs --secret');

interface PathRecord extends PathStats {
  ids: Set<string>;
}
interface Waiter {
  prefix: string;
  target: number;
  unique: number;
  reachedAtMs: number | null;
  answer: (answer: WaitAnswer) => void;
}

let paths = new Map<string, PathRecord>();
let waiters = new Set<Waiter>();
let hangingOpen = 0;
/** Hanging requests held open, by path, until their prefix is released or the sender gives up. */
const held = new Map<IncomingMessage, { res: ServerResponse; path: string }>();
/** Prefixes under /hang/ that answer normally again. Kept across /reset: run ids are never reused. */
const released: string[] = [];
const isReleased = (path: string) => released.some((prefix) => path.startsWith(prefix));
const MAX_WAIT_MS = 600_000;

const nowMs = () => performance.timeOrigin + performance.now();

function recordFor(path: string): PathRecord {
  let record = paths.get(path);
  if (record === undefined) {
    record = { requests: 0, unique: 0, duplicates: 0, rejected: 0, missingId: 0, ids: new Set() };
    paths.set(path, record);
  }
  return record;
}

function countDelivery(path: string, id: string | undefined): void {
  const record = recordFor(path);
  if (id === undefined) {
    record.missingId++;
    return;
  }
  if (record.ids.has(id)) {
    record.duplicates++;
    return;
  }
  record.ids.add(id);
  record.unique++;
  for (const waiter of waiters) {
    if (!path.startsWith(waiter.prefix)) continue;
    waiter.unique++;
    if (waiter.unique >= waiter.target) {
      waiter.reachedAtMs = nowMs();
      waiter.answer({ reached: true, unique: waiter.unique, reachedAtMs: waiter.reachedAtMs });
    }
  }
}

function uniqueUnder(prefix: string): number {
  let total = 0;
  for (const [path, record] of paths) if (path.startsWith(prefix)) total += record.unique;
  return total;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function stats(): ReceiverStats {
  const out: Record<string, PathStats> = {};
  for (const [path, { ids: _ids, ...counts }] of paths) out[path] = counts;
  return { paths: out, hangingOpen };
}

function wait(url: URL, res: ServerResponse): void {
  const prefix = url.searchParams.get('prefix') ?? '/';
  const target = Number(url.searchParams.get('unique'));
  const timeoutMs = Math.min(Number(url.searchParams.get('timeoutMs') ?? 60_000), MAX_WAIT_MS);
  if (!Number.isInteger(target) || target < 0 || !Number.isFinite(timeoutMs)) {
    sendJson(res, 400, { error: 'unique must be a non-negative integer and timeoutMs a number' });
    return;
  }
  const unique = uniqueUnder(prefix);
  if (unique >= target) {
    sendJson(res, 200, { reached: true, unique, reachedAtMs: nowMs() } satisfies WaitAnswer);
    return;
  }
  const waiter: Waiter = {
    prefix,
    target,
    unique,
    reachedAtMs: null,
    answer: (answer) => {
      clearTimeout(timer);
      waiters.delete(waiter);
      if (!res.writableEnded) sendJson(res, 200, answer);
    },
  };
  const timer = setTimeout(
    () => waiter.answer({ reached: false, unique: waiter.unique, reachedAtMs: null }),
    timeoutMs,
  );
  res.on('close', () => {
    clearTimeout(timer);
    waiters.delete(waiter);
  });
  waiters.add(waiter);
}

async function deliver(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
  const header = req.headers['webhook-id'];
  const id = typeof header === 'string' ? header : undefined;
  if (!flags.verify) {
    // Read and drop the body: counting must not cost more than the socket already does.
    req.resume();
    await new Promise((resolve) => req.once('end', resolve));
  } else {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    try {
      await standardWebhooks.verify({ body: Buffer.concat(chunks), headers: req.headers, secret: flags.secret ?? '' });
    } catch {
      recordFor(path).rejected++;
      res.writeHead(401, { 'content-length': '0' });
      res.end();
      return;
    }
  }
  countDelivery(path, id);
  res.writeHead(200, { 'content-length': '0' });
  res.end();
}

const server = createServer({ keepAliveTimeout: 60_000, requestTimeout: 0, noDelay: true }, (req, res) => {
  const url = new URL(req.url ?? '/', 'http://receiver');
  const path = url.pathname;
  if (req.method === 'GET' && path === '/stats') return sendJson(res, 200, stats());
  if (req.method === 'GET' && path === '/wait') return wait(url, res);
  if (req.method === 'POST' && path === '/reset') {
    req.resume();
    paths = new Map();
    for (const waiter of waiters) waiter.answer({ reached: false, unique: waiter.unique, reachedAtMs: null });
    waiters = new Set();
    return sendJson(res, 200, { reset: true });
  }
  if (req.method !== 'POST') return sendJson(res, 405, { error: 'POST a delivery, or GET /stats' });
  if (req.method === 'POST' && path === '/release') {
    req.resume();
    const prefix = url.searchParams.get('prefix') ?? '';
    if (!prefix.startsWith('/hang/')) return sendJson(res, 400, { error: 'prefix must start with /hang/' });
    released.push(prefix);
    let answered = 0;
    for (const [heldReq, { res: heldRes, path: heldPath }] of held) {
      if (!heldPath.startsWith(prefix)) continue;
      held.delete(heldReq);
      const header = heldReq.headers['webhook-id'];
      countDelivery(heldPath, typeof header === 'string' ? header : undefined);
      heldRes.writeHead(200, { 'content-length': '0' });
      heldRes.end();
      answered++;
    }
    return sendJson(res, 200, { released: prefix, answered });
  }
  if (path.startsWith('/hang/') && !isReleased(path)) {
    // Never answered: the sender's own timeout is what ends it, which is the point of the isolation figure.
    recordFor(path).requests++;
    hangingOpen++;
    held.set(req, { res, path });
    req.resume();
    res.once('close', () => {
      held.delete(req);
      hangingOpen--;
    });
    return;
  }
  recordFor(path).requests++;
  deliver(req, res, path).catch((error: unknown) => {
    console.error('receiver: delivery failed', error);
    if (!res.headersSent) res.writeHead(500).end();
  });
});

server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('receiver: no TCP address');
  console.log(JSON.stringify({ port: address.port, verify: flags.verify }));
});
exitWithParent(() => {
  server.closeAllConnections();
  server.close();
});
