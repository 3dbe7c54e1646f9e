// The claim's order (which due deliveries a batch takes) as one table of cases. Both forms pass it: store/
// claim-order.ts (takeInTurn, used by the SQLite store) and the PostgreSQL claim function (step 5 of
// postgres/migrations/0012-claim-function-bounded-and-fair.sql).

export interface ClaimOrderCase {
  name: string;
  /** Application label → its endpoint labels, created in this order. */
  apps: Record<string, string[]>;
  /** In this order; `to` is an endpoint label (that endpoint only) or an application label (all its endpoints). */
  publishes: Array<{ at: number; to: string }>;
  claimAt: number;
  limit: number;
  perEndpointLimit: number;
  /** Endpoint label → at most this many more now (an in-process gate's cap). */
  caps?: Record<string, number>;
  /** The endpoint label of each delivery taken, sorted. */
  taken: string[];
}

export const CLAIM_ORDER_CASES: readonly ClaimOrderCase[] = [
  {
    name: "a fan-out does not hold up another application's message: one of each in turn",
    apps: { A: ['a1', 'a2', 'a3', 'a4'], B: ['b1'] },
    publishes: [
      { at: 0, to: 'A' },
      { at: 10, to: 'b1' },
    ],
    claimAt: 20,
    limit: 2,
    perEndpointLimit: 16,
    taken: ['a1', 'b1'],
  },
  {
    name: 'turns alternate between applications, the earliest first within each',
    apps: { A: ['a1', 'a2'], B: ['b1', 'b2'] },
    publishes: [
      { at: 0, to: 'a1' },
      { at: 5, to: 'a2' },
      { at: 10, to: 'b1' },
      { at: 20, to: 'b2' },
    ],
    claimAt: 30,
    limit: 3,
    perEndpointLimit: 16,
    taken: ['a1', 'a2', 'b1'],
  },
  {
    name: "the per-endpoint limit passes the application's turn to its next endpoint",
    apps: { A: ['a1', 'a2'], B: ['b1'] },
    publishes: [
      { at: 0, to: 'a1' },
      { at: 1, to: 'a1' },
      { at: 2, to: 'a1' },
      { at: 5, to: 'a2' },
      { at: 10, to: 'b1' },
      { at: 11, to: 'b1' },
    ],
    claimAt: 20,
    limit: 10,
    perEndpointLimit: 1,
    taken: ['a1', 'a2', 'b1'],
  },
  {
    name: 'an endpoint with no allowance does not use up its application turn',
    apps: { A: ['a1', 'a2'], B: ['b1'] },
    publishes: [
      { at: 0, to: 'a1' },
      { at: 1, to: 'a1' },
      { at: 2, to: 'a2' },
      { at: 3, to: 'b1' },
    ],
    claimAt: 10,
    limit: 2,
    perEndpointLimit: 16,
    caps: { a1: 0 },
    taken: ['a2', 'b1'],
  },
  {
    name: 'a lone application takes the whole batch',
    apps: { A: ['a1', 'a2'] },
    publishes: [
      { at: 0, to: 'A' },
      { at: 1, to: 'A' },
      { at: 2, to: 'A' },
    ],
    claimAt: 10,
    limit: 4,
    perEndpointLimit: 16,
    taken: ['a1', 'a1', 'a2', 'a2'],
  },
  {
    name: 'work due later is not taken, however early its application comes',
    apps: { A: ['a1'], B: ['b1'] },
    publishes: [
      { at: 0, to: 'b1' },
      { at: 100, to: 'a1' },
    ],
    claimAt: 50,
    limit: 5,
    perEndpointLimit: 16,
    taken: ['b1'],
  },
];

/** The endpoints a publish goes to, in creation order. */
export function publishTargets(orderCase: ClaimOrderCase, to: string): string[] {
  return orderCase.apps[to] ?? [to];
}

/** The application an endpoint label belongs to. */
export function appOf(orderCase: ClaimOrderCase, endpoint: string): string {
  const found = Object.entries(orderCase.apps).find(([, endpoints]) => endpoints.includes(endpoint));
  if (found === undefined) throw new Error(`no application has endpoint ${endpoint}`);
  return found[0];
}
