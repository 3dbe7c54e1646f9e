// The shape checks that stand before every decode, and what they mean for a Standard Webhooks signature header:
// the table-driven isBase64 against the regex it replaced, and the header's entries (bad base64, wrong length,
// several signatures, whitespace) through verify and verifyNow alike.
import { standardWebhooks, verifyNow } from '@hookline/signatures';
import { describe, expect, it } from 'vitest';
import { isBase64 } from './encoding.js';
import { isSignatureError } from './errors.js';
import { parseUnixSeconds } from './timestamp.js';

/** The definition isBase64 implements, as a regex: padded, and no bits set past the data in the last character. */
function referenceIsBase64(value: string): boolean {
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(value)) return false;
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  if (value.endsWith('==')) return (alphabet.indexOf(value.charAt(value.length - 3)) & 0b1111) === 0;
  if (value.endsWith('=')) return (alphabet.indexOf(value.charAt(value.length - 2)) & 0b11) === 0;
  return true;
}

describe('isBase64', () => {
  it.each([
    ['', true],
    ['AAAA', true],
    ['AA==', true],
    ['AAA=', true],
    ['AB==', false], // B carries bits past the one data byte
    ['AAB=', false], // B carries bits past the two data bytes
    ['AQ==', true],
    ['AAE=', true],
    ['AAF=', false],
    ['AAQ=', true],
    ['A===', false],
    ['====', false],
    ['AAAAA', false],
    ['AAA', false],
    ['AA=A', false],
    ['AA-_', false], // base64url is another spelling
    ['AA A', false],
    ['AAA\u00e9', false],
    ['AAA\u0141', false], // a code past 255 must not wrap into the table
    ['+/+/', true],
    ['AAAAAA==', true],
    ['=AAA', false],
  ])('%j is %s', (value, expected) => {
    expect(isBase64(value)).toBe(expected);
    expect(referenceIsBase64(value)).toBe(expected);
  });

  it('agrees with the regex definition on 20,000 random strings of base64-like characters', () => {
    const characters = 'AQgwB+/=a9 -_\u00e9';
    let seed = 12345;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    let canonical = 0;
    for (let i = 0; i < 20_000; i++) {
      let value = '';
      const length = random(13);
      for (let j = 0; j < length; j++) value += characters[random(characters.length)];
      // Bias towards well-formed tails so the padding rules are exercised, not only the alphabet.
      if (random(2) === 0) value = value.replace(/[^A-Za-z0-9+/]/g, 'A').slice(0, length - (length % 4));
      const expected = referenceIsBase64(value);
      if (expected) canonical++;
      expect([value, isBase64(value)]).toEqual([value, expected]);
    }
    expect(canonical).toBeGreaterThan(1000);
  });
});

describe('parseUnixSeconds', () => {
  it.each(['1700000000', '0', '999999999999'])('reads %j', (value) => {
    expect(parseUnixSeconds(value, 'webhook-timestamp')).toBe(Number(value));
  });

  it.each(['', '1234567890123', '+1700000000', '-1', '1e9', '17000000.5', ' 1700000000', '0x10', '\u0661\u0662'])(
    'refuses %j as malformed',
    (value) => {
      expect(() => parseUnixSeconds(value, 'webhook-timestamp')).toThrow(/timestamp must be integer Unix seconds/);
    },
  );
});

