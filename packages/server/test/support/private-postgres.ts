// A PostgreSQL cluster of the test's own (initdb into a temp dir, its own port, its socket in that dir), for tests
// and benchmarks that stop or restart the database: the machine's shared cluster is never touched. initdb and
// postgres refuse to run as root, so as root they run as the `postgres` OS user.
import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export function postgresBin(name: string): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  for (const version of versions) {
    const path = join(root, version, 'bin', name);
    if (existsSync(path)) return path;
  }
  throw new Error(`${name} not found under ${root}`);
}

export function privateClusterSupported(): boolean {
  try {
    postgresBin('initdb');
    return true;
  } catch {
    return false;
  }
}

export class PrivatePostgres {
  readonly dir: string;
  private readonly data: string;
  private readonly asPostgres: boolean;

  constructor(
    readonly port: number,
    private readonly settings: Record<string, string> = {},
  ) {
    this.dir = mkdtempSync(join(tmpdir(), 'hookline-pg-'));
    this.data = join(this.dir, 'data');
    this.asPostgres = userInfo().uid === 0;
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  private command(command: string, args: string[]): [string, string[]] {
    const bin = postgresBin(command);
    return this.asPostgres ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
  }

  private runSync(command: string, args: string[]): void {
    const [file, argv] = this.command(command, args);
    execFileSync(file, argv, { stdio: ['ignore', 'ignore', 'pipe'], timeout: 60_000 });
  }

  /**
   * Not execFileSync: a test's receiver and clients live in the same process, and a blocked event loop during a
   * restart made every send in flight time out at the receiver's side, which is not what a restart test measures.
   */
  private async run(command: string, args: string[]): Promise<void> {
    const [file, argv] = this.command(command, args);
    await execFileAsync(file, argv, { timeout: 60_000 });
  }

  init(): void {
    if (this.asPostgres) {
      const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
      const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
      chownSync(this.dir, uid, gid);
    }
    this.runSync('initdb', ['-D', this.data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  }

  async start(): Promise<void> {
    const options = [
      `-p ${this.port}`,
      `-k ${this.dir}`,
      '-c listen_addresses=127.0.0.1',
      // A throwaway cluster: durability across power loss is not what these runs measure.
      '-c fsync=off',
      ...Object.entries(this.settings).map(([key, value]) => `-c ${key}=${value}`),
    ].join(' ');
    await this.run('pg_ctl', ['-D', this.data, '-o', options, '-l', join(this.dir, 'log'), '-w', '-t', '60', 'start']);
  }

  /** fast: disconnects every client, as a database restart in production would. */
  async stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    await this.run('pg_ctl', this.stopArgs(mode));
  }

  private stopArgs(mode: 'fast' | 'immediate'): string[] {
    return ['-D', this.data, '-m', mode, '-w', '-t', '60', 'stop'];
  }

  /** Stops the cluster if it runs and removes its directory. */
  destroy(): void {
    try {
      if (existsSync(join(this.data, 'postmaster.pid'))) this.runSync('pg_ctl', this.stopArgs('immediate'));
    } finally {
      rmSync(this.dir, { recursive: true, force: true });
    }
  }
}
