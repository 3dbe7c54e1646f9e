// `hookline keys` against a real server: in process for each command, and once as the real `hookline` process.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ADMIN_TOKEN, startHookline, type TestHookline } from '../../test/support/hookline.js';
import { ApiRequestError, CliUsageError } from './api-client.js';
import { keysCommand } from './keys.js';

let hookline: TestHookline;

beforeAll(async () => {
  hookline = await startHookline();
});
afterAll(() => hookline.stop());

/** Runs `hookline keys <args>` in this process; returns what it printed. */
async function keys(args: string[], env: Record<string, string> = {}): Promise<string> {
  let out = '';
  const command = keysCommand({
    env: { HOOKLINE_URL: hookline.server.url, HOOKLINE_TOKEN: ADMIN_TOKEN, ...env },
    write: (text) => {
      out += text;
    },
  });
  await command.parseAsync(args, { from: 'user' });
  return out;
}

it('create prints the key once; list shows it without the secret; revoke ends it', async () => {
  const created = JSON.parse(await keys(['create', '--name', 'deploy bot', '--json'])) as { id: string; key: string };
  expect(created.key).toMatch(/^hl_sk_/);
  const listed = JSON.parse(await keys(['list', '--json'])) as Array<{ id: string; name: string }>;
  expect(listed.find((key) => key.id === created.id)).toMatchObject({ name: 'deploy bot' });
  expect(JSON.stringify(listed)).not.toContain(created.key);
  const human = await keys(['list']);
  expect(human).toMatch(/^ID\s+KEY\s+SCOPE\s+NAME\s+CREATED\s+LAST USED\n/);
  expect(human).toContain(created.id);
  expect(human).not.toContain(created.key);

  expect(await keys(['revoke', created.id])).toBe(`revoked ${created.id}\n`);
  const after = await fetch(`${hookline.server.url}/api/v1/app`, {
    headers: { authorization: `Bearer ${created.key}` },
  });
  expect(after.status).toBe(401);
});

it('create --app makes an application-scoped key; list --app shows only that application', async () => {
  await hookline.api.ok('POST', '/api/v1/app', { name: 'cli app', uid: 'cli-app' });
  const text = await keys(['create', '--name', 'portal', '--app', 'cli-app']);
  expect(text).toContain('shown once');
  const key = /hl_sk_\S+/.exec(text)?.[0];
  expect(key).toBeDefined();
  const listed = JSON.parse(await keys(['list', '--app', 'cli-app', '--json'])) as Array<{ scope: string }>;
  expect(listed.map((k) => k.scope)).toEqual(['application']);
});

it('flags win over the environment; no token is a usage error; a server refusal carries its code', async () => {
  await expect(keys(['list'], { HOOKLINE_TOKEN: '' })).rejects.toBeInstanceOf(CliUsageError);
  await expect(keys(['list', '--url', 'ftp://x'])).rejects.toBeInstanceOf(CliUsageError);
  await expect(keys(['list', '--token', 'wrong'])).rejects.toMatchObject({ status: 401, code: 'invalid_token' });
  const revoke = keys(['revoke', 'key_missing']);
  await expect(revoke).rejects.toBeInstanceOf(ApiRequestError);
  await expect(revoke).rejects.toMatchObject({ status: 404, code: 'not_found' });
});

it('the hookline binary runs keys list with HOOKLINE_URL and HOOKLINE_TOKEN, and exits 1 on a refusal', async () => {
  const main = fileURLToPath(new URL('./main.ts', import.meta.url));
  const run = (token: string) =>
    new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', main, 'keys', 'list', '--json'], {
        env: { ...process.env, HOOKLINE_URL: hookline.server.url, HOOKLINE_TOKEN: token },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
      });
      child.stderr.on('data', (chunk: Buffer) => {
        err += chunk.toString();
      });
      child.once('exit', (code) => resolve({ code, out, err }));
    });
  const ok = await run(ADMIN_TOKEN);
  expect(ok.code).toBe(0);
  expect(Array.isArray(JSON.parse(ok.out))).toBe(true);
  const refused = await run('wrong-token');
  expect(refused.code).toBe(1);
  expect(refused.err).toContain('invalid_token');
  expect(refused.err).not.toContain('wrong-token');
});
