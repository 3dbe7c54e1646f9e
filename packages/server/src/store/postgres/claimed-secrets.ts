// Each endpoint's secrets as the last claim read them: the claim brings them along, so signing the sends that
// follow needs no second read. Kept briefly (this process's clock), so a rotation made in another process is seen
// by the next claims.

export interface SecretRow {
  secret: string;
  expires_at: number | null;
}

/** Long enough for the send that follows a claim, short enough that another process's rotation is soon seen. */
const CLAIMED_SECRETS_TTL_MS = 2000;
const CLAIMED_SECRETS_MAX = 10_000;

export class ClaimedSecrets {
  private readonly byEndpoint = new Map<string, { rows: SecretRow[]; readAt: number }>();

  remember(endpointId: string, rows: SecretRow[], readAt: number): void {
    if (this.byEndpoint.size >= CLAIMED_SECRETS_MAX && !this.byEndpoint.has(endpointId)) this.byEndpoint.clear();
    this.byEndpoint.set(endpointId, { rows, readAt });
  }

  /** The rows a claim brought, if it was recent enough; otherwise undefined (read the database). */
  recent(endpointId: string, now: number): SecretRow[] | undefined {
    const claimed = this.byEndpoint.get(endpointId);
    return claimed !== undefined && now - claimed.readAt <= CLAIMED_SECRETS_TTL_MS ? claimed.rows : undefined;
  }

  forget(endpointId: string): void {
    this.byEndpoint.delete(endpointId);
  }

  forgetAll(): void {
    this.byEndpoint.clear();
  }
}
