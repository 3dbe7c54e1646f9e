// The bench's check on the publish path's promise: every 202 answered is a stored message, and nothing is stored
// that was refused. A request the client gave up on (timed out, or cut off at the end of a round) may or may not be
// stored: its answer never came, so either is correct. Until 2026-12-05 the check compared counts (stored against
// answered, plus the connections' worth cut off at the end) and aborted the bench under load, when requests a
// client had given up on, in this round or the last, were committed late. Each request now carries a tag of its
// own in its payload, so the check is per request, and it can still catch a real loss.

export interface PublishOutcomes {
  /** Tags of the requests answered 202. */
  accepted: ReadonlySet<string>;
  /** Tags of the requests answered with anything else. */
  refused: ReadonlySet<string>;
  /** Tags of every request built, answered or not. */
  sent: ReadonlySet<string>;
}

/**
 * What is wrong, one line per kind of fault (empty: nothing). `stored` is the tag of every message stored since the
 * phase began that carries one of this phase's tags, once per stored message.
 */
export function storedCheckProblems(outcomes: PublishOutcomes, stored: readonly string[]): string[] {
  const seen = new Map<string, number>();
  for (const tag of stored) seen.set(tag, (seen.get(tag) ?? 0) + 1);
  const lost = [...outcomes.accepted].filter((tag) => !seen.has(tag));
  const refusedButStored = [...outcomes.refused].filter((tag) => seen.has(tag));
  const neverSent = [...seen.keys()].filter((tag) => !outcomes.sent.has(tag));
  // The load generator never sends a request twice, and a publish without an Idempotency-Key stores what it is sent.
  const twice = [...seen].filter(([, times]) => times > 1).map(([tag]) => tag);
  const problems: string[] = [];
  const list = (tags: string[]) => `${tags.length} (${tags.slice(0, 3).join(', ')}${tags.length > 3 ? ', …' : ''})`;
  if (lost.length > 0) problems.push(`answered 202 but not stored: ${list(lost)}`);
  if (refusedButStored.length > 0) problems.push(`refused but stored: ${list(refusedButStored)}`);
  if (neverSent.length > 0) problems.push(`stored but never sent: ${list(neverSent)}`);
  if (twice.length > 0) problems.push(`stored more than once: ${list(twice)}`);
  return problems;
}
