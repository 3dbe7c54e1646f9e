import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  clockAt,
  type Entry,
  entries,
  isHexScheme,
  otherCharacter,
  SHARED_VECTORS_PATH,
  schemeName,
  signatureHeader,
  signatureSpans,
  timestampHeader,
  VECTORS_PATH,
  type Vector,
  vectors,
  verifySecrets,
} from '../test/vectors.js';
import { isSignatureError } from './errors.js';
import type { RawBody } from './types.js';

async function verifies(entry: Entry, vector: Vector, change: { body?: RawBody; headers?: Vector['headers'] } = {}) {
  return entry.schemes[schemeName(vector)].verify({
    body: change.body ?? vector.body,
    headers: change.headers ?? vector.headers,
    secret: verifySecrets(vector),
    now: clockAt(vector),
  });
}

async function rejects(promise: Promise<unknown>): Promise<boolean> {
  try {
    await promise;
    return false;
  } catch (error) {
    if (!isSignatureError(error) && !(error instanceof Error && 'code' in error)) throw error;
    return true;
  }
}

function replaceAt(text: string, index: number, character: string): string {
  return text.slice(0, index) + character + text.slice(index + 1);
}

it('the in-repo copy of the vectors is the shared one', (context) => {
  if (!existsSync(SHARED_VECTORS_PATH)) {
    if (process.env.CI === 'true') throw new Error('CI must run with ../shared beside the clone');
    context.skip('../shared/vectors/signatures.json is not beside this clone: comparing the copy skipped');
  }
  expect(readFileSync(VECTORS_PATH, 'utf8')).toBe(readFileSync(SHARED_VECTORS_PATH, 'utf8'));
});

it('covers every required scheme', () => {
  const schemes = new Set(vectors.map((vector) => vector.scheme));
  for (const scheme of [
    'standard-webhooks-v1',
    'standard-webhooks-v1a',
    'github',
    'stripe',
    'shopify',
    'slack',
    'hmac-sha256',
  ]) {
    expect(schemes).toContain(scheme);
  }
});

describe.each(entries)('vectors on %s crypto', (_name, entry) => {
  describe.each(vectors.map((vector) => [`${vector.scheme} ${vector.label}`, vector] as const))('%s', (_l, vector) => {
    it('verifies with the clock at its timestamp', async () => {
      const result = await verifies(entry, vector);
      expect(result.scheme).toBe(schemeName(vector));
    });

    it('fails when any byte of the body changes, or a byte is added or removed', async () => {
      const body = new TextEncoder().encode(vector.body);
      for (let i = 0; i < body.length; i++) {
        const changed = body.slice();
        changed[i] = (changed[i] as number) ^ 0x01;
        expect(await rejects(verifies(entry, vector, { body: changed })), `byte ${i}`).toBe(true);
      }
      const longer = new Uint8Array(body.length + 1);
      longer.set(body);
      longer[body.length] = 0x20;
      expect(await rejects(verifies(entry, vector, { body: longer }))).toBe(true);
      if (body.length > 0) {
        expect(await rejects(verifies(entry, vector, { body: body.subarray(0, body.length - 1) }))).toBe(true);
      }
    });

    it('fails when any character of the matching signature changes', async () => {
      const header = signatureHeader(vector);
      const value = vector.headers[header] as string;
      const withSignature = (text: string) => ({ headers: { ...vector.headers, [header]: text } });
      const spans = signatureSpans(value);
      // A header may carry other signatures (rotation, Stripe's v0): the ones to tamper with are those whose
      // change breaks verification; at least one must.
      const matching: Array<[number, number]> = [];
      for (const [start, end] of spans) {
        const changed = replaceAt(value, start, otherCharacter(value.charAt(start), isHexScheme(vector)));
        if (await rejects(verifies(entry, vector, withSignature(changed)))) matching.push([start, end]);
      }
      expect(matching.length).toBeGreaterThan(0);
      for (const [start, end] of matching) {
        for (let i = start; i < end; i++) {
          const changed = replaceAt(value, i, otherCharacter(value.charAt(i), isHexScheme(vector)));
          expect(await rejects(verifies(entry, vector, withSignature(changed))), `char ${i}`).toBe(true);
        }
      }
    });

    const stampHeader = timestampHeader(vector) ?? (vector.scheme === 'stripe' ? 'stripe-signature' : undefined);
    if (stampHeader !== undefined) {
      it('fails when any digit of the timestamp changes', async () => {
        const value = vector.headers[stampHeader] as string;
        const stamp = stampHeader === 'stripe-signature' ? (/t=(\d+)/.exec(value)?.[1] ?? '') : value;
        const offset = stampHeader === 'stripe-signature' ? 2 : 0;
        expect(stamp.length).toBeGreaterThan(0);
        for (let i = offset; i < offset + stamp.length; i++) {
          const changed = replaceAt(value, i, String((Number(value.charAt(i)) + 1) % 10));
          const headers = { ...vector.headers, [stampHeader]: changed };
          expect(await rejects(verifies(entry, vector, { headers })), `digit ${i}`).toBe(true);
        }
      });
    }

    it('fails with a wrong secret', async () => {
      const scheme = entry.schemes[schemeName(vector)];
      const wrong =
        vector.public_key !== undefined
          ? [(await entry.standardWebhooks.generateKeyPair()).publicKey]
          : vector.secret_format === 'raw'
            ? [new TextEncoder().encode(`${vector.secret}x`)]
            : vector.scheme.startsWith('standard-webhooks')
              ? [entry.standardWebhooks.generateSecret()]
              : [`${vector.secret}x`];
      const error = await scheme
        .verify({ body: vector.body, headers: vector.headers, secret: wrong, now: clockAt(vector) })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(isSignatureError(error) && error.code).toBe('HOOKLINE_SIGNATURE_MISMATCH');
    });
  });
});
