// The ordering part of the Store: what an operator sees of ordered endpoints' lines (one per endpoint and ordering
// key). How lines move on is each dialect's: sqlite/ordering.ts, and hookline_advance_lines in PostgreSQL's 0015.
import type { HeldKey } from './types.js';

export interface OrderingStore {
  /**
   * The keys of an endpoint that holds dead heads whose head is dead: nothing more of them is sent until the head is
   * replayed. Oldest first, at most `limit`.
   */
  listHeldKeys(appId: string, endpointId: string, limit: number): Promise<HeldKey[]>;
}

/** A held key as both stores read it. */
export interface HeldKeyRow {
  ordering_key: string;
  message_id: string;
  delivery_id: string;
  updated_at: number;
  last_error: string | null;
  last_status_code: number | null;
  waiting: number;
}

export function toHeldKey(row: HeldKeyRow): HeldKey {
  return {
    orderingKey: row.ordering_key,
    messageId: row.message_id,
    deliveryId: row.delivery_id,
    since: Number(row.updated_at),
    lastError: row.last_error,
    lastStatusCode: row.last_status_code,
    waiting: Number(row.waiting),
  };
}
