// `hookline prune`: one retention pass on the database and exit, as a running worker does every
// retention.intervalMs: for a database whose worker is off, or from cron. SQLite file or PostgreSQL URL, exactly as
// `hookline serve` reads --database; the limits from the configuration (HOOKLINE_PAYLOAD_RETENTION_DAYS …).
import type { Command } from 'commander';
import { loadConfig } from '../../config.js';
import { createLogger } from '../../logger.js';
import { Pruner } from '../../retention/pruner.js';
import { describeDatabase } from '../open-store.js';
import { printOne, stdoutOutput } from '../output.js';
import { openMigratedStore } from '../serve.js';
import type { GlobalFlags } from './shared.js';

const limit = (days: number) => (days === 0 ? 'no limit' : `older than ${days} days`);

export function pruneCommand(program: Command): void {
  program
    .command('prune')
    .description('remove payloads and delete history past the retention limits (one pass), and exit')
    .option(
      '--database <path|url>',
      'SQLite database file, or postgres://… (env HOOKLINE_DATABASE, default ./data/hookline.db)',
    )
    .option('--config <file>', 'a JSON configuration file (its retention settings)')
    .action(async (options: { database?: string; config?: string }, command: Command) => {
      const out = stdoutOutput(command.optsWithGlobals<GlobalFlags>().json === true);
      const config = loadConfig({
        env: process.env,
        flags: {
          ...(options.database === undefined ? {} : { database: options.database }),
          ...(options.config === undefined ? {} : { config: options.config }),
        },
      });
      const store = await openMigratedStore(config);
      const { payloadDays, historyDays } = config.retention;
      let summary: Awaited<ReturnType<Pruner['runPass']>>;
      try {
        const pruner = new Pruner({ store, now: Date.now, logger: createLogger('warn'), retention: config.retention });
        summary = await pruner.runPass();
      } finally {
        await store.close();
      }
      const where = describeDatabase(config.database);
      printOne(
        out,
        { database: where, payloadDays, historyDays, ...summary },
        `${where}: ${summary.payloads} payloads removed (${limit(payloadDays)}), ${summary.messages} messages deleted with their deliveries and attempts (${limit(historyDays)}), ${summary.logRows} log rows deleted`,
      );
    });
}
