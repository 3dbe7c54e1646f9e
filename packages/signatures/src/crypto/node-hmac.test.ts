// The padded-key HMAC must equal node's createHmac for every key length (shorter than, equal to and longer than
// the block) and message size (copied, or streamed past the copy bound), with string and byte parts mixed.
import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { importNodeHmacKey, nodeHmacSha256, nodeHmacSha256Base64 } from './node-hmac.js';

describe('nodeHmacSha256 and nodeHmacSha256Base64', () => {
  it.each([1, 32, 63, 64, 65, 200])('equals createHmac with a %i-byte key', (keyBytes) => {
    const raw = randomBytes(keyBytes);
    const key = importNodeHmacKey(raw);
    for (const bodyBytes of [0, 1, 300, 16 * 1024 - 40, 16 * 1024, 100_000]) {
      const body = randomBytes(bodyBytes);
      const prefix = 'msg_2Kxé.1700000000.';
      const expected = createHmac('sha256', raw).update(prefix).update(body).digest();
      expect(nodeHmacSha256(key, [prefix, body])).toEqual(expected);
      expect(nodeHmacSha256Base64(key, [prefix, body])).toBe(expected.toString('base64'));
    }
  });

  it('one key used for many messages gives each its own digest', () => {
    const raw = randomBytes(32);
    const key = importNodeHmacKey(raw);
    const first = nodeHmacSha256(key, ['a']);
    const second = nodeHmacSha256(key, ['b']);
    expect(first).toEqual(createHmac('sha256', raw).update('a').digest());
    expect(second).toEqual(createHmac('sha256', raw).update('b').digest());
  });
});
