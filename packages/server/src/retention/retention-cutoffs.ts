// How old a message is when its payload, and then its whole history, may go: a pure function of the time and the
// settings, so the pruner and its tests agree on one rule.
import type { RetentionConfig } from '../config.js';

export const DAY_MS = 86_400_000;

export interface RetentionCutoffs {
  /** Messages created before this lose their payload; null: payloads are kept as long as their history. */
  payloadsBefore: number | null;
  /** Messages created before this go whole, with their deliveries and attempts, and so do the logs; null: never. */
  historyBefore: number | null;
}

export function retentionCutoffs(
  now: number,
  settings: Pick<RetentionConfig, 'payloadDays' | 'historyDays'>,
): RetentionCutoffs {
  return {
    payloadsBefore: settings.payloadDays > 0 ? now - settings.payloadDays * DAY_MS : null,
    historyBefore: settings.historyDays > 0 ? now - settings.historyDays * DAY_MS : null,
  };
}
