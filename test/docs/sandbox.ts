// A throwaway machine for the docs' commands, so they run exactly as written (`npm start` on port 8080, `createdb
// hookline`, `curl http://127.0.0.1:8080/…`) without meeting anything else on this machine:
// - the project as a reader has it after `git clone` and `npm install`: the repository's files copied, its
//   node_modules hard-linked (cheap, and npm finds it up to date), built once; each document gets its own copy;
// - a network namespace of its own (its own loopback, no Internet), so port 8080 and 5432 are free and no other test
//   run collides with it; a mount namespace in which /var/run/postgresql is an empty directory of its own;
// - a PostgreSQL cluster of its own listening there and on 127.0.0.1:5432, trust authentication, as a developer's
//   local PostgreSQL.
// Namespaces need root (CI runs as root); elsewhere the docs test skips with a printed reason.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chownSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { postgresBin } from '../../packages/server/test/support/private-postgres.js';
import { isCi } from '../support/services.js';

const POSTGRES_SOCKET_DIR = '/var/run/postgresql';

export interface ExecResult {
  code: number | null;
  output: string;
}

/** Root, unshare, nsenter and ip are there. Otherwise: under CI=true it throws; elsewhere it says why and skips. */
export function sandboxSupported(
  options: { env?: Readonly<Record<string, string | undefined>>; log?: (line: string) => void } = {},
): boolean {
  const missing = [
    '/usr/bin/unshare',
    '/usr/bin/nsenter',
    '/usr/sbin/ip',
    '/usr/bin/curl',
    '/usr/bin/jq',
    '/usr/bin/sqlite3',
  ].filter((path) => !existsSync(path));
  const reasons = [
    ...(userInfo().uid === 0 ? [] : ['not running as root (network namespaces need it)']),
    ...(missing.length === 0
      ? []
      : [`${missing.join(', ')} missing (apt-get install util-linux iproute2 curl jq sqlite3)`]),
  ];
  if (reasons.length === 0) return true;
  const reason = reasons.join('; ');
  if (isCi(options.env)) throw new Error(`the docs sandbox cannot run: ${reason}, and CI=true requires it`);
  (options.log ?? console.warn)(`SKIP the README and docs snippets: ${reason}`);
  return false;
}

/** Runs a command to its end outside the sandbox; throws with its output on a non-zero exit. */
function runHere(command: string, args: readonly string[], cwd?: string): void {
  execFileSync(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
}

/** A copy where hard links cannot cross devices. */
function linkTree(from: string, to: string): void {
  try {
    runHere('cp', ['-al', from, to]);
  } catch {
    rmSync(to, { recursive: true, force: true });
    runHere('cp', ['-a', from, to]);
  }
}

/** The environment a reader's shell would have: none of this test run's own settings. */
export function readerEnvironment(): Record<string, string> {
  const drop = /^(HOOKLINE_|PG|VITEST|npm_|TSX_)|^(NODE_ENV|NODE_OPTIONS|PORT|HOST|CI|TEST|DATABASE_URL)$/;
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined && !drop.test(name)) env[name] = value;
  }
  return env;
}

export class DocsSandbox {
  private holder: ChildProcess | null = null;
  private postgresDir: string | null = null;
  private readonly template: string;

  private constructor(readonly root: string) {
    this.template = join(root, 'template');
  }

  /** Copies and builds the project, then opens the namespaces and starts PostgreSQL in them. */
  static async create(repo: string, log: (line: string) => void): Promise<DocsSandbox> {
    const sandbox = new DocsSandbox(mkdtempSync(join(tmpdir(), 'hookline-docs-')));
    try {
      sandbox.copyProject(repo);
      log('building the project copy (npm run build: tsc -b, then the CLI bundle that bin/hookline.js runs)');
      runHere(join(sandbox.template, 'node_modules/.bin/tsc'), ['-b'], sandbox.template);
      runHere(process.execPath, [join(sandbox.template, 'packages/server/scripts/bundle.mjs')], sandbox.template);
      await sandbox.openNamespaces();
      sandbox.startPostgres();
      return sandbox;
    } catch (error) {
      await sandbox.close();
      throw error;
    }
  }

