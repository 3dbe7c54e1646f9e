import { expect, it } from 'vitest';
import { DAY_MS, retentionCutoffs } from './retention-cutoffs.js';

const NOW = Date.UTC(2030, 5, 1);

it('a message loses its payload after payloadDays and goes whole after historyDays', () => {
  expect(retentionCutoffs(NOW, { payloadDays: 30, historyDays: 90 })).toEqual({
    payloadsBefore: NOW - 30 * DAY_MS,
    historyBefore: NOW - 90 * DAY_MS,
  });
});

it('0 days keeps for ever', () => {
  expect(retentionCutoffs(NOW, { payloadDays: 0, historyDays: 90 })).toEqual({
    payloadsBefore: null,
    historyBefore: NOW - 90 * DAY_MS,
  });
  expect(retentionCutoffs(NOW, { payloadDays: 0, historyDays: 0 })).toEqual({
    payloadsBefore: null,
    historyBefore: null,
  });
});
