// Hookline's two halves meet with no configuration: `hookline send acme invoice.paid '{"invoiceId":"in_42"}'`,
// run as the CLI, is delivered by a real server to receivers built from the @hookline/receiver snippets of the
// receiver's README and of docs/guides/receiving-webhooks.md (the code blocks themselves, read from the files),
// and reaches their on('invoice.paid') handler at the first attempt. Every delivery, on `webhook-*` and `svix-*`
// endpoints alike, still verifies with the Svix SDK and the `standardwebhooks` library, and the published payload
// arrives byte for byte.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, type AttemptOut, attemptsOf, startHookline, type TestHookline } from './support/hookline.js';
import { TestReceiver, waitFor } from './support/receiver.js';

const repo = (path: string) => fileURLToPath(new URL(`../../../${path}`, import.meta.url));
const main = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const PAYLOAD = '{"invoiceId":"in_42"}';

/** The first ```ts block after `marker` in a markdown file. */
function snippet(file: string, marker: string): string {
  const text = readFileSync(repo(file), 'utf8');
  const start = text.indexOf(marker);
  const match = /```ts\n([\s\S]*?)```/.exec(text.slice(start));
  if (start < 0 || match?.[1] === undefined) throw new Error(`no ts block after ${marker} in ${file}`);
  return match[1];
}

interface RunningSnippet {
  server: Server;
  calls: unknown[][];
}

/**
 * Runs a README snippet as a module, changed only where it must be to run here: it listens on a free loopback
 * port instead of 3000 and exports its server, and the functions it leaves to the reader (markPaid, audit, log)
 * record their calls.
 */
