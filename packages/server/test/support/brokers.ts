// The message brokers of this machine for destination tests: whether one answers (a test that needs it skips with a
// line saying how to start it, except under CI=true, where a missing broker fails), and brokers of the test's own
// (redis-server, nats-server, a RabbitMQ node on their own ports and directories) for tests that stop and restart them.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chownSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from './receiver.js';

export const SHARED_BROKERS = {
  rabbitmq: { port: 5672, start: 'service rabbitmq-server start (RabbitMQ on 127.0.0.1:5672, guest/guest)' },
  nats: {
    port: 4222,
    start: 'nats-server -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server & (NATS with JetStream on 127.0.0.1:4222)',
  },
  redis: { port: 6379, start: 'redis-server --bind 127.0.0.1 --port 6379 --daemonize yes' },
} as const;

export function portAnswers(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    const done = (answer: boolean) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(2000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Whether the shared broker answers; when not: under CI=true an error, else a printed line and false (skip). */
export async function sharedBrokerAnswers(name: keyof typeof SHARED_BROKERS): Promise<boolean> {
  const { port, start } = SHARED_BROKERS[name];
  if (await portAnswers(port)) return true;
  if (process.env.CI === 'true') throw new Error(`${name} does not answer on 127.0.0.1:${port} (CI=true): ${start}`);
  console.warn(`SKIP ${name} destination tests: nothing answers on 127.0.0.1:${port}. Start it with: ${start}`);
  return false;
}

export function binaryExists(name: string): boolean {
  try {
    execFileSync('which', [name], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A server process of the test's own, in its own directory, that the test may stop and start again. */
abstract class PrivateServer {
  readonly dir = mkdtempSync(join(tmpdir(), 'hookline-broker-'));
  protected child: ChildProcess | null = null;
  /** How long a start may take before the test fails: a JVM- or BEAM-based broker boots for seconds. */
  protected readonly startTimeoutMs: number = 20_000;

  constructor(readonly port: number) {}

  protected abstract command(): [string, string[]];

  protected environment(): NodeJS.ProcessEnv {
    return process.env;
  }

  async start(): Promise<void> {
    const [file, args] = this.command();
    this.child = spawn(file, args, { stdio: 'ignore', env: this.environment() });
    await waitFor(() => portAnswers(this.port), `${file} answering on port ${this.port}`, this.startTimeoutMs);
  }

  /** A graceful stop (SIGTERM): the server writes what it holds and exits; resolves once it has. */
  async stop(): Promise<void> {
    const child = this.child;
    if (child === null) return;
    this.child = null;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    await exited;
  }

  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** redis-server with every write fsynced to its append-only file, so an acknowledged XADD survives a restart. */
export class PrivateRedis extends PrivateServer {
  protected command(): [string, string[]] {
    return [
      'redis-server',
      [
        '--bind',
        '127.0.0.1',
        '--port',
        String(this.port),
        '--dir',
        this.dir,
        '--appendonly',
        'yes',
        '--appendfsync',
        'always',
        '--save',
        '',
      ],
    ];
  }
}

/** nats-server with JetStream storing in its own directory. */
export class PrivateNats extends PrivateServer {
  protected command(): [string, string[]] {
    return ['nats-server', ['-a', '127.0.0.1', '-p', String(this.port), '-js', '-sd', this.dir]];
  }
}

/**
 * A RabbitMQ node of the test's own beside the machine's: its node name, AMQP port, distribution port, data and log
 * directories, and a configuration file of its own (the machine's names the shared node's port). rabbitmq-server
 * started as root runs the node as the rabbitmq user, which must own the directory. A restart is the node stopped
 * (SIGTERM to the Erlang VM, whose pid it writes) and started again on the same data: durable queues and
 * persistent messages come back.
 */
export class PrivateRabbitmq extends PrivateServer {
  protected override readonly startTimeoutMs = 180_000;
  readonly nodeName = `hookline-test-${this.port}@localhost`;

  constructor(
    port: number,
    private readonly distributionPort: number,
  ) {
    super(port);
    writeFileSync(join(this.dir, 'rabbitmq.conf'), `listeners.tcp.local = 127.0.0.1:${port}\n`);
    writeFileSync(join(this.dir, 'enabled_plugins'), '[].\n');
    writeFileSync(join(this.dir, 'rabbitmq-env.conf'), '');
    if (process.getuid?.() === 0) {
      const owner = (flag: string) => Number(execFileSync('id', [flag, 'rabbitmq'], { encoding: 'utf8' }).trim());
      const [uid, gid] = [owner('-u'), owner('-g')];
      for (const file of ['', 'rabbitmq.conf', 'enabled_plugins', 'rabbitmq-env.conf']) {
        chownSync(join(this.dir, file), uid, gid);
      }
    }
  }

  protected command(): [string, string[]] {
    return ['rabbitmq-server', []];
  }

  protected override environment(): NodeJS.ProcessEnv {
    return {
      ...process.env,
      RABBITMQ_NODENAME: this.nodeName,
      RABBITMQ_DIST_PORT: String(this.distributionPort),
      RABBITMQ_CONF_ENV_FILE: join(this.dir, 'rabbitmq-env.conf'),
      RABBITMQ_CONFIG_FILE: join(this.dir, 'rabbitmq.conf'),
      RABBITMQ_ENABLED_PLUGINS_FILE: join(this.dir, 'enabled_plugins'),
      RABBITMQ_MNESIA_BASE: join(this.dir, 'mnesia'),
      RABBITMQ_LOG_BASE: join(this.dir, 'log'),
      RABBITMQ_PID_FILE: join(this.dir, 'node.pid'),
      ERL_EPMD_ADDRESS: '127.0.0.1',
    };
  }

  /** The Erlang VM is the script's grandchild (su, then the VM): it is stopped by the pid it wrote. */
  override async stop(): Promise<void> {
    const child = this.child;
    if (child === null) return;
    this.child = null;
    const exited =
      child.exitCode !== null || child.signalCode !== null
        ? Promise.resolve()
        : new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const pid = Number(readFileSync(join(this.dir, 'node.pid'), 'utf8').trim());
    process.kill(pid, 'SIGTERM');
    await exited;
    await waitFor(async () => !(await portAnswers(this.port)), `RabbitMQ off port ${this.port}`, 60_000);
  }
}

/** rabbitmqctl on the shared broker (the test owns only the vhost it names). */
export function rabbitmqctl(args: string[]): string {
  return execFileSync('rabbitmqctl', args, { encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'pipe'] });
}
