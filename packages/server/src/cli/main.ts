#!/usr/bin/env node
// The `hookline` command: `serve` and `migrate` run the service; the rest talk to a running server by URL and token.
import { Command } from 'commander';
import { ConfigError, type ConfigFlags, loadConfig } from '../config.js';
import { ApiRequestError, CliUsageError } from './api-client.js';
import { CliError } from './cli-error.js';
import { appsCommand } from './commands/apps.js';
import { endpointsCommand } from './commands/endpoints.js';
import { listenCommand } from './commands/listen.js';
import { migrateCommand } from './commands/migrate.js';
import { operationalWebhooksCommand } from './commands/operational-webhooks.js';
import { pruneCommand } from './commands/prune.js';
import { replayCommand } from './commands/replay.js';
import { sendCommand } from './commands/send.js';
import { tailCommand } from './commands/tail.js';
import { keysCommand } from './keys.js';
import { quickStartText } from './quick-start.js';

const program = new Command('hookline')
  .description('Hookline: webhooks for TypeScript in both directions')
  .option('--url <url>', 'the Hookline server (env HOOKLINE_URL, default http://127.0.0.1:8080)')
  .option('--token <token>', 'the admin token or an API key (env HOOKLINE_TOKEN; prefer the env: flags show in ps)')
  .option('--json', 'print JSON for scripts')
  .showHelpAfterError();

interface ServeOptions {
  port?: string;
  host?: string;
  database?: string;
  role?: string;
  allowPrivateNetworks?: boolean;
  unknownEventTypes?: string;
  config?: string;
  dev?: boolean;
}

/** Only this machine can reach a server bound here. */
function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\./.test(host);
}

program
  .command('serve')
  .description('run the Hookline service: the API, the dashboard, metrics and the delivery engine')
  .option('--port <port>', 'port to listen on (env PORT, default 8080)')
  .option('--host <host>', 'address to bind (env HOST, default 127.0.0.1)')
  .option(
    '--database <path|url>',
    'SQLite database file, or postgres://… for many processes (env HOOKLINE_DATABASE, default ./data/hookline.db)',
  )
  .option(
    '--role <role>',
    'api (HTTP API only), worker (delivery engine only), or all (env HOOKLINE_ROLE, default all; api and worker need PostgreSQL)',
  )
  .option(
    '--allow-private-networks',
    'deliver to loopback and private addresses too: local development and tests only (env HOOKLINE_ALLOW_PRIVATE_NETWORKS)',
  )
  .option(
    '--unknown-event-types <accept|reject>',
    'publishing an event type that was never created: accept it (default) or answer 422 (env HOOKLINE_UNKNOWN_EVENT_TYPES)',
  )
  .option('--config <file>', 'a JSON config file (env HOOKLINE_CONFIG)')
  .option(
    '--dev',
    'development mode (npm start uses it): deliver to loopback and private addresses, and a test receiver at /dev/receiver/<app> (env HOOKLINE_DEV)',
  )
  .addHelpText(
    'after',
    '\nThe admin token comes from HOOKLINE_ADMIN_TOKEN; without it, one is generated on first start and printed once.',
  )
  .action(async (options: ServeOptions) => {
    const flags: ConfigFlags = {};
    if (options.port !== undefined) flags.port = Number(options.port);
    if (options.host !== undefined) flags.host = options.host;
    if (options.database !== undefined) flags.database = options.database;
    if (options.role !== undefined) flags.role = options.role;
    if (options.allowPrivateNetworks === true) flags.allowPrivateNetworks = true;
    if (options.unknownEventTypes !== undefined) {
      flags.unknownEventTypes = options.unknownEventTypes as NonNullable<ConfigFlags['unknownEventTypes']>;
    }
    if (options.config !== undefined) flags.config = options.config;
    if (options.dev === true) flags.dev = true;
    const config = loadConfig({ env: process.env, flags });
    // Loaded here, not at the top: the other commands talk to a server and need none of the service's modules.
    const { serve } = await import('./serve.js');
    const server = await serve(config);
    let stopping = false;
    const stop = () => {
      if (stopping) return;
      stopping = true;
      server.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    };
    // Before the banner: whoever reads "listening" (a supervisor, a test) may signal at once, and a SIGTERM that
    // came before the handler took the default action, an exit by signal instead of a clean close.
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    if (config.role !== 'worker') {
      process.stdout.write(
        quickStartText({
          url: server.url,
          generatedToken: server.generatedAdminToken,
          tokenFromEnv: config.adminToken !== null,
          dev: config.dev,
          exposed: !isLoopbackHost(config.host),
        }),
      );
    }
  });

migrateCommand(program);
pruneCommand(program);
appsCommand(program);
endpointsCommand(program);
operationalWebhooksCommand(program);
sendCommand(program);
tailCommand(program);
listenCommand(program);
replayCommand(program);
program.addCommand(keysCommand({ env: process.env, write: (text) => process.stdout.write(text) }));

program.parseAsync(process.argv).catch((error: unknown) => {
  const json = program.opts<{ json?: boolean }>().json === true;
  if (error instanceof CliError || error instanceof ConfigError) {
    const code = error instanceof CliError ? error.code : error.code;
    const hint = error instanceof CliError ? error.hint : null;
    if (json) process.stderr.write(`${JSON.stringify({ code, detail: error.message, hint })}\n`);
    else process.stderr.write(`hookline: ${error.message}\n${hint === null ? '' : `  hint: ${hint}\n`}`);
    process.exit(error instanceof CliError ? error.exitCode : 2);
  }
  if (error instanceof CliUsageError) {
    console.error(`hookline: ${error.message}`);
    process.exit(2);
  }
  if (error instanceof ApiRequestError) {
    console.error(`hookline: ${error.message}`);
    process.exit(1);
  }
  console.error(error);
  process.exit(1);
});
