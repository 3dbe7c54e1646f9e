// 10,000 malformed requests at the node:http adapter: garbled and huge headers, truncated and oversized bodies,
// invalid UTF-8, wrong methods and types, and forgeries (valid requests with one thing changed). Proves: no
// forgery accepted, no 5xx, no crash. Valid control requests are mixed in and must be accepted, so the harness
// can see an acceptance when one happens. Inputs come from fast-check with a fixed seed (reproducible).
import { Agent, request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { createNodeMiddleware, standardWebhooks, Webhooks } from '@hookline/receiver';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Running, SECRET, startNodeServer } from '../../../test/support.js';

const TOTAL = 10_000;
const RAW_SHARE = 10; // one in ten goes over a raw socket, for what an HTTP client refuses to send
const CONTROL_EVERY = 97;
const LIMIT_BYTES = 16 * 1024;
const CONCURRENCY = 16;
const DEADLINE_MS = 90_000;
const SEED = 20261124;

type Case =
  | {
      kind: 'http';
      mustReject: boolean;
      control: boolean;
      oversized: boolean;
      method: string;
      headers: Record<string, string>;
      body: Buffer;
    }
  | { kind: 'raw'; bytes: Buffer };

const latin1 = fc.string({
  unit: fc
    .integer({ min: 0x20, max: 0xff })
    .filter((c) => c !== 0x7f)
    .map((c) => String.fromCharCode(c)),
  maxLength: 80,
});
const bytes = (max: number) => fc.uint8Array({ maxLength: max }).map((a) => Buffer.from(a));

async function validRequest(index: number, body: string) {
  const headers = await standardWebhooks.sign({ body, id: `msg_fuzz_${SEED}_${index}`, secret: SECRET });
  return { headers: { 'content-type': 'application/json', ...headers }, body: Buffer.from(body) };
}

const payload = fc.oneof(
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc
    .record({ type: fc.oneof(fc.string(), fc.constant('payment.succeeded')), data: fc.jsonValue() })
    .map((v) => JSON.stringify(v)),
  fc.string(),
);

/** A small seeded PRNG (mulberry32) for the mutations: the same seed, the same run. */
interface Rng {
  nextInt(min: number, max: number): number;
  nextBoolean(): boolean;
}
function seededRng(seed: number): Rng {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    nextInt: (min, max) => min + Math.floor(next() * (max - min + 1)),
    nextBoolean: () => next() < 0.5,
  };
}

type Mutation = (r: { headers: Record<string, string>; body: Buffer }, rng: Rng) => void;
const mutations: Mutation[] = [
  (r, rng) => {
    if (r.body.length === 0) r.body = Buffer.from('x');
    else {
      const i = rng.nextInt(0, r.body.length - 1);
      r.body = Buffer.from(r.body);
      r.body[i] = (r.body[i] as number) ^ (1 << rng.nextInt(0, 7));
    }
  },
  (r, rng) => {
    r.body = r.body.subarray(0, rng.nextInt(0, Math.max(0, r.body.length - 1)));
  },
  (r) => {
    r.body = Buffer.concat([r.body, Buffer.from([0xff, 0xfe, 0x00])]);
  },
  (r, rng) => {
    const signature = r.headers['webhook-signature'] ?? '';
    const i = rng.nextInt(3, signature.length - 2);
    const replacement = signature[i] === 'A' ? 'B' : 'A';
    r.headers['webhook-signature'] = signature.slice(0, i) + replacement + signature.slice(i + 1);
  },
  (r) => {
    r.headers['webhook-id'] = `${r.headers['webhook-id']}x`;
  },
  (r, rng) => {
    r.headers['webhook-timestamp'] = String(Number(r.headers['webhook-timestamp']) + (rng.nextBoolean() ? 1 : -1));
  },
  (r, rng) => {
    const names = ['webhook-id', 'webhook-timestamp', 'webhook-signature'];
    delete r.headers[names[rng.nextInt(0, 2)] as string];
  },
  (r, rng) => {
    r.headers['webhook-signature'] =
      `v1,${Buffer.from(Array.from({ length: 32 }, () => rng.nextInt(0, 255))).toString('base64')}`;
  },
];

