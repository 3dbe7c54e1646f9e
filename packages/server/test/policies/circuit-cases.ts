// The circuit breaker's rule as one table of cases: the sends an endpoint's gate let through, what each told the
// circuit, and what the circuit is at a later moment. Both forms pass it: engine/circuit-breaker.ts (in process)
// and the SQL the PostgreSQL store records attempts and claims with (postgres/gates.ts, the claim function).
import type { CircuitOptions, CircuitSignal, CircuitState } from '../../src/store/gates.js';

export const CIRCUIT_CASE_OPTIONS: CircuitOptions = { failureThreshold: 3, openMs: 1000, maxOpenMs: 4000 };

export interface CircuitCase {
  name: string;
  /** Sends in order, each let through by the gate at `at` (ms after the case starts), ending with `signal`. */
  sends: ReadonlyArray<{ at: number; signal: CircuitSignal }>;
  readAt: number;
  /** The circuit at readAt; openUntil only while it is open. */
  expected: { state: CircuitState; openUntil: number | null };
}

const fail = (at: number, times = 1) => Array.from({ length: times }, () => ({ at, signal: 'failure' as const }));
const succeed = (at: number) => [{ at, signal: 'success' as const }];
const neutral = (at: number) => [{ at, signal: 'neutral' as const }];

export const CIRCUIT_CASES: readonly CircuitCase[] = [
  { name: 'nothing heard: closed', sends: [], readAt: 0, expected: { state: 'closed', openUntil: null } },
  {
    name: 'fewer failures in a row than the threshold: closed',
    sends: fail(0, 2),
    readAt: 0,
    expected: { state: 'closed', openUntil: null },
  },
  {
    name: 'the threshold of failures in a row opens it for openMs',
    sends: fail(0, 3),
    readAt: 0,
    expected: { state: 'open', openUntil: 1000 },
  },
  {
    name: 'a success in between starts the count again',
    sends: [...fail(0, 2), ...succeed(10), ...fail(20, 2)],
    readAt: 20,
    expected: { state: 'closed', openUntil: null },
  },
  {
    name: 'a neutral answer neither counts nor resets',
    sends: [...fail(0, 2), ...neutral(10), ...fail(20)],
    readAt: 20,
    expected: { state: 'open', openUntil: 1020 },
  },
  {
    name: 'still open a moment before openMs has passed',
    sends: fail(0, 3),
    readAt: 999,
    expected: { state: 'open', openUntil: 1000 },
  },
  {
    name: 'once openMs has passed: half-open (one probe may go)',
    sends: fail(0, 3),
    readAt: 1000,
    expected: { state: 'half-open', openUntil: null },
  },
  {
    name: 'a probe that succeeds closes it',
    sends: [...fail(0, 3), ...succeed(1000)],
    readAt: 1000,
    expected: { state: 'closed', openUntil: null },
  },
  {
    name: 'a probe that fails opens it again for twice as long',
    sends: [...fail(0, 3), ...fail(1000)],
    readAt: 1000,
    expected: { state: 'open', openUntil: 3000 },
  },
  {
    name: 'each failed probe doubles the open time, up to maxOpenMs',
    sends: [...fail(0, 3), ...fail(1000), ...fail(3000), ...fail(7000)],
    readAt: 7000,
    expected: { state: 'open', openUntil: 11_000 },
  },
  {
    name: 'after a good probe the next opening is openMs again',
    sends: [...fail(0, 3), ...fail(1000), ...succeed(3000), ...fail(3010, 3)],
    readAt: 3010,
    expected: { state: 'open', openUntil: 4010 },
  },
  {
    name: 'a neutral probe leaves it half-open',
    sends: [...fail(0, 3), ...neutral(1000)],
    readAt: 1000,
    expected: { state: 'half-open', openUntil: null },
  },
];
