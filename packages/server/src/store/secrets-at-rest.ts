// What a starting process does and says about encryption at rest: warns when values are kept in clear, runs the
// re-encryption pass in the background, and says in one line what it moved and what no configured key can open.
// Never throws and never exits: a key missing from the configuration must not become a crash loop; the deliveries
// it concerns fail as recorded attempts that name the key, and this line says how to fix it.
import type { ResealReport } from './reseal-secrets.js';
import type { SecretBox } from './secret-box.js';
import type { Store } from './store.js';

export interface SecretsAtRestLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export interface SecretsAtRestOptions {
  /** Warn at start when there is no key (a server in production); quiet in development and embedded tests. */
  warnWhenClear: boolean;
  signal?: AbortSignal;
}

/** Resolves with the pass's report, or null when the pass could not run (the database failed; logged). */
export async function secretsAtRest(
  store: Store,
  box: SecretBox,
  logger: SecretsAtRestLogger,
  options: SecretsAtRestOptions,
): Promise<ResealReport | null> {
  if (!box.encrypts && options.warnWhenClear) {
    logger.warn(
      {},
      'HOOKLINE_ENCRYPTION_KEY is not set: endpoint secrets and custom header values are stored in clear in the database (docs/guides/operating.md, "Encryption at rest")',
    );
  }
  let report: ResealReport;
  try {
    report = await store.resealSecrets(options.signal === undefined ? {} : { signal: options.signal });
  } catch (error) {
    logger.error({ error: (error as Error).message }, 'encryption at rest: the re-encryption pass failed');
    return null;
  }
  if (report.resealed > 0) {
    logger.info(
      { resealed: report.resealed, keyId: box.currentKeyId },
      box.encrypts
        ? `encryption at rest: ${report.resealed} stored values encrypted under key ${box.currentKeyId}`
        : `encryption at rest: ${report.resealed} stored values written back in clear (no HOOKLINE_ENCRYPTION_KEY)`,
    );
  }
  if (report.unreadable > 0) {
    const keys = report.unknownKeyIds.length > 0 ? `key ${report.unknownKeyIds.join(', ')}` : 'no configured key';
    logger.error(
      { unreadable: report.unreadable, unknownKeyIds: report.unknownKeyIds },
      `encryption at rest: ${report.unreadable} stored secret or header values cannot be decrypted (${keys}): give the key they were written with in HOOKLINE_ENCRYPTION_OLD_KEYS (or HOOKLINE_ENCRYPTION_KEY) and restart; until then their endpoints' deliveries fail and are recorded as failed attempts`,
    );
  }
  return report;
}
