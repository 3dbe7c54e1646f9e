// Which of an endpoint's secrets sign at a given time: the current one and rotated-out ones whose grace has not
// ended, newest first. One rule for both stores' activeSecrets and for the secrets a claim hands the engine.
import type { EndpointSecret } from './types.js';

/** A stored secret, as both stores keep it (newest first when read). */
export interface SecretRow {
  secret: string;
  expires_at: number | null;
}

export function activeSecretsAt(rows: readonly SecretRow[], now: number): EndpointSecret[] {
  const active: EndpointSecret[] = [];
  for (const row of rows) {
    if (row.expires_at === null || row.expires_at > now) active.push({ secret: row.secret, expiresAt: row.expires_at });
  }
  return active;
}
