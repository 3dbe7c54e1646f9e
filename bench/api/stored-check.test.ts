import { describe, expect, it } from 'vitest';
import { type PublishOutcomes, storedCheckProblems } from './stored-check.js';

function outcomes(accepted: string[], refused: string[], unanswered: string[]): PublishOutcomes {
  return {
    accepted: new Set(accepted),
    refused: new Set(refused),
    sent: new Set([...accepted, ...refused, ...unanswered]),
  };
}

describe('bench/api stored check', () => {
  it('passes when every 202 is stored, whether the requests the client gave up on were stored or not', () => {
    const run = outcomes(['p-1', 'p-2', 'p-3'], ['p-4'], ['p-5', 'p-6']);
    expect(storedCheckProblems(run, ['p-1', 'p-2', 'p-3'])).toEqual([]);
    expect(storedCheckProblems(run, ['p-3', 'p-5', 'p-1', 'p-2', 'p-6'])).toEqual([]);
  });

  it('fails when a message answered 202 is not stored (deleted after its answer)', () => {
    const run = outcomes(['p-1', 'p-2', 'p-3'], [], ['p-4']);
    expect(storedCheckProblems(run, ['p-1', 'p-3', 'p-4'])).toEqual(['answered 202 but not stored: 1 (p-2)']);
  });

  it('fails when a refused request was stored', () => {
    const run = outcomes(['p-1'], ['p-2'], []);
    expect(storedCheckProblems(run, ['p-1', 'p-2'])).toEqual(['refused but stored: 1 (p-2)']);
  });

  it('fails on a stored message nobody sent, and on one stored twice', () => {
    const run = outcomes(['p-1', 'p-2'], [], []);
    expect(storedCheckProblems(run, ['p-1', 'p-2', 'p-2', 'p-9'])).toEqual([
      'stored but never sent: 1 (p-9)',
      'stored more than once: 1 (p-2)',
    ]);
  });
});
