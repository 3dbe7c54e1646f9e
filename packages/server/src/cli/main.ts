#!/usr/bin/env node
// The `hookline` command.
import { Command } from 'commander';
import { ConfigError, loadConfig } from '../config.js';
import { serve } from './serve.js';

const program = new Command('hookline').description('Hookline: webhooks for TypeScript in both directions');

program
  .command('serve')
  .description('run the Hookline service')
  .option('--port <port>', 'port to listen on (env PORT, default 8080)')
  .option('--host <host>', 'address to bind (env HOST, default 127.0.0.1)')
  .action(async (options: { port?: string; host?: string }) => {
    const flags: { port?: number; host?: string } = {};
    if (options.port !== undefined) flags.port = Number(options.port);
    if (options.host !== undefined) flags.host = options.host;
    const config = loadConfig({ env: process.env, flags });
    const server = await serve(config);
    console.log(`hookline listening on ${server.url}`);
    console.log(`health: ${server.url}/api/v1/health/`);
    const stop = () => {
      server.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(`hookline: ${error.message}`);
    process.exit(2);
  }
  console.error(error);
  process.exit(1);
});
