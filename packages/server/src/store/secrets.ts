// Which of an endpoint's secrets sign at a given time: the current one and rotated-out ones whose grace has not
// ended, newest first. One rule for both stores' activeSecrets and for the secrets a claim hands the engine.
import type { EndpointSecret } from './types.js';

/** A stored secret, as both stores keep it (newest first when read). */
export interface SecretRow {
  secret: string;
  expires_at: number | null;
}

/**
 * `open` turns a stored secret into the secret (secret-box.ts: decrypted when sealed); null leaves it out (a claim
 * that could not read it reports that as the delivery's problem).
 */
export function activeSecretsAt(
  rows: readonly SecretRow[],
  now: number,
  open: (stored: string) => string | null,
): EndpointSecret[] {
  const active: EndpointSecret[] = [];
  for (const row of rows) {
    if (row.expires_at !== null && row.expires_at <= now) continue;
    const secret = open(row.secret);
    if (secret !== null) active.push({ secret, expiresAt: row.expires_at });
  }
  return active;
}