async function generate(): Promise<Case[]> {
  const rng = seededRng(SEED);
  const cases: Case[] = [];
  const garbleHeaders = fc.dictionary(
    fc.oneof(
      fc.constantFrom(
        'webhook-id',
        'webhook-timestamp',
        'webhook-signature',
        'content-type',
        'svix-signature',
        'x-forwarded-for',
      ),
      fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/),
    ),
    latin1,
    { maxKeys: 8 },
  );
  const samples = fc.sample(
    fc.tuple(
      payload,
      garbleHeaders,
      bytes(512),
      fc.nat(),
      fc.constantFrom('POST', 'POST', 'POST', 'GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'),
    ),
    { seed: SEED, numRuns: TOTAL },
  );
  for (let index = 0; index < TOTAL; index++) {
    const [json, garbled, randomBytes, choice, method] = samples[index] as (typeof samples)[number];
    if (index % RAW_SHARE === 5) {
      cases.push({ kind: 'raw', bytes: rawCase(choice, randomBytes) });
      continue;
    }
    if (index % CONTROL_EVERY === 0) {
      const valid = await validRequest(index, JSON.stringify({ type: 'payment.succeeded', n: index }));
      cases.push({ kind: 'http', mustReject: false, control: true, oversized: false, method: 'POST', ...valid });
      continue;
    }
    switch (choice % 4) {
      case 0: {
        // A forgery: a valid request with one signed part changed.
        const r = await validRequest(index, json);
        const before = JSON.stringify([r.headers, r.body.toString('base64')]);
        (mutations[choice % mutations.length] as Mutation)(r, rng);
        if (JSON.stringify([r.headers, r.body.toString('base64')]) === before)
          r.body = Buffer.concat([r.body, Buffer.from(' ')]);
        cases.push({ kind: 'http', mustReject: true, control: false, oversized: false, method: 'POST', ...r });
        break;
      }
      case 1:
        // Unsigned or garbage-signed: random headers over a random or JSON body, any method.
        cases.push({
          kind: 'http',
          mustReject: true,
          control: false,
          oversized: false,
          method,
          headers: garbled,
          body: choice % 8 === 1 ? randomBytes : Buffer.from(json),
        });
        break;
      case 2: {
        // Invalid UTF-8 or broken JSON, correctly signed (so it gets past verification to the parser), sometimes
        // with a wrong content type.
        const garbage =
          choice % 5 === 0
            ? Buffer.from(json).subarray(0, Math.max(0, json.length - 1 - (choice % 7)))
            : Buffer.concat([Buffer.from('{"type":"'), randomBytes, Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
        const headers = await standardWebhooks.sign({ body: garbage, id: `msg_fuzz_${SEED}_${index}`, secret: SECRET });
        const r = {
          headers: { 'content-type': 'application/json', ...headers } as Record<string, string>,
          body: garbage,
        };
        if (choice % 3 === 0) r.headers['content-type'] = choice % 2 === 0 ? 'text/plain' : 'application/xml';
        cases.push({ kind: 'http', mustReject: true, control: false, oversized: false, method: 'POST', ...r });
        break;
      }
      default: {
        // Oversized: just over the limit, declared.
        const r = await validRequest(
          index,
          JSON.stringify({ type: 'payment.succeeded', pad: 'x'.repeat(LIMIT_BYTES) }),
        );
        cases.push({ kind: 'http', mustReject: false, control: false, oversized: true, method: 'POST', ...r });
      }
    }
  }
  return cases;
}

function rawCase(choice: number, random: Buffer): Buffer {
  const head = 'POST /webhooks HTTP/1.1\r\nHost: 127.0.0.1\r\n';
  switch (choice % 6) {
    case 0: // truncated body: declares more than it sends, then closes
      return Buffer.from(`${head}Content-Type: application/json\r\nContent-Length: 500\r\n\r\n{"type":"payment.succ`);
    case 1: // a huge header
      return Buffer.from(`${head}X-Big: ${'a'.repeat(20_000 + (choice % 5000))}\r\n\r\n`);
    case 2: // control bytes and invalid UTF-8 in a header value
      return Buffer.concat([
        Buffer.from(`${head}webhook-id: `),
        random.subarray(0, 40),
        Buffer.from('\r\nContent-Length: 0\r\n\r\n'),
      ]);
    case 3: // garbage request line
      return Buffer.concat([random.subarray(0, 64), Buffer.from('\r\n\r\n')]);
    case 4: // chunked body with a broken chunk size
      return Buffer.from(
        `${head}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`,
      );
    default: // conflicting lengths (request smuggling shape)
      return Buffer.from(`${head}Content-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`);
  }
}

function sendHttp(
  agent: Agent,
  port: number,
  c: Extract<Case, { kind: 'http' }>,
): Promise<{ status: number; body: string; error?: string }> {
  return new Promise((resolve) => {
    let req: ReturnType<typeof httpRequest>;
    try {
      req = httpRequest(
        {
          host: '127.0.0.1',
          port,
          path: '/webhooks',
          method: c.method,
          headers: { ...c.headers, 'content-length': String(c.body.length) },
          agent,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
          res.on('error', () => resolve({ status: res.statusCode ?? 0, body: '' }));
        },
      );
    } catch (error) {
      // The client itself refused to send it (an illegal header); nothing reached the server.
      resolve({ status: -1, body: '', error: (error as { code?: string }).code ?? 'client' });
      return;
    }
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ status: 0, body: '', error: error.code ?? 'error' }));
    req.end(c.body);
  });
}

