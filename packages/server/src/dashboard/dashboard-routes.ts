// Serves the dashboard: plain ES modules, HTML and CSS from src/dashboard/public, read once at start (no build
// step, no framework). The files are public; every API call they make carries the key the person signed in with.
import { readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';

/** The package root is two levels up from both src/dashboard/ (tests) and dist/dashboard/ (the built CLI). */
const PUBLIC_DIR = fileURLToPath(new URL('../../src/dashboard/public/', import.meta.url));

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

const SECURITY_HEADERS = {
  // Only our own scripts and styles, API calls to this origin, never framed (clickjacking a key-holding page).
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
};

interface StaticFile {
  body: Buffer;
  contentType: string;
}

function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? listFiles(join(dir, entry.name), `${prefix}${entry.name}/`)
      : CONTENT_TYPES[extname(entry.name)] === undefined
        ? []
        : [`${prefix}${entry.name}`],
  );
}

function loadFiles(): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  for (const name of listFiles(PUBLIC_DIR)) {
    files.set(`/${name}`, {
      body: readFileSync(join(PUBLIC_DIR, name)),
      contentType: CONTENT_TYPES[extname(name)] as string,
    });
  }
  const index = files.get('/index.html');
  if (index !== undefined) files.set('/', index);
  return files;
}

const FILES = loadFiles();

/** Every path the dashboard serves: public, no token (the page asks for one). */
export const DASHBOARD_PATHS: readonly string[] = [...FILES.keys()];

export function dashboardRoutes(app: FastifyInstance): void {
  for (const [path, file] of FILES) {
    app.get(path, async (_request, reply) =>
      reply.headers(SECURITY_HEADERS).header('content-type', file.contentType).send(file.body),
    );
  }
}
