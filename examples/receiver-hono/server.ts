// Serves the Hono app on Node. In a real project use @hono/node-server; this example carries the few lines of
// bridging it needs (node request → Web Request, Web Response → node response) so it has no other dependency.
//   SHOPIFY_WEBHOOK_SECRET=… npx tsx examples/receiver-hono/server.ts   (after `npm run build`)
import { createServer, type Server } from 'node:http';
import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { createApp } from './app.js';

export function serve(fetchHandler: (request: Request) => Response | Promise<Response>): Server {
  return createServer(async (req, res) => {
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) headers.append(name, v);
    }
    const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
    const init: RequestInit & { duplex?: 'half' } = { method: req.method ?? 'GET', headers };
    if (hasBody) {
      init.body = Readable.toWeb(req) as ReadableStream<Uint8Array>;
      init.duplex = 'half';
    }
    const response = await fetchHandler(
      new Request(`http://${req.headers.host ?? '127.0.0.1'}${req.url ?? '/'}`, init),
    );
    const body = Buffer.from(await response.arrayBuffer());
    const out: Record<string, string | number> = { 'content-length': body.length };
    response.headers.forEach((value, name) => {
      if (name !== 'content-length') out[name] = value;
    });
    res.writeHead(response.status, out).end(body);
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const shopifySecret = process.env.SHOPIFY_WEBHOOK_SECRET;
  if (shopifySecret === undefined) throw new Error('set SHOPIFY_WEBHOOK_SECRET');
  const port = Number(process.env.PORT ?? 3000);
  const app = createApp({ shopifySecret });
  serve((request) => app.fetch(request)).listen(port, '127.0.0.1', () =>
    console.log(`http://127.0.0.1:${port}/webhooks/shopify`),
  );
}