  /** What `git clone` gives (tracked files, and new ones not yet committed), plus node_modules as installed. */
  private copyProject(repo: string): void {
    const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: repo })
      .toString('utf8')
      .split('\0')
      .filter((file) => file !== '' && existsSync(join(repo, file)));
    for (const file of files) {
      mkdirSync(dirname(join(this.template, file)), { recursive: true });
      copyFileSync(join(repo, file), join(this.template, file));
    }
    linkTree(join(repo, 'node_modules'), join(this.template, 'node_modules'));
    // npm rewrites this one; a copy keeps the repository's own untouched.
    const hidden = join(this.template, 'node_modules/.package-lock.json');
    if (existsSync(hidden)) {
      rmSync(hidden);
      copyFileSync(join(repo, 'node_modules/.package-lock.json'), hidden);
    }
  }

  private async openNamespaces(): Promise<void> {
    const script = [
      'set -e',
      'ip link set lo up',
      `mkdir -p ${POSTGRES_SOCKET_DIR}`,
      `mount -t tmpfs -o mode=2775 tmpfs ${POSTGRES_SOCKET_DIR}`,
      'echo ready',
      // Lives until the test closes its stdin (or dies): the namespaces live as long as a process is in them.
      'exec cat >/dev/null',
    ].join('\n');
    const holder = spawn('unshare', ['--net', '--mount', '--propagation', 'private', '--', 'sh', '-c', script], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.holder = holder;
    await new Promise<void>((resolve, reject) => {
      let output = '';
      const onData = (chunk: Buffer) => {
        output += chunk.toString('utf8');
        if (output.includes('ready')) resolve();
      };
      holder.stdout?.on('data', onData);
      holder.stderr?.on('data', onData);
      holder.once('error', reject);
      holder.once('exit', (code) => reject(new Error(`unshare exited with ${code}: ${output}`)));
    });
  }

  /** Arguments that run a command inside the namespaces. */
  private inside(command: string, args: readonly string[]): [string, string[]] {
    const pid = this.holder?.pid;
    if (pid === undefined) throw new Error('the sandbox is not open');
    return ['nsenter', [`--net=/proc/${pid}/ns/net`, `--mount=/proc/${pid}/ns/mnt`, '--', command, ...args]];
  }

  /** Starts a command inside the sandbox, in a process group of its own (so stopping it stops its children). */
  spawn(command: string, args: readonly string[], options: { cwd: string; env: Record<string, string> }): ChildProcess {
    const [file, argv] = this.inside(command, args);
    return spawn(file, argv, { cwd: options.cwd, env: options.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  }

  /** Runs a command inside the sandbox to its end (bounded by timeoutMs, then killed). */
  exec(
    command: string,
    args: readonly string[],
    options: { cwd: string; env: Record<string, string>; timeoutMs: number },
  ): Promise<ExecResult> {
    return new Promise((resolve, reject) => {
      const child = this.spawn(command, args, options);
      let output = '';
      const collect = (chunk: Buffer) => {
        output += chunk.toString('utf8');
      };
      child.stdout?.on('data', collect);
      child.stderr?.on('data', collect);
      const timer = setTimeout(() => {
        output += `\n[killed: still running after ${options.timeoutMs} ms]`;
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      }, options.timeoutMs);
      child.once('error', reject);
      child.once('close', (code) => {
        clearTimeout(timer);
        resolve({ code, output });
      });
    });
  }

  private runAsPostgres(command: string, args: readonly string[]): void {
    const [file, argv] = this.inside('runuser', ['-u', 'postgres', '--', postgresBin(command), ...args]);
    runHere(file, argv);
  }

  private startPostgres(): void {
    const dir = mkdtempSync(join(tmpdir(), 'hookline-docs-pg-'));
    this.postgresDir = dir;
    const owner = (flag: string) => Number(execFileSync('id', [flag, 'postgres']).toString().trim());
    chownSync(dir, owner('-u'), owner('-g'));
    const [file, argv] = this.inside('chown', ['postgres:postgres', POSTGRES_SOCKET_DIR]);
    runHere(file, argv);
    this.runAsPostgres('initdb', [
      '-D',
      join(dir, 'data'),
      '-U',
      'postgres',
      '--auth=trust',
      '-E',
      'UTF8',
      '--no-sync',
    ]);
    const options = `-p 5432 -k ${POSTGRES_SOCKET_DIR} -c listen_addresses=127.0.0.1 -c fsync=off`;
    this.runAsPostgres('pg_ctl', ['-D', join(dir, 'data'), '-o', options, '-l', join(dir, 'log'), '-w', 'start']);
  }

  /** A fresh copy of the built project for one document: its own data/, its own files. */
  projectCopy(name: string): string {
    const dir = join(this.root, 'documents', name.replace(/[^a-zA-Z0-9.-]+/g, '_'));
    mkdirSync(dirname(dir), { recursive: true });
    linkTree(this.template, dir);
    return dir;
  }

  async close(): Promise<void> {
    if (this.postgresDir !== null && this.holder !== null) {
      try {
        this.runAsPostgres('pg_ctl', ['-D', join(this.postgresDir, 'data'), '-m', 'immediate', '-w', 'stop']);
      } catch {
        // Not started, or already gone: the directory goes below either way.
      }
    }
    if (this.holder !== null) {
      const holder = this.holder;
      const exited = new Promise<void>((resolve) =>
        holder.exitCode !== null || holder.signalCode !== null ? resolve() : holder.once('exit', () => resolve()),
      );
      holder.stdin?.end();
      await exited;
      this.holder = null;
    }
    if (this.postgresDir !== null) rmSync(this.postgresDir, { recursive: true, force: true });
    rmSync(this.root, { recursive: true, force: true });
  }
}
