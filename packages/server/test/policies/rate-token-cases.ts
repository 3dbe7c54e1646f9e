// The rate limit (an endpoint's throttleRate, sends per second) as one table of cases: claims at moments, how many
// sends each wanted, and how many the tokens allowed. Both forms pass it: the in-process gates
// (engine/token-bucket.ts through engine/endpoint-gate.ts) and the PostgreSQL claim function's token arithmetic.

export interface RateTokenCase {
  name: string;
  ratePerSecond: number;
  /** In order; `at` in ms after the case starts. */
  claims: ReadonlyArray<{ at: number; want: number; granted: number }>;
}

export const RATE_TOKEN_CASES: readonly RateTokenCase[] = [
  {
    name: 'a fresh bucket holds a second of tokens',
    ratePerSecond: 10,
    claims: [{ at: 0, want: 20, granted: 10 }],
  },
  {
    name: 'a bucket holds at least one token, and refills one per 1/rate seconds',
    ratePerSecond: 1,
    claims: [
      { at: 0, want: 5, granted: 1 },
      { at: 500, want: 1, granted: 0 },
      { at: 1000, want: 3, granted: 1 },
    ],
  },
  {
    name: 'a refill is carried over in fractions until they make a whole token',
    ratePerSecond: 10,
    claims: [
      { at: 0, want: 10, granted: 10 },
      { at: 100, want: 5, granted: 1 },
      { at: 550, want: 10, granted: 4 },
      { at: 600, want: 10, granted: 1 },
    ],
  },
  {
    name: 'a long wait refills no more than the bucket holds',
    ratePerSecond: 2,
    claims: [
      { at: 0, want: 2, granted: 2 },
      { at: 60_000, want: 5, granted: 2 },
    ],
  },
  {
    name: 'a claim that gets nothing spends nothing',
    ratePerSecond: 4,
    claims: [
      { at: 0, want: 4, granted: 4 },
      { at: 100, want: 1, granted: 0 },
      { at: 200, want: 1, granted: 0 },
      { at: 250, want: 2, granted: 1 },
    ],
  },
];