describe('Standard Webhooks signature header entries', () => {
  const T = 1_700_000_000;
  const now = () => T * 1000;
  const body = '{"type":"payment.succeeded"}';
  const secret = standardWebhooks.generateSecret();
  const other = standardWebhooks.generateSecret();

  async function signature(key: string): Promise<string> {
    const headers = await standardWebhooks.sign({ body, id: 'msg_entries', secret: key, timestamp: T });
    return headers['webhook-signature'] as string;
  }

  /** The code verify fails with, or 'verified'; verifyNow (the key imported by then) must say the same. */
  async function outcome(header: string): Promise<string> {
    const input = {
      body,
      headers: { 'webhook-id': 'msg_entries', 'webhook-timestamp': String(T), 'webhook-signature': header },
      secret,
      now,
    };
    const later = await standardWebhooks.verify(input).then(
      () => 'verified',
      (error: unknown) => (isSignatureError(error) ? error.code : `unexpected ${String(error)}`),
    );
    let atOnce: string;
    try {
      atOnce = verifyNow(standardWebhooks, input) === undefined ? 'not at once' : 'verified';
    } catch (error) {
      atOnce = isSignatureError(error) ? error.code : `unexpected ${String(error)}`;
    }
    expect(atOnce).toBe(later);
    return later;
  }

  it('verifies the one good entry', async () => {
    expect(await outcome(await signature(secret))).toBe('verified');
  });

  it('finds the good signature among several, in any place, whatever the whitespace between them', async () => {
    const good = await signature(secret);
    const wrong = await signature(other);
    expect(await outcome(`${wrong} ${good}`)).toBe('verified');
    expect(await outcome(`${good} ${wrong}`)).toBe('verified');
    expect(await outcome(`${wrong}\t ${good}`)).toBe('verified');
    expect(await outcome(`${wrong}  \u00a0${good}`)).toBe('verified');
    expect(await outcome(`  ${good}  `)).toBe('verified');
  });

  it('skips an entry that is not base64 and still verifies the good one beside it', async () => {
    const good = await signature(secret);
    expect(await outcome(`v1,not*base64 ${good}`)).toBe('verified');
    expect(await outcome('v1,not*base64')).toBe('HOOKLINE_SIGNATURE_MALFORMED_HEADER');
  });

  it('is a mismatch, not an error, for a well-formed signature of the wrong length', async () => {
    const good = (await signature(secret)).slice('v1,'.length);
    const short = Buffer.from(good, 'base64').subarray(0, 31).toString('base64');
    const long = Buffer.concat([Buffer.from(good, 'base64'), Buffer.from([0])]).toString('base64');
    expect(await outcome(`v1,${short}`)).toBe('HOOKLINE_SIGNATURE_MISMATCH');
    expect(await outcome(`v1,${long}`)).toBe('HOOKLINE_SIGNATURE_MISMATCH');
    expect(await outcome('v1,')).toBe('HOOKLINE_SIGNATURE_MISMATCH');
  });

  it('refuses a non-canonical spelling of the right signature', async () => {
    const good = (await signature(secret)).slice('v1,'.length);
    // 32 bytes end in one '=': the last data character carries two spare bits, which must be zero.
    const last = good.charAt(good.length - 2);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    const sameBytes = alphabet.charAt(alphabet.indexOf(last) | 1);
    const respelled = `${good.slice(0, -2)}${sameBytes}=`;
    expect(Buffer.from(respelled, 'base64')).toEqual(Buffer.from(good, 'base64'));
    expect(await outcome(`v1,${respelled}`)).toBe('HOOKLINE_SIGNATURE_MALFORMED_HEADER');
  });

  it('reads a version only as a whole word: v1x and v12 are unknown versions, skipped', async () => {
    const good = (await signature(secret)).slice('v1,'.length);
    expect(await outcome(`v1x,${good}`)).toBe('HOOKLINE_SIGNATURE_MISMATCH');
    expect(await outcome(`v12,${good}`)).toBe('HOOKLINE_SIGNATURE_MISMATCH');
    expect(await outcome(`V1,${good}`)).toBe('HOOKLINE_SIGNATURE_MISMATCH');
  });

  it('is a mismatch for a signature one character or one bit away, wherever the change is', async () => {
    const good = (await signature(secret)).slice('v1,'.length);
    for (const index of [0, 21, good.length - 2]) {
      const character = good.charAt(index) === 'A' ? 'Q' : 'A';
      const changed = `${good.slice(0, index)}${character}${good.slice(index + 1)}`;
      expect(await outcome(`v1,${changed}`)).toBe('HOOKLINE_SIGNATURE_MISMATCH');
    }
    const bytes = Buffer.from(good, 'base64');
    bytes[31] = (bytes[31] as number) ^ 1;
    expect(await outcome(`v1,${bytes.toString('base64')}`)).toBe('HOOKLINE_SIGNATURE_MISMATCH');
  });

  it('refuses more than 32 entries before any HMAC', async () => {
    const good = await signature(secret);
    expect(await outcome(Array.from({ length: 33 }, () => good).join(' '))).toBe('HOOKLINE_SIGNATURE_MALFORMED_HEADER');
  });

  it('reads the svix-* family when webhook-signature is absent', async () => {
    const headers = await standardWebhooks.sign({ body, id: 'msg_svix', secret, timestamp: T, headerPrefix: 'svix' });
    await expect(standardWebhooks.verify({ body, headers, secret, now })).resolves.toMatchObject({ id: 'msg_svix' });
    const { 'svix-id': _id, ...withoutId } = headers;
    await expect(standardWebhooks.verify({ body, headers: withoutId, secret, now })).rejects.toMatchObject({
      code: 'HOOKLINE_SIGNATURE_MISSING_HEADER',
      detail: expect.stringContaining('svix-id'),
    });
  });
});
