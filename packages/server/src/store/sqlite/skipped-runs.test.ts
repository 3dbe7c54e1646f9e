import { describe, expect, it } from 'vitest';
import { type HeadRow, MAX_RUN_AGE_MS, MAX_RUNS, RECENT_MS, SkippedRuns } from './skipped-runs.js';

const NOW = 1_000_000;
const row = (rowid: number, endpointId = 'ep_hanging', dueAt = NOW - 10_000 + rowid): HeadRow => ({
  id: `dlv_${rowid}`,
  endpointId,
  dueAt,
  rowid,
});
const blocked = () => 'blocked' as const;

describe('SkippedRuns', () => {
  it('ends a run at the first row the claim could have taken but did not, and keeps its blocked endpoints', () => {
    const runs = new SkippedRuns();
    const rows = [row(1), row(2, 'ep_taken'), row(3), row(4, 'ep_open'), row(5)];
    const how = (r: HeadRow) =>
      r.endpointId === 'ep_taken' ? 'taken' : r.endpointId === 'ep_open' ? 'open' : 'blocked';
    runs.pass('app_1', rows, how, NOW, 0);
    const run = runs.of('app_1', NOW, 0);
    expect(run?.end).toEqual({ dueAt: row(3).dueAt, rowid: 3 });
    expect([...(run?.endpoints ?? [])]).toEqual(['ep_hanging']);
  });

  it('does not cover rows due in the last RECENT_MS', () => {
    const runs = new SkippedRuns();
    runs.pass('app_1', [row(1), row(2, 'ep_hanging', NOW - RECENT_MS + 1)], blocked, NOW, 0);
    expect(runs.of('app_1', NOW, 0)?.end.rowid).toBe(1);
  });

  it('forgets a run when the generation moves, when it is MAX_RUN_AGE_MS old, and when the clock goes back', () => {
    const runs = new SkippedRuns();
    runs.pass('app_1', [row(1)], blocked, NOW, 0);
    expect(runs.of('app_1', NOW + 1, 1)).toBeUndefined();
    runs.pass('app_1', [row(1)], blocked, NOW, 0);
    expect(runs.of('app_1', NOW + MAX_RUN_AGE_MS - 1, 0)).toBeDefined();
    expect(runs.of('app_1', NOW + MAX_RUN_AGE_MS, 0)).toBeUndefined();
    runs.pass('app_1', [row(1)], blocked, NOW, 0);
    expect(runs.of('app_1', NOW - 1, 0)).toBeUndefined();
  });

  it('does not grow a run whose generation moved between the read and the pass', () => {
    const runs = new SkippedRuns();
    runs.pass('app_1', [row(1)], blocked, NOW, 0);
    runs.pass('app_1', [row(2)], blocked, NOW, 1);
    expect(runs.of('app_1', NOW, 1)).toBeUndefined();
  });

  it('remembers at most MAX_RUNS applications', () => {
    const runs = new SkippedRuns();
    for (let k = 0; k <= MAX_RUNS; k++) runs.pass(`app_${k}`, [row(1)], blocked, NOW, 0);
    expect(runs.of('app_0', NOW, 0)).toBeUndefined();
    expect(runs.of(`app_${MAX_RUNS}`, NOW, 0)).toBeDefined();
  });
});
