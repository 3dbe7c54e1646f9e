import { describe, expect, it } from 'vitest';
import type { EngineLogger } from './delivery-engine.js';
import { DeliveryLog, type FailedAttemptEvent } from './delivery-log.js';

interface Line {
  level: 'info' | 'warn' | 'error';
  message: string;
  fields: Record<string, unknown>;
}

function capture(): { logger: EngineLogger; lines: Line[] } {
  const lines: Line[] = [];
  const at =
    (level: Line['level']) =>
    (fields: object, message = '') =>
      lines.push({ level, message, fields: fields as Record<string, unknown> });
  return { logger: { info: at('info'), warn: at('warn'), error: at('error') }, lines };
}

const failure = (endpointId: string, dead = false): FailedAttemptEvent => ({
  appId: 'app_1',
  endpointId,
  deliveryId: 'dlv_1',
  url: 'https://hooks.example.com/in/tok_path_secret?token=query_secret',
  statusCode: 500,
  error: 'HTTP 500',
  dead,
});

/** Failed attempts the lines account for: one per line, plus what each line and summary says it left out. */
function countedFailures(lines: Array<Pick<Line, 'message' | 'fields'>>): number {
  let total = 0;
  for (const { message, fields } of lines) {
    if (message === 'delivery attempt failed') total += 1 + (fields.suppressed as number);
    if (message === 'delivery attempts failed (not logged one by one)') total += fields.suppressed as number;
  }
  return total;
}

describe('DeliveryLog', () => {
  it('logs the first failed attempt of an endpoint, counts the rest of the interval, and says the count after it', () => {
    let now = 0;
    const { logger, lines } = capture();
    const log = new DeliveryLog({ logger, intervalMs: 30_000, now: () => now });
    for (let i = 0; i < 100; i++) {
      log.attemptFailed(failure('ep_a'));
      now += 100;
    }
    expect(lines.map((line) => [line.message, line.fields.suppressed])).toEqual([['delivery attempt failed', 0]]);
    now = 30_000;
    log.attemptFailed(failure('ep_a'));
    expect(lines.map((line) => [line.message, line.fields.suppressed])).toEqual([
      ['delivery attempt failed', 0],
      ['delivery attempt failed', 99],
    ]);
  });

  it('writes a summary with the count when an interval ends with no further failure, and all of them on stop', () => {
    let now = 0;
    const { logger, lines } = capture();
    const log = new DeliveryLog({ logger, intervalMs: 1000, now: () => now });
    for (let i = 0; i < 5; i++) log.attemptFailed(failure('ep_a'));
    for (let i = 0; i < 3; i++) log.attemptFailed(failure('ep_b', true));
    now = 1000;
    log.stop();
    const summaries = lines.filter((line) => line.message.includes('not logged one by one'));
    expect(summaries.map((line) => [line.fields.endpointId, line.message, line.fields.suppressed])).toEqual([
      ['ep_a', 'delivery attempts failed (not logged one by one)', 4],
      ['ep_b', 'delivery attempts failed (not logged one by one)', 2],
      ['ep_b', 'deliveries went dead (not logged one by one)', 2],
    ]);
    expect(countedFailures(lines)).toBe(8);
  });

  it('keeps each endpoint to its own interval', () => {
    const { logger, lines } = capture();
    const log = new DeliveryLog({ logger, intervalMs: 30_000, now: () => 0 });
    log.attemptFailed(failure('ep_a'));
    log.attemptFailed(failure('ep_b'));
    log.attemptFailed(failure('ep_a'));
    expect(lines.map((line) => line.fields.endpointId)).toEqual(['ep_a', 'ep_b']);
  });

  it('names the origin of the URL, never its path or query', () => {
    const { logger, lines } = capture();
    const log = new DeliveryLog({ logger, intervalMs: 30_000, now: () => 0 });
    log.attemptFailed(failure('ep_a', true));
    expect(lines).toHaveLength(2);
    for (const line of lines) {
      expect(line.fields.origin).toBe('https://hooks.example.com');
      expect(JSON.stringify(line.fields)).not.toMatch(/secret/);
    }
  });
});
