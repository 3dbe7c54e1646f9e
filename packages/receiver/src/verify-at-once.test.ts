// The receiver verifies without a promise once the scheme can (node:crypto, the secret's key imported by an
// earlier request): the answers must be the same on both paths, first request and every later one.
import { Webhooks } from '@hookline/receiver';
import { schemes, standardWebhooks, verifyNow } from '@hookline/signatures';
import { describe, expect, it } from 'vitest';

const encoder = new TextEncoder();
const T = 1_700_000_000;

async function request(secret: string, id: string, change: { body?: string; timestamp?: number } = {}) {
  const body = JSON.stringify({ type: 'payment.succeeded', data: { id } });
  const headers = await standardWebhooks.sign({ body, id, secret, timestamp: change.timestamp ?? T });
  return {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    remoteAddress: '127.0.0.1',
    body: encoder.encode(change.body ?? body),
  };
}

function freshSecret(): { text: string; bytes: () => Uint8Array } {
  const text = standardWebhooks.generateSecret();
  // Keys are cached per secret, by identity for bytes: a new copy is a secret no scheme has imported yet.
  return { text, bytes: () => new Uint8Array(Buffer.from(text.slice('whsec_'.length), 'base64')) };
}

type Change = { body?: string; timestamp?: number };

describe('verifying at once', () => {
  it.each([
    ['a valid event is handled', {}, '{"status":"handled"}'],
    ['a forged body is refused', { body: '{"type":"payment.succeeded"}' }, 'HOOKLINE_SIGNATURE_MISMATCH'],
    ['a stale timestamp is refused', { timestamp: T - 3600 }, 'HOOKLINE_SIGNATURE_TIMESTAMP_OUT_OF_TOLERANCE'],
  ] as Array<[string, Change, string]>)(
    '%s the same through the promise and at once',
    async (_name, change, expected) => {
      const { text, bytes } = freshSecret();
      const secret = bytes();
      const webhooks = new Webhooks({ scheme: 'standard-webhooks', secret, now: () => T * 1000 });
      const handled: string[] = [];
      webhooks.on('payment.succeeded', (event) => {
        handled.push(event.id ?? '');
      });
      const canVerifyAtOnce = async () => {
        const probe = await request(text, 'msg_probe');
        return verifyNow(schemes['standard-webhooks'], { ...probe, secret, now: () => T * 1000 }) !== undefined;
      };
      const answerOf = async (id: string) => {
        const answer = await webhooks.handle(await request(text, id, change));
        return { status: answer.status, outcome: (JSON.parse(answer.body) as { code?: string }).code ?? answer.body };
      };

      expect(await canVerifyAtOnce()).toBe(false);
      const throughPromise = await answerOf('msg_once_1');
      // A stale request is refused before any key is used: import the key with a valid event first.
      if (!(await canVerifyAtOnce())) await webhooks.handle(await request(text, 'msg_once_warm'));
      expect(await canVerifyAtOnce()).toBe(true);
      const atOnce = await answerOf('msg_once_2');

      expect(throughPromise).toEqual({ status: expected.startsWith('{') ? 200 : 401, outcome: expected });
      expect(atOnce).toEqual(throughPromise);
      expect(handled.filter((id) => id !== 'msg_once_warm')).toEqual(
        expected.startsWith('{') ? ['msg_once_1', 'msg_once_2'] : [],
      );
    },
  );
});
