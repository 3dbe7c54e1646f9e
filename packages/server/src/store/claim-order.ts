// Which of a claim's candidates it takes: each endpoint's earliest, up to what its gate allows, then one delivery
// of each application in turn (earliest first within each), so one tenant's fan-out or backlog cannot starve
// another's. SQLite runs it here; PostgreSQL runs the same rule in the claim function (step 5 of
// postgres/migrations/0012-claim-function-bounded-and-fair.sql). Both pass test/policies/claim-order-cases.ts.

export interface ClaimCandidate {
  id: string;
  endpointId: string;
  appId: string;
  nextAttemptAt: number;
}

/** Earliest first; ids break ties (byte order, as PostgreSQL's "C" collation). */
function earliestFirst(a: ClaimCandidate, b: ClaimCandidate): number {
  if (a.nextAttemptAt !== b.nextAttemptAt) return a.nextAttemptAt - b.nextAttemptAt;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** The ids to claim, at most `limit`; `allowance` is how many more of an endpoint's deliveries may be sent now. */
export function takeInTurn(
  candidates: readonly ClaimCandidate[],
  allowance: (endpointId: string) => number,
  limit: number,
): string[] {
  const ordered = [...candidates].sort(earliestFirst);
  const takenOfEndpoint = new Map<string, number>();
  const turnOfApp = new Map<string, number>();
  const eligible: Array<{ candidate: ClaimCandidate; turn: number }> = [];
  for (const candidate of ordered) {
    const taken = takenOfEndpoint.get(candidate.endpointId) ?? 0;
    if (taken >= allowance(candidate.endpointId)) continue;
    takenOfEndpoint.set(candidate.endpointId, taken + 1);
    const turn = (turnOfApp.get(candidate.appId) ?? 0) + 1;
    turnOfApp.set(candidate.appId, turn);
    eligible.push({ candidate, turn });
  }
  eligible.sort((a, b) => a.turn - b.turn || earliestFirst(a.candidate, b.candidate));
  return eligible.slice(0, limit).map(({ candidate }) => candidate.id);
}
