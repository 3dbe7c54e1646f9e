// Interop with the official Standard Webhooks library (`standardwebhooks` on npm): each side verifies what the
// other signs.
import fc from 'fast-check';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { entries } from '../test/vectors.js';

const bodies = fc.string({ unit: 'grapheme', maxLength: 2000 });
const ids = fc.stringMatching(/^[\x21-\x7e]{1,64}$/);
const keys = fc.uint8Array({ minLength: 1, maxLength: 64 });

describe.each(entries)('standardwebhooks@1 interop on %s crypto', (_name, entry) => {
  it('standardwebhooks verifies what Hookline signs (whsec_ secrets)', async () => {
    await fc.assert(
      fc.asyncProperty(bodies, ids, keys, async (body, id, key) => {
        const secret = `whsec_${Buffer.from(key).toString('base64')}`;
        const timestamp = Math.floor(Date.now() / 1000);
        const headers = await entry.standardWebhooks.sign({ body, id, secret, timestamp });
        expect(() => new Webhook(secret).verify(body, headers, { jsonParse: false })).not.toThrow();
      }),
      { numRuns: 100 },
    );
  });

  it('standardwebhooks verifies what Hookline signs during a rotation (two signatures, either secret)', async () => {
    const secrets = [entry.standardWebhooks.generateSecret(), entry.standardWebhooks.generateSecret()];
    const headers = await entry.standardWebhooks.sign({ body: '{"a":1}', id: 'msg_rot', secret: secrets });
    for (const secret of secrets) expect(new Webhook(secret).verify('{"a":1}', headers)).toEqual({ a: 1 });
  });

  it('standardwebhooks verifies what Hookline signs with a raw-format secret', async () => {
    const raw = new TextEncoder().encode('plain-text-secret-0123456789');
    const headers = await entry.standardWebhooks.sign({ body: '{}', id: 'msg_raw', secret: raw });
    expect(new Webhook(raw, { format: 'raw' }).verify('{}', headers)).toEqual({});
  });

  it('Hookline verifies what standardwebhooks signs', async () => {
    await fc.assert(
      fc.asyncProperty(bodies, ids, keys, fc.integer({ min: 1, max: 4_102_444_800 }), async (body, id, key, ts) => {
        const secret = `whsec_${Buffer.from(key).toString('base64')}`;
        const signature = new Webhook(secret).sign(id, new Date(ts * 1000), body);
        const headers = { 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': signature };
        const result = await entry.standardWebhooks.verify({ body, headers, secret, now: () => ts * 1000 });
        expect(result.id).toBe(id);
      }),
      { numRuns: 100 },
    );
  });

  it('a tampered body is refused by both', async () => {
    const secret = entry.standardWebhooks.generateSecret();
    const headers = await entry.standardWebhooks.sign({ body: '{"amount":100}', id: 'msg_t', secret });
    expect(() => new Webhook(secret).verify('{"amount":900}', headers)).toThrow();
    await expect(entry.standardWebhooks.verify({ body: '{"amount":900}', headers, secret })).rejects.toMatchObject({
      code: 'HOOKLINE_SIGNATURE_MISMATCH',
    });
  });
});
