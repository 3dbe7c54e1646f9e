// `hookline keys create|list|revoke`: API keys on a running server (admin token or admin key required).
import { Command } from 'commander';
import { ApiClient, type ServerOptions, withServerOptions } from './api-client.js';
import { printRows } from './output.js';

export interface CliIo {
  env: Readonly<Record<string, string | undefined>>;
  write(text: string): void;
}

interface KeyOut {
  id: string;
  name: string;
  appId: string | null;
  scope: string;
  prefix: string;
  last4: string;
  createdAt: string;
  lastUsedAt: string | null;
  key?: string;
}

interface Page<T> {
  data: T[];
  iterator: string | null;
  done: boolean;
}

/** Bounds `keys list`: 250 per page, at most this many pages. */
const MAX_PAGES = 400;

function describeKey(key: KeyOut): string {
  const scope = key.appId === null ? 'admin' : `app ${key.appId}`;
  const used = key.lastUsedAt === null ? 'never used' : `last used ${key.lastUsedAt}`;
  return `${key.id}  ${key.prefix}…${key.last4}  ${scope}  ${JSON.stringify(key.name)}  created ${key.createdAt}, ${used}`;
}

export function keysCommand(io: CliIo): Command {
  const keys = new Command('keys').description('manage API keys on a running server');

  withServerOptions(keys.command('create'))
    .description('create an API key; it is printed once and never shown again')
    .requiredOption('--name <name>', 'what the key is for')
    .option('--app <app>', 'scope the key to one application (id or uid); without it the key is an admin key')
    .option('--json', 'print JSON')
    .action(async (_options: object, command: Command) => {
      // With the global flags too: `hookline --json keys create` and `hookline keys create --json` both work.
      const options = command.optsWithGlobals<ServerOptions & { name: string; app?: string; json?: boolean }>();
      const client = ApiClient.fromOptions(options, io.env);
      const created = await client.request<KeyOut>('POST', '/api/v1/auth/api-key', {
        name: options.name,
        appId: options.app ?? null,
      });
      if (options.json === true) {
        io.write(`${JSON.stringify(created)}\n`);
        return;
      }
      io.write(`${describeKey(created)}\n\n${created.key}\n\nthis key is shown once: store it now.\n`);
    });

  withServerOptions(keys.command('list'))
    .description('list live API keys (never their secret)')
    .option('--app <app>', 'only the keys of one application (id or uid)')
    .option('--json', 'print JSON (an array)')
    .action(async (_options: object, command: Command) => {
      const options = command.optsWithGlobals<ServerOptions & { app?: string; json?: boolean }>();
      const client = ApiClient.fromOptions(options, io.env);
      const all: KeyOut[] = [];
      let iterator: string | null = null;
      for (let page = 0; page < MAX_PAGES; page++) {
        const query = new URLSearchParams({ limit: '250' });
        if (options.app !== undefined) query.set('appId', options.app);
        if (iterator !== null) query.set('iterator', iterator);
        const result: Page<KeyOut> = await client.request<Page<KeyOut>>('GET', `/api/v1/auth/api-key?${query}`);
        all.push(...result.data);
        if (result.done || result.iterator === null) break;
        iterator = result.iterator;
      }
      if (options.json === true) io.write(`${JSON.stringify(all)}\n`);
      else if (all.length === 0) io.write('no API keys\n');
      else {
        // Columns with a header row, as `apps list` prints them.
        printRows({ json: false, write: (text) => io.write(text) }, all, all, [
          ['ID', (key) => key.id],
          ['KEY', (key) => `${key.prefix}…${key.last4}`],
          ['SCOPE', (key) => (key.appId === null ? 'admin' : `app ${key.appId}`)],
          ['NAME', (key) => key.name],
          ['CREATED', (key) => key.createdAt],
          ['LAST USED', (key) => key.lastUsedAt ?? 'never'],
        ]);
      }
    });

  withServerOptions(keys.command('revoke'))
    .description('revoke an API key at once')
    .argument('<id>', 'the key id (key_…)')
    .option('--json', 'print JSON')
    .action(async (id: string, _options: object, command: Command) => {
      const options = command.optsWithGlobals<ServerOptions & { json?: boolean }>();
      const client = ApiClient.fromOptions(options, io.env);
      await client.request<null>('DELETE', `/api/v1/auth/api-key/${encodeURIComponent(id)}`);
      io.write(options.json === true ? `${JSON.stringify({ id, revoked: true })}\n` : `revoked ${id}\n`);
    });

  return keys;
}
