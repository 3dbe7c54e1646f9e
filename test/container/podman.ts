// Podman as the container test drives it: rootful, host network, runc, and limits this machine allows. The
// settings live in a containers.conf of the test's own (CONTAINERS_CONF), so /etc/containers is never touched.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { isCi } from '../support/services.js';

/** The Debian packages the container test needs; .ci/run installs them. */
export const CONTAINER_PACKAGES = ['podman', 'runc', 'mmdebstrap'] as const;
const TOOLS = ['/usr/bin/podman', '/usr/sbin/runc', '/usr/bin/mmdebstrap'] as const;

/**
 * True when podman, runc and mmdebstrap are installed and this runs as root. If not: under CI=true it throws (CI must never pass by
 * skipping); elsewhere it prints what to install and returns false.
 */
export function containerToolsAvailable(
  options: { env?: Readonly<Record<string, string | undefined>>; log?: (line: string) => void } = {},
): boolean {
  const missing = TOOLS.filter((path) => !existsSync(path));
  const reasons = [
    ...(missing.length === 0 ? [] : [`${missing.join(', ')} not installed`]),
    // Rootful podman with host networking and runc: what this test knows to work on a VM without a bridge.
    ...(userInfo().uid === 0 ? [] : ['not running as root']),
  ];
  if (reasons.length === 0) return true;
  const reason = reasons.join('; ');
  const install = `apt-get update && apt-get install -y --no-install-recommends ${CONTAINER_PACKAGES.join(' ')}`;
  if (isCi(options.env)) throw new Error(`${reason}, and CI=true requires them. Install them with: ${install}`);
  (options.log ?? console.warn)(`SKIP container image tests: ${reason}. To run them: ${install}`);
  return false;
}

/** This process's hard limit for a resource, read from /proc (Node has no getrlimit). */
function hardLimit(name: string): number | null {
  const line = readFileSync('/proc/self/limits', 'utf8')
    .split('\n')
    .find((row) => row.startsWith(name));
  const hard = line?.slice(26).trim().split(/\s+/)[1];
  return hard === undefined || hard === 'unlimited' ? null : Number(hard);
}

/**
 * The containers.conf: host networking (no bridge, so no iptables needed; a container reaches the machine's
 * PostgreSQL and the test's receivers on 127.0.0.1), runc (crun refuses hybrid cgroup hierarchies), and ulimits no
 * higher than this process holds (podman asks for 1048576 open files by default, which root without
 * CAP_SYS_RESOURCE may not grant; podman itself runs with at most pid_max processes).
 */
export function writeContainersConf(dir: string): string {
  const nofile = hardLimit('Max open files') ?? 1_048_576;
  const pidMax = Number(readFileSync('/proc/sys/kernel/pid_max', 'utf8').trim());
  const nproc = Math.min(hardLimit('Max processes') ?? pidMax, pidMax);
  const path = join(dir, 'containers.conf');
  writeFileSync(
    path,
    [
      '[containers]',
      `default_ulimits = ["nofile=${nofile}:${nofile}", "nproc=${nproc}:${nproc}"]`,
      'netns = "host"',
      '[engine]',
      'runtime = "runc"',
      '',
    ].join('\n'),
  );
  return path;
}

export interface PodmanResult {
  code: number;
  stdout: string;
  stderr: string;
}

export class Podman {
  constructor(private readonly containersConf: string) {}

  /** Runs podman; resolves with its exit code and output (never rejects on a non-zero exit). */
  run(args: readonly string[], options: { onOutput?: (chunk: string) => void } = {}): Promise<PodmanResult> {
    return new Promise((resolve, reject) => {
      const child = spawn('podman', args, {
        env: { ...process.env, CONTAINERS_CONF: this.containersConf },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
        options.onOutput?.(chunk);
      });
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        stderr += chunk;
        options.onOutput?.(chunk);
      });
      child.once('error', reject);
      child.once('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    });
  }

  /** Runs podman and returns its standard output; a non-zero exit throws with the end of what it printed. */
  async ok(args: readonly string[], options: { onOutput?: (chunk: string) => void } = {}): Promise<string> {
    const result = await this.run(args, options);
    if (result.code !== 0) {
      const tail = `${result.stdout}\n${result.stderr}`.trim().split('\n').slice(-40).join('\n');
      throw new Error(`podman ${args.join(' ')} exited with ${result.code}:\n${tail}`);
    }
    return result.stdout.trim();
  }

  async imageExists(name: string): Promise<boolean> {
    return (await this.run(['image', 'exists', name])).code === 0;
  }
}
