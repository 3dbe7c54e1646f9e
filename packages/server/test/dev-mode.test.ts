// Development mode, as a newcomer meets it: `npm start` runs `serve --dev`, whose banner commands, pasted into a
// shell as printed, deliver to the built-in test receiver on the first try (and again on a second paste), with the
// signature verified and said so in the terminal and in the attempt. Production defaults stay as they were.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI_TEST_TIMEOUT_MS, startCli } from './support/cli-process.js';
import { type AttemptOut, attemptsOf, publish, startHookline } from './support/hookline.js';
import { waitFor } from './support/receiver.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function bash(script: string, env: Record<string, string>): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-euo', 'pipefail', '-c', script], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.once('close', (code) => resolve({ code, stdout }));
  });
}

describe('npm start: development mode', () => {
  it('npm start runs hookline serve --dev', () => {
    const manifest = JSON.parse(readFileSync(fileURLToPath(new URL('../../../package.json', import.meta.url)), 'utf8'));
    expect(manifest.scripts.start).toMatch(/ serve --dev$/);
  });

  it(
    "the banner's commands, pasted as printed, deliver to the test receiver with a verified signature, twice",
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'hookline-dev-'));
      dirs.push(dir);
      const server = startCli(['serve', '--dev', '--port', '0', '--database', join(dir, 'dev.db')], {
        HOOKLINE_ADMIN_TOKEN: '',
        HOOKLINE_LOG_LEVEL: 'warn',
      });
      try {
        await waitFor(() => server.stdout().includes('npx hookline --help'), 'the banner', 60_000);
        const banner = server.stdout();
        expect(banner).toContain('DEVELOPMENT MODE');
        const commands = banner
          .split('\n')
          .filter((line) => line.startsWith('  export ') || line.startsWith('  curl '))
          .map((line) => line.trim());
        expect(commands).toHaveLength(4);
        for (const round of [1, 2]) {
          const pasted = await bash(commands.join('\n'), {});
          expect(pasted.code).toBe(0);
          const answers = pasted.stdout
            .trim()
            .split('\n')
            .map((line) => JSON.parse(line) as Record<string, unknown>);
          // An application, the endpoint, the message: no error body among them, the second time either.
          expect(answers, pasted.stdout).toHaveLength(3);
          expect(answers.every((answer) => answer.code === undefined)).toBe(true);
          expect(String(answers[2]?.id)).toMatch(/^msg_/);
          await waitFor(
            () =>
              (server.stdout().match(/test receiver: payment\.succeeded msg_\w+ -> ep_\w+: signature verified/g) ?? [])
                .length === round,
            `delivery ${round} to arrive at the test receiver`,
            60_000,
          );
        }
        // The attempt says so too: what the dashboard shows as the response.
        const url = /listening on (http:\/\/\S+)/.exec(banner)?.[1] as string;
        const token = /admin token \(shown once; only its hash is stored\): (\S+)/.exec(banner)?.[1] as string;
        const response = await fetch(`${url}/api/v1/app/acme/attempt/feed?limit=10`, {
          headers: { authorization: `Bearer ${token}` },
        });
        const feed = (await response.json()) as { data: Array<AttemptOut & { response: string }> };
        expect(feed.data).toHaveLength(2);
        for (const attempt of feed.data) {
          expect(attempt.responseStatusCode).toBe(200);
          expect(JSON.parse(attempt.response)).toMatchObject({ received: true, signature: 'verified' });
        }
      } finally {
        server.kill();
        await server.exited;
      }
    },
    CLI_TEST_TIMEOUT_MS,
  );

  it('the test receiver refuses a delivery whose signature does not match, and one without signature headers', async () => {
    const hookline = await startHookline({ retrySchedule: [3600] }, { dev: true });
    try {
      const { api } = hookline;
      await api.ok('POST', '/api/v1/app', { name: 'Dev', uid: 'dev' });
      const endpoint = await api.ok<{ id: string }>('POST', '/api/v1/app/dev/endpoint', {
        url: `${hookline.server.url}/dev/receiver/dev`,
      });
      const good = await publish(api, 'dev', { n: 1 });
      await waitFor(async () => (await attemptsOf(api, 'dev', good.id)).length === 1, 'the first attempt');
      expect((await attemptsOf(api, 'dev', good.id))[0]?.responseStatusCode).toBe(200);

      // A forged request for a real message: no secret of its endpoints made that signature.
      const forged = await fetch(`${hookline.server.url}/dev/receiver/dev`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'webhook-id': good.id,
          'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
          'webhook-signature': `v1,${Buffer.alloc(32).toString('base64')}`,
        },
        body: '{"n":1}',
      });
      expect(forged.status).toBe(401);
      expect(await forged.json()).toMatchObject({ code: 'signature_mismatch' });
      const bare = await fetch(`${hookline.server.url}/dev/receiver/dev`, { method: 'POST', body: 'hello' });
      expect(bare.status).toBe(400);
      expect(await bare.json()).toMatchObject({ code: 'signature_missing' });
      expect(endpoint.id).toMatch(/^ep_/);
    } finally {
      await hookline.stop();
    }
  });

  it('without development mode there is no test receiver, and a loopback endpoint is refused with a hint', async () => {
    const hookline = await startHookline({}, { allowPrivateNetworks: false });
    try {
      const { api } = hookline;
      await api.ok('POST', '/api/v1/app', { name: 'Prod', uid: 'prod' });
      const refused = await api.call<{ code: string; detail: string }>('POST', '/api/v1/app/prod/endpoint', {
        url: 'http://127.0.0.1:8080/webhooks',
      });
      expect(refused.status).toBe(422);
      expect(refused.body.code).toBe('forbidden_address');
      expect(refused.body.detail).toContain('127.0.0.1 is a loopback address');
      expect(refused.body.detail).toContain('npm start');
      expect(refused.body.detail).toContain('--allow-private-networks');
      // No such route: like any unknown path, it asks for a key before saying so.
      const receiver = await fetch(`${hookline.server.url}/dev/receiver/prod`, { method: 'POST', body: '{}' });
      expect(receiver.status).toBe(401);
    } finally {
      await hookline.stop();
    }
  });
});
