// Behaviours every verifier shares: which error, with which code, for which input.
import { describe, expect, it } from 'vitest';
import { entries } from '../test/vectors.js';
import { isSignatureError, type SignatureErrorCode } from './errors.js';
import { MAX_HEADER_LENGTH } from './headers.js';
import type { Scheme, VerifyInput } from './types.js';

async function codeOf(promise: Promise<unknown>): Promise<SignatureErrorCode | 'ok'> {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    if (isSignatureError(error)) return error.code;
    throw error;
  }
}

const T = 1_700_000_000;
const atT = () => T * 1000;

describe.each(entries)('verify on %s crypto', (_name, entry) => {
  const sw = entry.standardWebhooks;
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  const body = '{"type":"payment.succeeded"}';
  const signed = () => sw.sign({ body, id: 'msg_1', secret, timestamp: T });

  describe('missing and malformed headers', () => {
    it.each(['webhook-id', 'webhook-timestamp', 'webhook-signature'])('no %s is a missing header', async (name) => {
      const headers: Record<string, string> = { ...(await signed()) };
      delete headers[name];
      const error = await sw.verify({ body, headers, secret, now: atT }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'HOOKLINE_SIGNATURE_MISSING_HEADER', header: name });
    });

    it.each([
      ['github', 'x-hub-signature-256'],
      ['stripe', 'stripe-signature'],
      ['shopify', 'x-shopify-hmac-sha256'],
      ['slack', 'x-slack-request-timestamp'],
      ['hmac-sha256', 'x-webhook-signature'],
    ] as const)('%s with no headers is a missing %s', async (scheme, header) => {
      const error = await entry.schemes[scheme].verify({ body, headers: {}, secret: 's' }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'HOOKLINE_SIGNATURE_MISSING_HEADER', header });
    });

    it.each([
      ['webhook-timestamp', '1700000000.5'],
      ['webhook-timestamp', '-1700000000'],
      ['webhook-timestamp', '1.7e9'],
      ['webhook-signature', 'v1'],
      ['webhook-signature', 'v1,not base64!'],
      ['webhook-signature', 'garbage'],
    ])('%s = %j is malformed', async (name, value) => {
      const headers = { ...(await signed()), [name]: value };
      expect(await codeOf(sw.verify({ body, headers, secret, now: atT }))).toBe('HOOKLINE_SIGNATURE_MALFORMED_HEADER');
    });

    it('a header longer than the limit is malformed, not parsed', async () => {
      const headers = { ...(await signed()), 'webhook-signature': `v1,${'A'.repeat(MAX_HEADER_LENGTH)}=` };
      expect(await codeOf(sw.verify({ body, headers, secret, now: atT }))).toBe('HOOKLINE_SIGNATURE_MALFORMED_HEADER');
    });

    it('more than 32 signatures in one header is malformed', async () => {
      const one = (await signed())['webhook-signature'] as string;
      const headers = { ...(await signed()), 'webhook-signature': Array(33).fill(one).join(' ') };
      expect(await codeOf(sw.verify({ body, headers, secret, now: atT }))).toBe('HOOKLINE_SIGNATURE_MALFORMED_HEADER');
    });

    it('unknown signature versions are skipped, so a sender can add one', async () => {
      const headers = await signed();
      headers['webhook-signature'] = `v9,Zm9v ${headers['webhook-signature']}`;
      expect(await codeOf(sw.verify({ body, headers, secret, now: atT }))).toBe('ok');
    });

    it('a non-canonical base64 spelling of the right signature is a mismatch', async () => {
      const headers = await signed();
      const value = headers['webhook-signature'] as string;
      // 32 bytes in base64 end in one character carrying 2 unused bits; setting one decodes to the same bytes.
      const last = value.charAt(value.length - 2);
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
      const twin = alphabet.charAt(alphabet.indexOf(last) | 1);
      headers['webhook-signature'] = `${value.slice(0, -2)}${twin}=`;
      expect(Buffer.from(headers['webhook-signature'].slice(3), 'base64')).toEqual(
        Buffer.from(value.slice(3), 'base64'),
      );
      expect(await codeOf(sw.verify({ body, headers, secret, now: atT }))).not.toBe('ok');
    });

    it('uppercase hex is refused, as the providers refuse it', async () => {
      const headers = await entry.github.sign({ body, secret: 's' });
      const upper = { 'x-hub-signature-256': `sha256=${headers['x-hub-signature-256']?.slice(7).toUpperCase()}` };
      expect(await codeOf(entry.github.verify({ body, headers: upper, secret: 's' }))).not.toBe('ok');
    });
  });

  describe('timestamps', () => {
    const timestamped: Array<[string, Scheme, (ts: number) => Promise<Record<string, string>>]> = [
      ['standard-webhooks', sw, (ts) => sw.sign({ body, id: 'msg_1', secret, timestamp: ts })],
      ['stripe', entry.stripe, (ts) => entry.stripe.sign({ body, secret, timestamp: ts })],
      ['slack', entry.slack, (ts) => entry.slack.sign({ body, secret, timestamp: ts })],
    ];

    it.each(timestamped)('%s: exactly 300 s past or future passes, 301 s fails both ways', async (_n, scheme, sign) => {
      const verifyAt = async (skew: number, extra: Partial<VerifyInput> = {}) =>
        codeOf(scheme.verify({ body, headers: await sign(T + skew), secret, now: atT, ...extra }));
      expect(await verifyAt(300)).toBe('ok');
      expect(await verifyAt(-300)).toBe('ok');
      expect(await verifyAt(301)).toBe('HOOKLINE_SIGNATURE_TIMESTAMP_OUT_OF_TOLERANCE');
      expect(await verifyAt(-301)).toBe('HOOKLINE_SIGNATURE_TIMESTAMP_OUT_OF_TOLERANCE');
      expect(await verifyAt(-3600, { toleranceSeconds: 3600 })).toBe('ok');
      expect(await verifyAt(-3601, { toleranceSeconds: 3600 })).toBe('HOOKLINE_SIGNATURE_TIMESTAMP_OUT_OF_TOLERANCE');
    });

    it('the error says which way the clock is off', async () => {
      const past = await sw
        .verify({ body, headers: await signed(), secret, now: () => (T + 600) * 1000 })
        .catch((e: unknown) => e);
      expect(past).toMatchObject({ direction: 'past', timestamp: T, now: T + 600, toleranceSeconds: 300 });
      const future = await sw
        .verify({ body, headers: await signed(), secret, now: () => (T - 600) * 1000 })
        .catch((e: unknown) => e);
      expect(future).toMatchObject({ direction: 'future' });
    });

    it('a negative or non-finite tolerance is a programming error', async () => {
      await expect(sw.verify({ body, headers: await signed(), secret, toleranceSeconds: -1 })).rejects.toThrow(
        RangeError,
      );
    });
  });

  describe('secrets', () => {
    it.each([
      ['an empty string', ''],
      ['no secret at all', []],
      ['a whsec_ that is not base64', 'whsec_not*base64'],
      ['a plain-text string (must be bytes)', 'hunter2 is my secret'],
      ['a whpk_ of the wrong length', 'whpk_AAAA'],
      ['a whsk_ of the wrong length', 'whsk_AAAA'],
    ])('%s is an invalid secret', async (_what, bad) => {
      expect(await codeOf(sw.verify({ body, headers: await signed(), secret: bad, now: atT }))).toBe(
        'HOOKLINE_SIGNATURE_INVALID_SECRET',
      );
    });

    it('more than 16 secrets is an invalid secret', async () => {
      const many = Array.from({ length: 17 }, () => secret);
      expect(await codeOf(sw.verify({ body, headers: await signed(), secret: many, now: atT }))).toBe(
        'HOOKLINE_SIGNATURE_INVALID_SECRET',
      );
    });

    it('a whsk_ whose public half is not its seed’s is refused', async () => {
      const a = await sw.generateKeyPair();
      const b = await sw.generateKeyPair();
      const seedA = Buffer.from(a.secretKey.slice(5), 'base64').subarray(0, 32);
      const pubB = Buffer.from(b.publicKey.slice(5), 'base64');
      const forged = `whsk_${Buffer.concat([seedA, pubB]).toString('base64')}`;
      expect(await codeOf(sw.sign({ body, id: 'msg', secret: forged }))).toBe('HOOKLINE_SIGNATURE_INVALID_SECRET');
    });

    it('a 32-byte whsk_ seed signs, and its public key verifies', async () => {
      const pair = await sw.generateKeyPair();
      const seedOnly = `whsk_${Buffer.from(pair.secretKey.slice(5), 'base64').subarray(0, 32).toString('base64')}`;
      const headers = await sw.sign({ body, id: 'msg', secret: seedOnly, timestamp: T });
      expect(await codeOf(sw.verify({ body, headers, secret: pair.publicKey, now: atT }))).toBe('ok');
    });

    it('publicKeyOf gives the whpk_ of a 64-byte whsk_ and of a 32-byte seed, and refuses anything else', async () => {
      const pair = await sw.generateKeyPair();
      expect(await sw.publicKeyOf(pair.secretKey)).toBe(pair.publicKey);
      const seedOnly = `whsk_${Buffer.from(pair.secretKey.slice(5), 'base64').subarray(0, 32).toString('base64')}`;
      expect(await sw.publicKeyOf(seedOnly)).toBe(pair.publicKey);
      expect(await codeOf(sw.publicKeyOf(pair.publicKey))).toBe('HOOKLINE_SIGNATURE_INVALID_SECRET');
      expect(await codeOf(sw.publicKeyOf(sw.generateSecret()))).toBe('HOOKLINE_SIGNATURE_INVALID_SECRET');
      expect(await codeOf(sw.publicKeyOf('whsk_AAAA'))).toBe('HOOKLINE_SIGNATURE_INVALID_SECRET');
    });

    it('a public key cannot sign', async () => {
      const pair = await sw.generateKeyPair();
      expect(await codeOf(sw.sign({ body, id: 'msg', secret: pair.publicKey }))).toBe(
        'HOOKLINE_SIGNATURE_INVALID_SECRET',
      );
    });

    it('no error message contains the secret', async () => {
      const secrets = [
        'whsec_not*base64',
        'hunter2 is my secret',
        'whsec_c2VjcmV0LXZhbHVlLXRoYXQtZG9lcy1ub3QtbWF0Y2g=',
      ];
      for (const bad of secrets) {
        const error = await sw
          .verify({ body, headers: await signed(), secret: bad, now: atT })
          .catch((e: unknown) => e);
        expect(String((error as Error).message)).not.toContain(bad.slice(6));
        expect(JSON.stringify(error)).not.toContain(bad.slice(6));
      }
    });

    it('generated secrets are whsec_ with 32 random bytes, all different', () => {
      const generated = new Set(Array.from({ length: 50 }, () => sw.generateSecret()));
      expect(generated.size).toBe(50);
      for (const s of generated) expect(Buffer.from(s.slice(6), 'base64')).toHaveLength(32);
    });
  });

  describe('headers and bodies', () => {
    it('reads headers in any casing, from a Web Headers, a plain object or arrays', async () => {
      const headers = await signed();
      const shouted = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toUpperCase(), v]));
      const arrays = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]]));
      for (const form of [new Headers(headers), shouted, arrays]) {
        expect(await codeOf(sw.verify({ body, headers: form, secret, now: atT }))).toBe('ok');
      }
    });

    it('svix-* headers verify as well as webhook-* ones', async () => {
      const headers = await sw.sign({ body, id: 'msg_1', secret, timestamp: T, headerPrefix: 'svix' });
      expect(Object.keys(headers).sort()).toEqual(['svix-id', 'svix-signature', 'svix-timestamp']);
      expect(await sw.verify({ body, headers, secret, now: atT })).toEqual({
        scheme: 'standard-webhooks',
        id: 'msg_1',
        timestamp: T,
      });
    });

    it('a body as bytes or as its UTF-8 string verifies the same', async () => {
      const text = '\ufeff{"name":"Zoë – 東京 – 🚀"}\r\n';
      const headers = await sw.sign({ body: text, id: 'msg_1', secret, timestamp: T });
      const bytes = new TextEncoder().encode(text);
      expect(await codeOf(sw.verify({ body: bytes, headers, secret, now: atT }))).toBe('ok');
      // TextDecoder (and Request.text()) strip a BOM: verifying that string instead of the bytes must fail.
      const decoded = new TextDecoder().decode(bytes);
      expect(await codeOf(sw.verify({ body: decoded, headers, secret, now: atT }))).toBe('HOOKLINE_SIGNATURE_MISMATCH');
    });

    it('the id header is returned by the schemes that have one', async () => {
      const gh = await entry.github.sign({ body, secret: 's' });
      const ghResult = await entry.github.verify({ body, headers: { ...gh, 'X-GitHub-Delivery': 'd-1' }, secret: 's' });
      expect(ghResult.id).toBe('d-1');
      const sh = await entry.shopify.sign({ body, secret: 's' });
      const shResult = await entry.shopify.verify({
        body,
        headers: { ...sh, 'X-Shopify-Webhook-Id': 'w-1' },
        secret: 's',
      });
      expect(shResult.id).toBe('w-1');
    });

    it('an id that would break a header is refused when signing', async () => {
      for (const id of ['', 'a b', 'line\nbreak', 'é']) {
        expect(await codeOf(sw.sign({ body, id, secret }))).toBe('HOOKLINE_SIGNATURE_INVALID_INPUT');
      }
    });

    it('Stripe ignores v0 entries and a header with only v0 is a mismatch', async () => {
      const headers = await entry.stripe.sign({ body, secret: 'whsec_x', timestamp: T });
      const v0only = { 'stripe-signature': (headers['stripe-signature'] as string).replace('v1=', 'v0=') };
      expect(await codeOf(entry.stripe.verify({ body, headers: v0only, secret: 'whsec_x', now: atT }))).toBe(
        'HOOKLINE_SIGNATURE_MISMATCH',
      );
    });
  });
});
