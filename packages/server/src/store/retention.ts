// The retention part of the Store (issue 14 section 2): what the pruner (retention/pruner.ts) asks of either dialect.
// Each call is one short batch, its own transaction (on SQLite one write of the group commit), so publishes
// interleave with a long prune. Messages are walked by primary key: ids are time-ordered (ids.ts), so "created
// before" is a key range and no index is added to the publish path.

export interface PruneBatch {
  /** Walk messages created before this time (epoch ms), in id order. */
  before: number;
  /** Start after this message id (the previous batch's `lastId`); null: from the oldest. */
  afterId: string | null;
  /** Look at no more than this many messages. */
  limit: number;
}

export interface PruneResult {
  /** Messages looked at; fewer than the limit means the walk reached `before`. */
  examined: number;
  /** Of those, how many were pruned (payload removed, or deleted with their deliveries and attempts). */
  pruned: number;
  /** The last message id looked at, where the next batch starts; null when none was. */
  lastId: string | null;
}

export interface RetentionStore {
  /**
   * Removes the payload of the batch's messages that no longer need it: its row stays (it lists, with its
   * deliveries and attempts), `payload` becomes '' and `payloadPrunedAt` says when. A message any of whose
   * deliveries may still be sent (pending, sending, parked) or is the head of an ordered line (a held key waiting
   * for its replay) keeps it.
   */
  prunePayloads(batch: PruneBatch, now: number): Promise<PruneResult>;
  /**
   * Deletes the batch's messages that no longer need to be kept, with their deliveries and attempts (dead ones
   * included): the same messages are kept as by prunePayloads.
   */
  pruneHistory(batch: PruneBatch): Promise<PruneResult>;
  /**
   * Deletes up to `limit` rows of each log created before `before`: operational events, and inbound requests
   * (refused ones, and accepted ones whose message is gone; an accepted request not relayed yet, or whose message
   * is still kept, stays). Returns how many rows went.
   */
  pruneLogs(before: number, limit: number): Promise<number>;
}

/**
 * Whether the message `messages.id` must be kept whole: a delivery of it may still be sent, or holds an ordered line
 * (the head of its line, whatever its status: deleting it would release the key, and a dead held head waits for its
 * replay). The same SQL in both dialects: the deliveries of a message through UNIQUE (message_id, endpoint_id), the
 * line through its primary key.
 */
export const MESSAGE_STILL_NEEDED = `EXISTS (
  SELECT 1 FROM deliveries d
   WHERE d.message_id = messages.id
     AND (d.status IN ('pending', 'sending', 'paused')
          OR (d.ordering_key IS NOT NULL AND EXISTS (
                SELECT 1 FROM ordering_lines l
                 WHERE l.endpoint_id = d.endpoint_id AND l.ordering_key = d.ordering_key AND l.head_id = d.id))))`;

/**
 * Whether the inbound request `inbound_requests` must be kept: accepted and not relayed yet (the relay's sweep will
 * publish it), or its message is still there (a relayed delivery reads the provider's headers from it).
 */
export const INBOUND_STILL_NEEDED = `(inbound_requests.outcome = 'accepted' AND (inbound_requests.message_id IS NULL
  OR EXISTS (SELECT 1 FROM messages WHERE messages.id = inbound_requests.message_id)))`;
