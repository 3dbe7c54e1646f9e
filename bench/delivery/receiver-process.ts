// The harness's handle on the receiver process: start it, read and reset its counts, wait for deliveries.
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';
import { type Child, startChild } from './child-process.js';
import type { ReceiverStats, WaitAnswer } from './receiver.js';

export type { PathStats, ReceiverStats, WaitAnswer } from './receiver.js';

export interface ReceiverProcess {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  readonly pid: number;
  stats(): Promise<ReceiverStats>;
  reset(): Promise<void>;
  /**
   * Resolves once the paths under `prefix` together hold `unique` unique webhook ids, with the receiver's clock at
   * that moment (epoch ms, comparable with `performance.timeOrigin + performance.now()` here). Rejects after
   * `timeoutMs`, saying how far it got.
   */
  waitForUnique(prefix: string, unique: number, timeoutMs: number): Promise<number>;
  /** The hanging paths under `prefix` (`/hang/…`) answer from now on; requests held there are answered at once. */
  releaseHangs(prefix: string): Promise<void>;
  stop(): Promise<void>;
}

const receiverFile = fileURLToPath(new URL('./receiver.ts', import.meta.url));

export async function startReceiver(options: { verifySecret?: string } = {}): Promise<ReceiverProcess> {
  const args = options.verifySecret === undefined ? [] : ['--verify', '--secret', options.verifySecret];
  const child: Child = await startChild(receiverFile, args, { readyTimeoutMs: 20_000 });
  const port = child.ready.port;
  if (typeof port !== 'number') {
    await child.stop();
    throw new Error(`receiver printed no port: ${JSON.stringify(child.ready)}`);
  }
  const url = `http://127.0.0.1:${port}`;
  // Its own connections: control calls never queue behind a contender's deliveries.
  const control = new Agent({ connections: 4, headersTimeout: 0, bodyTimeout: 0 });

  async function call<T>(method: 'GET' | 'POST', path: string, timeoutMs: number): Promise<T> {
    const response = await request(`${url}${path}`, {
      method,
      dispatcher: control,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.body.text();
    if (response.statusCode !== 200) throw new Error(`receiver ${method} ${path}: ${response.statusCode} ${text}`);
    return JSON.parse(text) as T;
  }

  return {
    url,
    pid: child.pid,
    stats: () => call<ReceiverStats>('GET', '/stats', 10_000),
    reset: async () => {
      await call('POST', '/reset', 10_000);
    },
    releaseHangs: async (prefix) => {
      await call('POST', `/release?${new URLSearchParams({ prefix })}`, 10_000);
    },
    async waitForUnique(prefix, unique, timeoutMs) {
      const query = new URLSearchParams({ prefix, unique: String(unique), timeoutMs: String(timeoutMs) });
      const answer = await call<WaitAnswer>('GET', `/wait?${query}`, timeoutMs + 10_000);
      if (!answer.reached || answer.reachedAtMs === null) {
        throw new Error(`receiver: ${answer.unique} of ${unique} unique deliveries under ${prefix} in ${timeoutMs} ms`);
      }
      return answer.reachedAtMs;
    },
    async stop() {
      await control.close().catch(() => {});
      await child.stop();
    },
  };
}
