// `hookline migrate`: apply the store's migrations and exit (run it before starting new versions of the service).
// SQLite file or PostgreSQL URL, exactly as `hookline serve` reads --database.
import type { Command } from 'commander';
import { loadConfig } from '../../config.js';
import type { ResealReport } from '../../store/reseal-secrets.js';
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
      // Encryption at rest's migration of existing rows, which `serve` also runs in the background at start.
      let report: ResealReport;
      try {
        report = await store.resealSecrets();
      } finally {
        await store.close();
      }
      const where = describeDatabase(config.database);
      // Values no configured key opens are reported, not fatal: a failing migrate before every start would keep the
      // service down, when only those endpoints' deliveries need the missing key.
      const unreadable =
        report.unreadable === 0
          ? ''
          : `; ${report.unreadable} stored values cannot be decrypted (key ${report.unknownKeyIds.join(', ') || 'unknown'}): give that key in HOOKLINE_ENCRYPTION_OLD_KEYS`;
      printOne(
        out,
        { database: where, migrated: true, resealed: report.resealed, unreadable: report.unreadable },
        `migrations applied to ${where}; ${report.resealed} stored secret and header values rewritten under the configured keys${unreadable}`,
      );
    });
}
