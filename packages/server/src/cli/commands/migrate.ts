// `hookline migrate`: apply the store's migrations and exit (run it before starting new versions of the service).
import type { Command } from 'commander';
import { loadConfig } from '../../config.js';
import { SqliteStore } from '../../store/sqlite/sqlite-store.js';
import { printOne, stdoutOutput } from '../output.js';
import type { GlobalFlags } from './shared.js';

export function migrateCommand(program: Command): void {
  program
    .command('migrate')
    .description('apply the database migrations and exit')
    .option('--database <path>', 'SQLite database file (env HOOKLINE_DATABASE, default ./data/hookline.db)')
    .action(async (options: { database?: string }, command: Command) => {
      const out = stdoutOutput(command.optsWithGlobals<GlobalFlags>().json === true);
      const config = loadConfig({
        env: process.env,
        flags: options.database === undefined ? {} : { database: options.database },
      });
      const store = new SqliteStore({ path: config.database });
      try {
        await store.migrate();
      } finally {
        await store.close();
      }
      printOne(out, { database: config.database, migrated: true }, `migrations applied to ${config.database}`);
    });
}