function sendRaw(port: number, data: Buffer): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    const timer = setTimeout(() => socket.destroy(), 5000);
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(received);
    });
    socket.on('connect', () => socket.end(data));
  });
}

describe('fuzzing the node:http adapter', () => {
  const webhooks = new Webhooks({ scheme: 'standard-webhooks', secret: SECRET, maxBodyBytes: LIMIT_BYTES });
  const handled: string[] = [];
  webhooks.on('*', (event) => {
    handled.push(event.id ?? '');
  });
  let server: Running;
  let cases: Case[];
  beforeAll(async () => {
    [server, cases] = await Promise.all([startNodeServer(createNodeMiddleware(webhooks)), generate()]);
  });
  afterAll(() => server.close());

  it(`${TOTAL} malformed requests: no forgery accepted, no 5xx, no crash`, {
    timeout: DEADLINE_MS + 30_000,
  }, async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    const tally = {
      sent: 0,
      forgeriesAccepted: 0,
      fiveHundreds: 0,
      controls: 0,
      controlsAccepted: 0,
      nonJsonErrors: 0,
      transportErrors: 0,
      rawFiveHundreds: 0,
    };
    const statuses = new Map<number, number>();
    const started = Date.now();
    let next = 0;
    const worker = async () => {
      // Bounded twice: by the number of cases and by the deadline.
      while (next < cases.length && Date.now() - started < DEADLINE_MS) {
        const c = cases[next++] as Case;
        tally.sent++;
        if (c.kind === 'raw') {
          const answer = await sendRaw(server.port, c.bytes);
          if (/^HTTP\/1\.1 5\d\d/.test(answer)) tally.rawFiveHundreds++;
          continue;
        }
        const r = await sendHttp(agent, server.port, c);
        statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
        if (r.status >= 500) tally.fiveHundreds++;
        if (r.status <= 0) {
          // Only an oversized body may see its connection closed under it (the server stops reading).
          if (!c.oversized && r.status === 0) tally.transportErrors++;
          continue;
        }
        if (c.control) {
          tally.controls++;
          if (r.status === 200) tally.controlsAccepted++;
        } else if (r.status >= 200 && r.status < 300) {
          tally.forgeriesAccepted++;
        }
        if (r.status >= 400) {
          const body = JSON.parse(r.body || '{}') as { code?: unknown; detail?: unknown };
          if (typeof body.code !== 'string' || typeof body.detail !== 'string') tally.nonJsonErrors++;
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    agent.destroy();

    expect(tally.sent).toBe(TOTAL);
    expect({ ...tally, statuses: Object.fromEntries(statuses) }).toMatchObject({
      forgeriesAccepted: 0,
      fiveHundreds: 0,
      rawFiveHundreds: 0,
      nonJsonErrors: 0,
      transportErrors: 0,
    });
    expect(tally.controls).toBeGreaterThan(50);
    expect(tally.controlsAccepted).toBe(tally.controls);
    expect(handled).toHaveLength(tally.controls);

    // Still alive and still correct after the storm.
    const after = await validRequest(TOTAL + 1, JSON.stringify({ type: 'payment.succeeded' }));
    const response = await fetch(`${server.url}/webhooks`, {
      method: 'POST',
      headers: after.headers,
      body: after.body,
    });
    expect(response.status).toBe(200);
  });
});