async function runSnippet(dir: string, name: string, code: string, secret: string): Promise<RunningSnippet> {
  if (!/\.listen\(3000[,)]/.test(code) || !/^createServer\(/m.test(code)) {
    throw new Error(`the ${name} snippet no longer ends in createServer(...).listen(3000...): update this test`);
  }
  // A function the snippet defines itself (the guide's markPaid logs a line) is kept and called through a
  // recorder of the same name; one it leaves to the reader is only recorded.
  let body = code
    .replace('.listen(3000)', ".listen(0, '127.0.0.1')")
    .replace('.listen(3000,', '.listen(0,')
    .replace(/^createServer\(/m, 'export const server = createServer(');
  const recorders: string[] = [];
  for (const fn of ['markPaid', 'audit']) {
    const own = new RegExp(`function ${fn}\\(`);
    if (own.test(body)) {
      body = body.replace(own, `function ${fn}AsWritten(`);
      recorders.push(
        `function ${fn}(...args: unknown[]) { calls.push(['${fn}', ...args]); return (${fn}AsWritten as (...a: unknown[]) => unknown)(...args); }`,
      );
    } else {
      recorders.push(`function ${fn}(...args: unknown[]) { calls.push(['${fn}', ...args]); }`);
    }
  }
  if (!/\bconst log\b/.test(body)) {
    recorders.push("const log = { error: (...args: unknown[]) => calls.push(['log.error', ...args]) };");
  }
  const runnable = `${body}
export const calls: unknown[][] = [];
${recorders.join('\n')}
`;
  const file = join(dir, `${name}.ts`);
  writeFileSync(file, runnable);
  const previous = process.env.WEBHOOK_SECRET;
  process.env.WEBHOOK_SECRET = secret;
  try {
    const module = (await import(file)) as RunningSnippet;
    if (!module.server.listening) await new Promise((resolve) => module.server.once('listening', resolve));
    return module;
  } finally {
    if (previous === undefined) delete process.env.WEBHOOK_SECRET;
    else process.env.WEBHOOK_SECRET = previous;
  }
}

function urlOf(server: Server, path: string): string {
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`;
}

function hooklineSend(env: Record<string, string>, ...args: string[]): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', main, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve) =>
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    }),
  );
}

describe('Hookline → @hookline/receiver, no configuration', () => {
  let hookline: TestHookline;
  const verifiers = new TestReceiver();
  const dir = mkdtempSync(join(tmpdir(), 'hookline-readme-'));
  const snippets: RunningSnippet[] = [];

  beforeAll(async () => {
    hookline = await startHookline();
    await verifiers.start();
  });
  afterAll(async () => {
    await hookline?.stop();
    await verifiers.stop();
    for (const { server } of snippets) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('hookline send reaches the handler of each README snippet at the first attempt; every delivery still verifies with svix and standardwebhooks', async () => {
    const { api } = hookline;
    const app = await api.ok<{ id: string }>('POST', '/api/v1/app', { name: 'Acme', uid: 'acme' });
    const endpoint = async (url: string, extra: Record<string, unknown> = {}) => {
      const ep = await api.ok<{ id: string }>('POST', `/api/v1/app/${app.id}/endpoint`, { url, ...extra });
      const { key } = await api.ok<{ key: string }>('GET', `/api/v1/app/${app.id}/endpoint/${ep.id}/secret`);
      return { id: ep.id, secret: key };
    };

    // The receivers from the receiver README and the receiving guide, each with its own endpoint and secret.
    const readmes = [
      { name: 'receiver-readme', file: 'packages/receiver/README.md', marker: '# @hookline/receiver' },
      { name: 'receiving-guide', file: 'docs/guides/receiving-webhooks.md', marker: 'The receiver, `receiver.ts`' },
    ];
    const readmeEndpoints: string[] = [];
    for (const { name, file, marker } of readmes) {
      const placeholder = await endpoint('http://127.0.0.1:9/not-yet');
      const running = await runSnippet(dir, name, snippet(file, marker), placeholder.secret);
      snippets.push(running);
      await api.ok('PATCH', `/api/v1/app/${app.id}/endpoint/${placeholder.id}`, {
        url: urlOf(running.server, '/webhooks'),
      });
      readmeEndpoints.push(placeholder.id);
    }
    // Two plain endpoints where the third-party verifiers check every delivery: webhook-* and svix-* headers.
    const plain = await endpoint(`${verifiers.url}/standard`);
    const svixStyle = await endpoint(`${verifiers.url}/svix`, { headerPrefix: 'svix' });

    const sent = await hooklineSend(
      { HOOKLINE_URL: hookline.server.url, HOOKLINE_TOKEN: ADMIN_TOKEN },
      '--json',
      'send',
      'acme',
      'invoice.paid',
      PAYLOAD,
    );
    expect(sent.code, sent.out).toBe(0);
    const messageId = (JSON.parse(sent.out) as { id: string }).id;

    await waitFor(
      () => snippets.every(({ calls }) => calls.length > 0) && verifiers.requests.length >= 2,
      'every receiver to have the event',
    );
    for (const { calls } of snippets) {
      const paid = calls.filter((call) => call[0] === 'markPaid');
      expect(paid.map((call) => call[1])).toEqual(['in_42']);
    }

    for (const request of verifiers.requests) {
      const headers = request.headers as Record<string, string>;
      expect(request.body).toBe(PAYLOAD);
      const secret = request.path === '/svix' ? svixStyle.secret : plain.secret;
      expect(new SvixWebhook(secret).verify(request.body, headers)).toEqual({ invoiceId: 'in_42' });
      if (request.path === '/standard') {
        expect(new StandardWebhook(secret).verify(request.body, headers)).toEqual({ invoiceId: 'in_42' });
        expect(headers['webhook-event-type']).toBe('invoice.paid');
      } else {
        expect(headers['svix-event-type']).toBe('invoice.paid');
      }
    }

    // One attempt each, answered 2xx: nothing is retried.
    let attempts: AttemptOut[] = [];
    await waitFor(async () => {
      attempts = await attemptsOf(api, app.id, messageId);
      return attempts.length >= 4;
    }, 'four recorded attempts');
    expect(attempts).toHaveLength(4);
    for (const attempt of attempts) expect(attempt.responseStatusCode).toBe(200);
    const handled = attempts.filter((attempt) => attempt.response === '{"status":"handled"}');
    expect(handled).toHaveLength(readmeEndpoints.length);
  }, 120_000);
});
