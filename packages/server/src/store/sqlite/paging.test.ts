import { describe, expect, it } from 'vitest';
import { LIST_ATTEMPTS_FOR_ENDPOINT, LIST_DELIVERIES_FOR_MESSAGE, LIST_MESSAGES } from './history.js';
import { backwardSql } from './paging.js';

describe('backwardSql', () => {
  it('flips the cursor comparison and the order of a newest-first list', () => {
    expect(
      backwardSql('SELECT * FROM t WHERE (@iterator IS NULL OR id < @iterator) ORDER BY id DESC LIMIT @limit'),
    ).toBe('SELECT * FROM t WHERE (@iterator IS NULL OR id > @iterator) ORDER BY id LIMIT @limit');
  });

  it('flips an ascending list by name', () => {
    expect(
      backwardSql('SELECT * FROM e WHERE (@iterator IS NULL OR name > @iterator) ORDER BY name LIMIT @limit'),
    ).toBe('SELECT * FROM e WHERE (@iterator IS NULL OR name < @iterator) ORDER BY name DESC LIMIT @limit');
  });

  it('turns every shared list query, touching only the cursor and the order', () => {
    for (const text of [LIST_MESSAGES, LIST_ATTEMPTS_FOR_ENDPOINT, LIST_DELIVERIES_FOR_MESSAGE]) {
      const turned = backwardSql(text);
      expect(turned).toContain('> @iterator');
      expect(turned).not.toMatch(/DESC LIMIT/);
      expect(
        turned.replace('> @iterator', '< @iterator').replace(/ORDER BY ([a-z_.]+) LIMIT/, 'ORDER BY $1 DESC LIMIT'),
      ).toBe(text);
    }
  });

  it('refuses SQL it cannot turn, instead of paging wrong', () => {
    expect(() => backwardSql('SELECT * FROM t ORDER BY id DESC LIMIT @limit')).toThrow(/cannot page backward/);
  });
});
