// `hookline migrate`: apply the store's migrations and exit (run it before starting new versions of the service).
// SQLite file or PostgreSQL URL, exactly as `hookline serve` reads --database.
import type { Command } from 'commander';
import { loadConfig } from '../../config.js';
import { describeDatabase } from '../open-store.js';
import { printOne, stdoutOutput } from '../output.js';
import { openMigratedStore } from '../serve.js';
import type { GlobalFlags } from './shared.js';

export function migrateCommand(program: Command): void {
  program
    .command('migrate')
    .description('apply the database migrations and exit')
    .option(
      '--database <path|url>',
      'SQLite database file, or postgres://… (env HOOKLINE_DATABASE, default ./data/hookline.db)',
    )
    .action(async (options: { database?: string }, command: Command) => {
      const out = stdoutOutput(command.optsWithGlobals<GlobalFlags>().json === true);
      const config = loadConfig({
        env: process.env,
        flags: options.database === undefined ? {} : { database: options.database },
      });
      const store = await openMigratedStore(config);
      await store.close();
      const where = describeDatabase(config.database);
      printOne(out, { database: where, migrated: true }, `migrations applied to ${where}`);
    });
}
