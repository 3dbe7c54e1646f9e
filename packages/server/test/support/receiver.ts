// A real HTTP receiver on loopback for integration tests: records every request and answers as each test scripts
// it, per path (status, headers, body, or hang until closed).
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
  /** The sender's port on loopback: which process sent it (socket-owner.ts). */
  remotePort: number;
}

export type Reply =
  | {
      status: number;
      headers?: Record<string, string>;
      body?: string;
      delayMs?: number;
      /** Answer only once this settles too (a test holding sends open while it acts on their senders). */
      until?: Promise<void>;
    }
  | 'hang';
export type Script = (request: ReceivedRequest, countForPath: number) => Reply;

export class TestReceiver {
  readonly requests: ReceivedRequest[] = [];
  private readonly scripts = new Map<string, Script>();
  private readonly hanging = new Set<ServerResponse>();
  private server: Server | null = null;
  url = '';

  script(path: string, script: Script): void {
    this.scripts.set(path, script);
  }

  on(path: string): ReceivedRequest[] {
    return this.requests.filter((request) => request.path === path);
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const request: ReceivedRequest = {
          path: req.url ?? '/',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          at: Date.now(),
          remotePort: req.socket.remotePort ?? 0,
        };
        this.requests.push(request);
        const script = this.scripts.get(request.path);
        const reply =
          script === undefined ? { status: 200, body: 'ok' } : script(request, this.on(request.path).length);
        if (reply === 'hang') {
          this.hanging.add(res);
          res.on('close', () => this.hanging.delete(res));
          return;
        }
        const answer = () => {
          res.writeHead(reply.status, reply.headers ?? {});
          res.end(reply.body ?? '');
        };
        const delayed = () => {
          if (reply.delayMs === undefined) answer();
          else setTimeout(answer, reply.delayMs);
        };
        if (reply.until === undefined) delayed();
        else void reply.until.then(delayed);
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

/** Polls until `check` is true; bounded so a broken build fails instead of hanging. Not a timing assertion. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
}
