// The app behind the gateway: it receives GitHub's events relayed by a Hookline source, and verifies them with
// GitHub's own secret exactly as if GitHub had called it directly (the source forwards the original body bytes and
// X-Hub-Signature-256). Dedupe by X-GitHub-Delivery, so a relay retried after a lost answer is handled once.
//   GITHUB_WEBHOOK_SECRET=… PORT=3000 npx tsx examples/gateway-github/app.ts   (after `npm run build`)
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { createNodeMiddleware, Webhooks } from '@hookline/receiver';

export interface GithubApp {
  server: Server;
  url: string;
  /** Delivery ids of the events handled, in order. */
  handled: string[];
  close(): Promise<void>;
}

export async function startApp(options: { secret: string; port: number; host?: string }): Promise<GithubApp> {
  const webhooks = new Webhooks({ scheme: 'github', secret: options.secret });
  const handled: string[] = [];
  webhooks.on('*', (event) => {
    handled.push(event.id ?? '');
  });
  const middleware = createNodeMiddleware(webhooks, { path: '/github' });
  const server = createServer((req, res) => {
    void middleware(req, res, () => res.writeHead(404).end());
  });
  await new Promise<void>((resolve) => server.listen(options.port, options.host ?? '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://127.0.0.1:${port}/github`,
    handled,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const secret = process.env.GITHUB_WEBHOOK_SECRET;
  if (secret === undefined || secret === '') throw new Error('set GITHUB_WEBHOOK_SECRET');
  const app = await startApp({ secret, port: Number(process.env.PORT ?? 3000) });
  console.log(`app listening on ${app.url}`);
}
