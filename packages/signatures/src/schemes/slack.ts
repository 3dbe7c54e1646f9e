// Slack: `X-Slack-Signature: v0=<hex HMAC-SHA256(signing secret, `v0:${ts}:${raw body}`)>` with the timestamp in
// `X-Slack-Request-Timestamp`. The event id lives in the body (`event_id`), not in a header.
import { MAX_SIGNATURES_PER_HEADER, matchesAny } from '../compare.js';
import type { CryptoBackend } from '../crypto/backend.js';
import { isHex } from '../encoding.js';
import { MalformedHeaderError, MissingHeaderError, SignatureMismatchError } from '../errors.js';
import { readHeader } from '../headers.js';
import { utf8HmacKeys } from '../hmac-keys.js';
import { secretList } from '../secrets.js';
import { assertSignableTimestamp, assertWithinTolerance, currentUnixSeconds, parseUnixSeconds } from '../timestamp.js';
import type { Scheme, SignInput, VerifiedWebhook, VerifyInput } from '../types.js';

const SIGNATURE_HEADER = 'x-slack-signature';
const TIMESTAMP_HEADER = 'x-slack-request-timestamp';

function parseSignatures(crypto: CryptoBackend, value: string): Uint8Array[] {
  const entries = value.split(/[\s,]+/);
  if (entries.length > MAX_SIGNATURES_PER_HEADER) {
    throw new MalformedHeaderError(SIGNATURE_HEADER, `more than ${MAX_SIGNATURES_PER_HEADER} signatures`);
  }
  const signatures: Uint8Array[] = [];
  for (const entry of entries) {
    if (entry.startsWith('v0=') && isHex(entry.slice(3))) signatures.push(crypto.fromHex(entry.slice(3)));
  }
  if (signatures.length === 0) throw new MalformedHeaderError(SIGNATURE_HEADER, 'expected v0=<hex>');
  return signatures;
}

export function createSlack(crypto: CryptoBackend): Scheme {
  const keyOf = utf8HmacKeys(crypto);

  return {
    name: 'slack',

    async sign(input: SignInput) {
      const ts = String(assertSignableTimestamp(input.timestamp ?? currentUnixSeconds(undefined)));
      const signatures: string[] = [];
      for (const secret of secretList(input.secret)) {
        signatures.push(`v0=${crypto.toHex(await crypto.hmacSha256(await keyOf(secret), [`v0:${ts}:`, input.body]))}`);
      }
      return { [TIMESTAMP_HEADER]: ts, [SIGNATURE_HEADER]: signatures.join(',') };
    },

    async verify(input: VerifyInput): Promise<VerifiedWebhook> {
      const secrets = secretList(input.secret);
      const ts = readHeader(input.headers, TIMESTAMP_HEADER);
      if (ts === undefined) throw new MissingHeaderError(TIMESTAMP_HEADER);
      const value = readHeader(input.headers, SIGNATURE_HEADER, ',');
      if (value === undefined) throw new MissingHeaderError(SIGNATURE_HEADER);
      const timestamp = parseUnixSeconds(ts, TIMESTAMP_HEADER);
      assertWithinTolerance(timestamp, (input.now ?? Date.now)(), input.toleranceSeconds);
      const signatures = parseSignatures(crypto, value);
      for (const secret of secrets) {
        const expected = await crypto.hmacSha256(await keyOf(secret), [`v0:${ts}:`, input.body]);
        if (matchesAny(crypto, expected, signatures)) return { scheme: 'slack', id: undefined, timestamp };
      }
      throw new SignatureMismatchError();
    },
  };
}
