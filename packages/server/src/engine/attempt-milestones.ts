// Which of Svix's message.attempt.* operational events an attempt is (pure: the engine passes what it recorded).
// Svix sends `failing` on a delivery's fourth failed attempt, `exhausted` when its last retry failed (the delivery
// is dead), and `recovered` on a success after a failure that was already announced (failing or exhausted).

/** The attempt whose failure announces that a delivery is failing: Svix's fourth. */
export const FAILING_AT_ATTEMPT = 4;

export type AttemptMilestone = 'message.attempt.failing' | 'message.attempt.exhausted' | 'message.attempt.recovered';

export interface RecordedAttemptFacts {
  succeeded: boolean;
  /** The delivery is dead after this attempt (no retry left). */
  dead: boolean;
  /** Attempts of the delivery before this one. */
  previousAttempts: number;
  /** The delivery's last attempt before this one failed (its last error is set). */
  previousFailed: boolean;
}

/**
 * At most one event per attempt. A fourth failure that is also the last says `exhausted` (the stronger news), not
 * both. A success is `recovered` when the failure before it had reached the fourth attempt: the operator heard
 * `failing` (or `exhausted`) and now hears the end of it; a success after fewer failures was never announced.
 */
export function attemptMilestone(facts: RecordedAttemptFacts): AttemptMilestone | null {
  const attemptNumber = facts.previousAttempts + 1;
  if (facts.succeeded) {
    return facts.previousFailed && facts.previousAttempts >= FAILING_AT_ATTEMPT ? 'message.attempt.recovered' : null;
  }
  if (facts.dead) return 'message.attempt.exhausted';
  return attemptNumber === FAILING_AT_ATTEMPT ? 'message.attempt.failing' : null;
}
