// Stripe: `Stripe-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>…][,v0=…]`, where v1 is
// HMAC-SHA256(secret, `${t}.${raw body}`) keyed with the whole secret string (`whsec_…` included, not decoded).
// Several v1 entries appear while a secret is being rolled; v0 (test-mode legacy) is ignored.
import { MAX_SIGNATURES_PER_HEADER, matchesAny } from '../compare.js';
import type { CryptoBackend } from '../crypto/backend.js';
import { isHex } from '../encoding.js';
import { MalformedHeaderError, MissingHeaderError, SignatureMismatchError } from '../errors.js';
import { readHeader } from '../headers.js';
import { utf8HmacKeys } from '../hmac-keys.js';
import { secretList } from '../secrets.js';
import { assertSignableTimestamp, assertWithinTolerance, currentUnixSeconds, parseUnixSeconds } from '../timestamp.js';
import type { Scheme, SignInput, VerifiedWebhook, VerifyInput } from '../types.js';

const HEADER = 'stripe-signature';

function parseHeader(crypto: CryptoBackend, value: string): { t: string; v1: Uint8Array[] } {
  const items = value.split(',');
  if (items.length > MAX_SIGNATURES_PER_HEADER + 2) {
    throw new MalformedHeaderError(HEADER, `more than ${MAX_SIGNATURES_PER_HEADER} signatures`);
  }
  let t: string | undefined;
  const v1: Uint8Array[] = [];
  for (const item of items) {
    const equals = item.indexOf('=');
    if (equals <= 0) continue;
    const key = item.slice(0, equals).trim();
    const val = item.slice(equals + 1).trim();
    if (key === 't') {
      if (t !== undefined && t !== val) throw new MalformedHeaderError(HEADER, 'two different timestamps');
      t = val;
    } else if (key === 'v1' && isHex(val)) {
      v1.push(crypto.fromHex(val));
    }
  }
  if (t === undefined) throw new MalformedHeaderError(HEADER, 'no t=<timestamp>');
  if (v1.length === 0) throw new SignatureMismatchError('no v1 signature in the Stripe-Signature header');
  return { t, v1 };
}

export function createStripe(crypto: CryptoBackend): Scheme {
  const keyOf = utf8HmacKeys(crypto);

  return {
    name: 'stripe',

    async sign(input: SignInput) {
      const t = String(assertSignableTimestamp(input.timestamp ?? currentUnixSeconds(undefined)));
      const parts = [`t=${t}`];
      for (const secret of secretList(input.secret)) {
        parts.push(`v1=${crypto.toHex(await crypto.hmacSha256(await keyOf(secret), [`${t}.`, input.body]))}`);
      }
      return { [HEADER]: parts.join(',') };
    },

    async verify(input: VerifyInput): Promise<VerifiedWebhook> {
      const secrets = secretList(input.secret);
      const value = readHeader(input.headers, HEADER, ',');
      if (value === undefined) throw new MissingHeaderError(HEADER);
      const { t, v1 } = parseHeader(crypto, value);
      const timestamp = parseUnixSeconds(t, HEADER);
      assertWithinTolerance(timestamp, (input.now ?? Date.now)(), input.toleranceSeconds);
      for (const secret of secrets) {
        const expected = await crypto.hmacSha256(await keyOf(secret), [`${t}.`, input.body]);
        if (matchesAny(crypto, expected, v1)) return { scheme: 'stripe', id: undefined, timestamp };
      }
      throw new SignatureMismatchError();
    },
  };
}
