import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { entries } from '../test/vectors.js';
import { isSignatureError } from './errors.js';
import type { Scheme, Secret, SignInput } from './types.js';

const RUNS = 100;
const bodies = fc.oneof(fc.string({ unit: 'grapheme', maxLength: 2000 }), fc.uint8Array({ maxLength: 2000 }));
const timestamps = fc.integer({ min: 0, max: 4_102_444_800 });
const ids = fc.stringMatching(/^[\x21-\x7e]{1,64}$/);
const textSecrets = fc.string({ minLength: 1, maxLength: 64 });
const byteSecrets = fc.uint8Array({ minLength: 1, maxLength: 64 });
const anySecret: fc.Arbitrary<Secret> = fc.oneof(textSecrets, byteSecrets);

async function errorCode(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    if (isSignatureError(error)) return error.code;
    throw error;
  }
}

describe.each(entries)('sign then verify on %s crypto', (_name, entry) => {
  const simpleSchemes: Array<[string, Scheme]> = [
    ['github', entry.github],
    ['stripe', entry.stripe],
    ['shopify', entry.shopify],
    ['slack', entry.slack],
    ['hmac-sha256', entry.hmacSha256],
    [
      'hmac-sha256 (base64, custom header)',
      entry.createHmacSha256({ header: 'X-Sig', prefix: '', encoding: 'base64' }),
    ],
  ];

  it.each(simpleSchemes)('%s: a signature verifies, with any secret of a rotation', async (_n, scheme) => {
    await fc.assert(
      fc.asyncProperty(
        bodies,
        fc.array(anySecret, { minLength: 1, maxLength: 3 }),
        timestamps,
        async (body, secrets, timestamp) => {
          const input: SignInput = { body, secret: secrets, timestamp };
          const headers = await scheme.sign(input);
          const now = () => timestamp * 1000;
          for (const secret of secrets) {
            const result = await scheme.verify({ body, headers, secret, now });
            expect(result.scheme).toBe(scheme.name);
          }
        },
      ),
      { numRuns: RUNS },
    );
  });

  it.each(simpleSchemes)('%s: another secret or another body does not verify', async (_n, scheme) => {
    await fc.assert(
      fc.asyncProperty(bodies, textSecrets, textSecrets, timestamps, async (body, secret, other, timestamp) => {
        fc.pre(secret !== other);
        const headers = await scheme.sign({ body, secret, timestamp });
        const now = () => timestamp * 1000;
        expect(await errorCode(scheme.verify({ body, headers, secret: other, now }))).toBe(
          'HOOKLINE_SIGNATURE_MISMATCH',
        );
        const otherBody = typeof body === 'string' ? `${body}.` : new Uint8Array([...body, 46]);
        expect(await errorCode(scheme.verify({ body: otherBody, headers, secret, now }))).toBe(
          'HOOKLINE_SIGNATURE_MISMATCH',
        );
      }),
      { numRuns: RUNS },
    );
  });

  it('standard-webhooks v1: a signature verifies under webhook-* and svix-* names, with any secret of a rotation', async () => {
    const whsecs = fc
      .uint8Array({ minLength: 1, maxLength: 64 })
      .map((bytes) => `whsec_${Buffer.from(bytes).toString('base64')}`);
    await fc.assert(
      fc.asyncProperty(
        bodies,
        ids,
        fc.array(fc.oneof(whsecs, byteSecrets), { minLength: 1, maxLength: 3 }),
        timestamps,
        fc.constantFrom('webhook' as const, 'svix' as const),
        async (body, id, secrets, timestamp, headerPrefix) => {
          const headers = await entry.standardWebhooks.sign({ body, id, secret: secrets, timestamp, headerPrefix });
          expect(Object.keys(headers).every((name) => name.startsWith(`${headerPrefix}-`))).toBe(true);
          for (const secret of secrets) {
            const result = await entry.standardWebhooks.verify({ body, headers, secret, now: () => timestamp * 1000 });
            expect(result).toEqual({ scheme: 'standard-webhooks', id, timestamp });
          }
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('standard-webhooks v1a: an Ed25519 signature verifies with the public key and no other', async () => {
    const pairs = await Promise.all([1, 2, 3].map(() => entry.standardWebhooks.generateKeyPair()));
    await fc.assert(
      fc.asyncProperty(bodies, ids, timestamps, fc.constantFrom(...pairs), async (body, id, timestamp, pair) => {
        const headers = await entry.standardWebhooks.sign({ body, id, secret: pair.secretKey, timestamp });
        expect(headers['webhook-signature']).toMatch(/^v1a,[A-Za-z0-9+/]{86}==$/);
        const now = () => timestamp * 1000;
        await entry.standardWebhooks.verify({ body, headers, secret: pair.publicKey, now });
        const others = pairs.filter((p) => p !== pair).map((p) => p.publicKey);
        expect(await errorCode(entry.standardWebhooks.verify({ body, headers, secret: others, now }))).toBe(
          'HOOKLINE_SIGNATURE_MISMATCH',
        );
      }),
      { numRuns: 30 },
    );
  });

  it('standard-webhooks: v1 and v1a signatures in one header, each verifier takes its own', async () => {
    const pair = await entry.standardWebhooks.generateKeyPair();
    const secret = entry.standardWebhooks.generateSecret();
    const headers = await entry.standardWebhooks.sign({
      body: '{}',
      id: 'msg_1',
      secret: [secret, pair.secretKey],
      timestamp: 10,
    });
    expect(headers['webhook-signature']).toMatch(/^v1,\S+ v1a,\S+$/);
    const now = () => 10_000;
    await entry.standardWebhooks.verify({ body: '{}', headers, secret, now });
    await entry.standardWebhooks.verify({ body: '{}', headers, secret: pair.publicKey, now });
  });
});
