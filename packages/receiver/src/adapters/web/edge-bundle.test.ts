// The package must load on runtimes that have only Web APIs (Cloudflare Workers, Vercel Edge, Deno): bundled for
// a neutral platform with the Web Crypto build of @hookline/signatures, it must import nothing from node:* and
// handle a signed request through the Web adapter in a context with no require, process or Buffer.
import { fileURLToPath } from 'node:url';
import { runInNewContext } from 'node:vm';
import { standardWebhooks } from '@hookline/receiver';
import { build } from 'esbuild';
import { expect, it } from 'vitest';
import { SECRET } from '../../../test/support.js';

const path = (relative: string) => fileURLToPath(new URL(relative, import.meta.url));

it('bundles without node:* and handles a signed request in a Web-only context', async () => {
  const bundle = await build({
    entryPoints: [path('../../index.ts')],
    bundle: true,
    write: false,
    platform: 'neutral',
    mainFields: ['module', 'main'],
    format: 'iife',
    globalName: 'receiver',
    alias: { '@hookline/signatures': path('../../../../signatures/src/web.ts') },
    logLevel: 'silent',
  });
  const code = bundle.outputFiles[0]?.text ?? '';
  expect(code).not.toMatch(/["']node:/);

  const body = JSON.stringify({ type: 'order.created', data: { id: 'ord_edge' } });
  const headers = await standardWebhooks.sign({ body, id: 'msg_edge', secret: SECRET });
  const context = {
    crypto: globalThis.crypto,
    TextEncoder,
    TextDecoder,
    atob,
    btoa,
    Request,
    Response,
    Headers,
    ReadableStream,
    setTimeout,
    clearTimeout,
    input: { body, headers: { ...headers, 'content-type': 'application/json' }, secret: SECRET },
    result: undefined as unknown,
  };
  runInNewContext(
    `${code}
    const webhooks = new receiver.Webhooks({ scheme: 'standard-webhooks', secret: input.secret });
    const seen = [];
    webhooks.on('order.created', (event) => { seen.push(event.payload.data.id); });
    const handle = receiver.createWebHandler(webhooks);
    result = handle(new Request('https://edge.example/webhooks', { method: 'POST', body: input.body, headers: input.headers }))
      .then(async (response) => ({ status: response.status, body: await response.text(), seen }));`,
    context,
  );
  expect(await (context.result as Promise<unknown>)).toEqual({
    status: 200,
    body: '{"status":"handled"}',
    seen: ['ord_edge'],
  });
});
