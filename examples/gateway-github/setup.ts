// Puts a Hookline source in front of the app: an application, an endpoint (the app's URL) and a source that
// verifies GitHub's signature, forwarding the original signature so the app verifies GitHub itself. Prints the
// ingest URL to give GitHub as the webhook's Payload URL.
//   HOOKLINE_URL=http://127.0.0.1:8080 HOOKLINE_TOKEN=… GITHUB_WEBHOOK_SECRET=… APP_URL=http://127.0.0.1:3000/github \
//     npx tsx examples/gateway-github/setup.ts
import { pathToFileURL } from 'node:url';

export interface GatewaySetup {
  hooklineUrl: string;
  token: string;
  githubSecret: string;
  appUrl: string;
}

async function call(setup: GatewaySetup, method: string, path: string, body: unknown): Promise<unknown> {
  const response = await fetch(`${setup.hooklineUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${setup.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
  return JSON.parse(text);
}

/** Returns the ingest URL. */
export async function setUpGateway(setup: GatewaySetup): Promise<string> {
  await call(setup, 'PUT', '/api/v1/app/github-gateway', { name: 'GitHub gateway' });
  await call(setup, 'POST', '/api/v1/app/github-gateway/endpoint', { url: setup.appUrl, description: 'the app' });
  const source = (await call(setup, 'POST', '/api/v1/app/github-gateway/source', {
    uid: 'github',
    name: 'GitHub',
    verification: { type: 'signature', scheme: 'github', secrets: [setup.githubSecret] },
    signatureMode: 'original',
  })) as { ingestPath: string };
  return `${setup.hooklineUrl}${source.ingestPath}`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const env = (name: string) => {
    const value = process.env[name];
    if (value === undefined || value === '') throw new Error(`set ${name}`);
    return value;
  };
  const ingestUrl = await setUpGateway({
    hooklineUrl: (process.env.HOOKLINE_URL ?? 'http://127.0.0.1:8080').replace(/\/+$/, ''),
    token: env('HOOKLINE_TOKEN'),
    githubSecret: env('GITHUB_WEBHOOK_SECRET'),
    appUrl: env('APP_URL'),
  });
  console.log(`give GitHub this Payload URL (content type application/json): ${ingestUrl}`);
}
