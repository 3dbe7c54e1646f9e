// Real `hookline serve` child processes (the CLI run through tsx, as the crash test does), for tests of several
// processes against one PostgreSQL: start one in a role, wait for its health route, kill it.
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from './receiver.js';

const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
export const PROCESS_ADMIN_TOKEN = 'process-test-admin-token-0123456789';

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

export function writeConfig(dir: string, delivery: Record<string, unknown>): string {
  const path = join(dir, `hookline-${Date.now()}-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, JSON.stringify({ delivery }));
  return path;
}

export interface HooklineProcess {
  child: ChildProcess;
  url: string;
  /** Resolves when the process has exited. */
  exited: Promise<void>;
}

export class HooklineProcesses {
  private readonly children = new Set<ChildProcess>();

  async start(options: {
    role: 'api' | 'worker' | 'all';
    database: string;
    config: string;
    logLevel?: string;
  }): Promise<HooklineProcess> {
    const port = await freePort();
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        main,
        'serve',
        '--role',
        options.role,
        '--port',
        String(port),
        '--database',
        options.database,
        '--allow-private-networks',
        '--config',
        options.config,
      ],
      {
        env: {
          ...process.env,
          HOOKLINE_ADMIN_TOKEN: PROCESS_ADMIN_TOKEN,
          HOOKLINE_LOG_LEVEL: options.logLevel ?? 'fatal',
        },
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
    this.children.add(child);
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    void exited.then(() => this.children.delete(child));
    const url = `http://127.0.0.1:${port}`;
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`hookline ${options.role} exited with ${child.exitCode}`);
        try {
          return (await fetch(`${url}/api/v1/health/`)).status === 204;
        } catch {
          return false;
        }
      },
      `hookline ${options.role} to answer health`,
      60_000,
    );
    return { child, url, exited };
  }

  /** SIGTERM every child and wait (bounded) for them; SIGKILL whatever is left. */
  async stopAll(): Promise<void> {
    const all = [...this.children];
    const exits = all.map(
      (child) =>
        new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', () => resolve()))),
    );
    for (const child of all) child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(exits), new Promise((resolve) => (timer = setTimeout(resolve, 15_000)))]);
    clearTimeout(timer);
    for (const child of this.children) child.kill('SIGKILL');
  }
}

/** A small client for the admin API of a child process. */
export async function callApi(baseUrl: string, method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${PROCESS_ADMIN_TOKEN}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

export async function apiOk<T>(baseUrl: string, method: string, path: string, body?: unknown): Promise<T> {
  const response = await callApi(baseUrl, method, path, body);
  const text = await response.text();
  if (response.status >= 300) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
  return JSON.parse(text) as T;
}
