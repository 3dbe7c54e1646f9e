// Tests that need PostgreSQL or Redis ask here first. Reachable: they run. Unreachable: they skip with a printed
// reason and the command that starts the service, except under CI=true, where a missing service fails the run
// (CI must never pass by skipping).
import { connect } from 'node:net';

export type ServiceName = 'postgres' | 'redis';

interface ServiceInfo {
  host: string;
  port: number;
  url: string;
  start: string;
}

export const SERVICES: Record<ServiceName, ServiceInfo> = {
  postgres: {
    host: '127.0.0.1',
    port: 5432,
    url: process.env.HOOKLINE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    start: 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start',
  },
  redis: {
    host: '127.0.0.1',
    port: 6379,
    url: process.env.HOOKLINE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
    start: 'redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no',
  },
};

export function probeTcp(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export function isCi(env: Readonly<Record<string, string | undefined>> = process.env): boolean {
  return env.CI === 'true' || env.CI === '1';
}

/**
 * Resolves true when the service answers on its port. When it does not: under CI it throws (the test file fails);
 * elsewhere it prints why the dependent tests skip and how to enable them, and resolves false.
 */
export async function serviceAvailable(
  name: ServiceName,
  options: { env?: Readonly<Record<string, string | undefined>>; log?: (line: string) => void } = {},
): Promise<boolean> {
  const info = SERVICES[name];
  if (await probeTcp(info.host, info.port)) return true;
  const reason = `${name} is not reachable on ${info.host}:${info.port}`;
  if (isCi(options.env)) throw new Error(`${reason}, and CI=true requires it. Start it with: ${info.start}`);
  (options.log ?? console.warn)(`SKIP tests that need ${name}: ${reason}. To run them, start it: ${info.start}`);
  return false;
}
