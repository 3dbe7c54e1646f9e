// A claim's rows as the engine takes them: each delivery with its message, its endpoint and the endpoint's active
// secrets, for both stores (rows.ts maps each table; this puts one claim's together).
import {
  type DeliveryRow,
  type EndpointRow,
  endpointFrom,
  type JsonReader,
  type MessageRow,
  messageFrom,
  parseJson,
  type SealedReader,
  toDelivery,
} from './rows.js';
import { type SecretBox, StoredSecretUnreadableError, sealContext } from './secret-box.js';
import { activeSecretsAt, type SecretRow } from './secrets.js';
import type { ClaimedDelivery, Endpoint } from './types.js';

// Readers that note a value that cannot be read in `problems` and read it as null, instead of throwing.
const lenientJson =
  (table: string, problems: string[]): JsonReader =>
  <T>(text: string | null | undefined, column?: string): T | null => {
    try {
      return parseJson<T>(text);
    } catch {
      problems.push(`${table}.${column ?? '?'} is not valid JSON`);
      return null;
    }
  };

const lenientSealed =
  (box: SecretBox, problems: string[]): SealedReader =>
  (stored, context) => {
    try {
      return box.open(stored, context);
    } catch (error) {
      if (!(error instanceof StoredSecretUnreadableError)) throw error;
      problems.push(error.message);
      return null;
    }
  };

/** An endpoint as its claimed deliveries carry it: mapped once per claim, shared by all of them. */
interface ClaimedEndpoint {
  endpoint: Endpoint;
  secrets: ClaimedDelivery['secrets'];
  problems: readonly string[];
}

/**
 * Maps one claim's rows to claimed deliveries, without throwing. A stored value that cannot be read (a JSON column
 * written by hand, an old bug) must not fail the whole claim, which would stop every delivery behind it: the column
 * is read as empty and the delivery carries the problem, which the engine records as a failed attempt. Each
 * distinct endpoint is mapped once (its JSON columns, sealed values and active secrets) and shared by its
 * deliveries: a claim takes up to 64 deliveries of one endpoint, and mapping it for each was ~6 JSON parses and a
 * 27-field object per delivery (issue 12).
 */
export class ClaimedDeliveries {
  private readonly endpoints = new Map<string, ClaimedEndpoint>();

  constructor(
    private readonly now: number,
    private readonly box: SecretBox,
  ) {}

  /** `secretRows` is asked for only the first time an endpoint is seen in this claim. */
  map(
    delivery: DeliveryRow,
    message: MessageRow,
    endpoint: EndpointRow,
    secretRows: (endpointId: string) => readonly SecretRow[],
  ): ClaimedDelivery {
    const problems: string[] = [];
    const mappedMessage = messageFrom(message, lenientJson('messages', problems));
    const claimedEndpoint = this.endpointOf(endpoint, secretRows);
    problems.push(...claimedEndpoint.problems);
    const claimed: ClaimedDelivery = {
      delivery: toDelivery(delivery),
      message: mappedMessage,
      endpoint: claimedEndpoint.endpoint,
      trigger: delivery.manual === 1 ? 'manual' : 'scheduled',
      secrets: claimedEndpoint.secrets,
    };
    if (problems.length > 0) claimed.problem = `stored values cannot be read: ${problems.join('; ')}`;
    // Replays of a pruned message are refused (operations/replay.ts, and the requeue's own condition); one that
    // raced the pruner is failed here with its reason rather than sent with an empty body.
    if (message.payload_pruned_at !== null && message.payload_pruned_at !== undefined) {
      claimed.problem = 'the message payload was removed by retention (payload_expired): nothing to send';
    }
    return claimed;
  }

  private endpointOf(row: EndpointRow, secretRows: (endpointId: string) => readonly SecretRow[]): ClaimedEndpoint {
    const known = this.endpoints.get(row.id);
    if (known !== undefined) return known;
    const problems: string[] = [];
    const readSealed = lenientSealed(this.box, problems);
    const endpoint = endpointFrom(row, lenientJson('endpoints', problems), readSealed);
    // The secrets that sign at the claim's time: an unreadable one is a problem of the delivery, not of the claim.
    const secrets = activeSecretsAt(secretRows(row.id), this.now, (stored) =>
      readSealed(stored, sealContext('endpoint_secrets.secret', row.id)),
    );
    const claimed = { endpoint, secrets, problems };
    this.endpoints.set(row.id, claimed);
    return claimed;
  }
}
