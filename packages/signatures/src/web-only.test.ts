// The web entry point must bundle for runtimes that have only Web Crypto (Cloudflare Workers, Vercel Edge, Deno):
// nothing reachable from it may import node:* or any package.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const srcDir = dirname(fileURLToPath(import.meta.url));

function importsOf(file: string): string[] {
  const source = readFileSync(file, 'utf8');
  const specifiers: string[] = [];
  for (const match of source.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+['"]([^'"]+)['"]/gm)) {
    specifiers.push(match[1] as string);
  }
  for (const match of source.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) specifiers.push(match[1] as string);
  return specifiers;
}

function reachable(entry: string): { files: Set<string>; external: Set<string> } {
  const files = new Set<string>();
  const external = new Set<string>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop() as string;
    if (files.has(file)) continue;
    files.add(file);
    for (const specifier of importsOf(file)) {
      if (specifier.startsWith('.')) queue.push(resolve(dirname(file), specifier.replace(/\.js$/, '.ts')));
      else external.add(specifier);
    }
  }
  return { files, external };
}

it('nothing reachable from the web entry imports node:* or a package', () => {
  const { files, external } = reachable(join(srcDir, 'web.ts'));
  expect(files.size).toBeGreaterThan(10);
  expect([...external]).toEqual([]);
});

it('the node entry does reach node:crypto (so the check above can see an import)', () => {
  expect([...reachable(join(srcDir, 'node.ts')).external]).toContain('node:crypto');
});

it('the package maps edge runtimes and the default condition to the web build', () => {
  const pkg = JSON.parse(readFileSync(join(srcDir, '..', 'package.json'), 'utf8')) as {
    exports: Record<string, Record<string, string>>;
    dependencies?: Record<string, string>;
  };
  const root = pkg.exports['.'] as Record<string, string>;
  for (const condition of ['workerd', 'edge-light', 'browser', 'default'])
    expect(root[condition]).toBe('./dist/web.js');
  expect(root.node).toBe('./dist/index.js');
  expect(pkg.dependencies ?? {}).toEqual({});
});

it('the web entry, bundled, verifies a vector in a context that has only Web APIs', async () => {
  const { build } = await import('esbuild');
  const bundle = await build({
    entryPoints: [join(srcDir, 'web.ts')],
    bundle: true,
    write: false,
    platform: 'neutral',
    format: 'iife',
    globalName: 'hookline',
  });
  const code = bundle.outputFiles[0]?.text ?? '';
  const { runInNewContext } = await import('node:vm');
  // What a Worker-style runtime offers: Web Crypto, text codecs, base64. No require, process or Buffer.
  const context = { crypto: globalThis.crypto, TextEncoder, TextDecoder, atob, btoa, result: undefined as unknown };
  runInNewContext(
    `${code}
    result = hookline.standardWebhooks.verify({
      body: '{"test": 2432232314}',
      headers: new Map(Object.entries({
        'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek',
        'webhook-timestamp': '1614265330',
        'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
      })),
      secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      now: () => 1614265330000,
    }).then((r) => r.id);`,
    context,
  );
  expect(await (context.result as Promise<string>)).toBe('msg_p5jXN8AQM9LWM0D4loKWxJek');
  expect(code).not.toMatch(/require\(|node:/);
});
