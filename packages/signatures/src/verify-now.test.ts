// The synchronous path's contract; its behaviour on every vector and tamper is the shared suites' third entry
// ('node (verified at once)', test/vectors.ts).
import * as nodeEntry from '@hookline/signatures';
import * as webEntry from '@hookline/signatures/web';
import { describe, expect, it } from 'vitest';
import { isSignatureError } from './errors.js';

const T = 1_700_000_000;
const now = () => T * 1000;
const body = '{"type":"payment.succeeded"}';

function freshSecret(): string {
  return nodeEntry.standardWebhooks.generateSecret();
}

/** Signed on the Web Crypto entry, whose key cache is its own: the node scheme has not seen the secret yet. */
async function signedInput(secret: string) {
  const headers = await webEntry.standardWebhooks.sign({ body, id: 'msg_now', secret, timestamp: T });
  return { body, headers, secret, now };
}

describe('verifyNow', () => {
  it('cannot answer before the key of a secret is imported, and answers at once after', async () => {
    const input = await signedInput(freshSecret());
    expect(nodeEntry.verifyNow(nodeEntry.standardWebhooks, input)).toBeUndefined();
    await nodeEntry.standardWebhooks.verify(input);
    expect(nodeEntry.verifyNow(nodeEntry.standardWebhooks, input)).toEqual({
      scheme: 'standard-webhooks',
      id: 'msg_now',
      timestamp: T,
    });
  });

  it('throws the error verify rejects with, synchronously', async () => {
    const input = await signedInput(freshSecret());
    await nodeEntry.standardWebhooks.verify(input);
    const tampered = { ...input, body: `${body} ` };
    const rejected = await nodeEntry.standardWebhooks.verify(tampered).catch((error: unknown) => error);
    let thrown: unknown;
    try {
      nodeEntry.verifyNow(nodeEntry.standardWebhooks, tampered);
    } catch (error) {
      thrown = error;
    }
    expect(isSignatureError(rejected) && rejected.code).toBe('HOOKLINE_SIGNATURE_MISMATCH');
    expect(isSignatureError(thrown) && thrown.code).toBe('HOOKLINE_SIGNATURE_MISMATCH');
  });

  it('checks headers and the timestamp before it looks for a key', () => {
    let thrown: unknown;
    try {
      nodeEntry.verifyNow(nodeEntry.standardWebhooks, { body, headers: {}, secret: freshSecret(), now });
    } catch (error) {
      thrown = error;
    }
    expect(isSignatureError(thrown) && thrown.code).toBe('HOOKLINE_SIGNATURE_MISSING_HEADER');
  });

  it('never answers on Web Crypto, which has no synchronous HMAC', async () => {
    const secret = freshSecret();
    const input = await signedInput(secret);
    await expect(webEntry.standardWebhooks.verify(input)).resolves.toMatchObject({ id: 'msg_now' });
    expect(webEntry.verifyNow(webEntry.standardWebhooks, input)).toBeUndefined();
  });

  it('never answers for a scheme without the synchronous path', async () => {
    const secret = 'github-secret';
    const headers = await nodeEntry.github.sign({ body, secret });
    await expect(nodeEntry.github.verify({ body, headers, secret })).resolves.toMatchObject({ scheme: 'github' });
    expect(nodeEntry.verifyNow(nodeEntry.github, { body, headers, secret })).toBeUndefined();
  });
});
