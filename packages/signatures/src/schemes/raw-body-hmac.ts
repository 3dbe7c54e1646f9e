// The family of schemes that sign the raw body alone with HMAC-SHA256 and put the digest in one header, with an
// optional prefix: GitHub (`sha256=<hex>`), Shopify (`<base64>`) and the plain in-house scheme. They sign no
// timestamp, so they cannot refuse a replay by themselves: dedupe by the id header does that.
import { MAX_SIGNATURES_PER_HEADER, matchesAny } from '../compare.js';
import type { CryptoBackend } from '../crypto/backend.js';
import { isBase64, isHex } from '../encoding.js';
import { MalformedHeaderError, MissingHeaderError, SignatureMismatchError } from '../errors.js';
import { readHeader } from '../headers.js';
import { utf8HmacKeys } from '../hmac-keys.js';
import { secretList } from '../secrets.js';
import type { Scheme, SignInput, VerifiedWebhook, VerifyInput } from '../types.js';

export interface RawBodyHmacOptions {
  /** The scheme's name, as verify results report it. */
  name: string;
  /** The header that carries the signature, any casing. */
  header: string;
  /** Text before the digest, such as `sha256=`; empty for none. Matched exactly. */
  prefix: string;
  encoding: 'hex' | 'base64';
  /** A header carrying the sender's delivery id, reported as `id` when present. */
  idHeader?: string;
}

export function createRawBodyHmac(crypto: CryptoBackend, options: RawBodyHmacOptions): Scheme {
  const header = options.header.toLowerCase();
  const prefix = options.prefix;
  const idHeader = options.idHeader?.toLowerCase();
  const keyOf = utf8HmacKeys(crypto);
  const encode = (digest: Uint8Array) =>
    prefix + (options.encoding === 'hex' ? crypto.toHex(digest) : crypto.toBase64(digest));

  function parseSignatures(value: string): Uint8Array[] {
    // One signature is the norm; a comma-separated list lets a sender sign with old and new secret in a rotation.
    const entries = value.split(',');
    if (entries.length > MAX_SIGNATURES_PER_HEADER) {
      throw new MalformedHeaderError(header, `more than ${MAX_SIGNATURES_PER_HEADER} signatures`);
    }
    const signatures: Uint8Array[] = [];
    for (const raw of entries) {
      const entry = raw.trim();
      if (!entry.startsWith(prefix)) continue;
      const encoded = entry.slice(prefix.length);
      if (options.encoding === 'hex' ? isHex(encoded) : isBase64(encoded)) {
        signatures.push(options.encoding === 'hex' ? crypto.fromHex(encoded) : crypto.fromBase64(encoded));
      }
    }
    if (signatures.length === 0) {
      const shape = `${prefix}<${options.encoding}>`;
      throw new MalformedHeaderError(header, `expected ${shape}`);
    }
    return signatures;
  }

  return {
    name: options.name,

    async sign(input: SignInput) {
      const signatures: string[] = [];
      for (const secret of secretList(input.secret)) {
        signatures.push(encode(await crypto.hmacSha256(await keyOf(secret), [input.body])));
      }
      return { [header]: signatures.join(',') };
    },

    async verify(input: VerifyInput): Promise<VerifiedWebhook> {
      const secrets = secretList(input.secret);
      const value = readHeader(input.headers, header, ',');
      if (value === undefined) throw new MissingHeaderError(header);
      const signatures = parseSignatures(value);
      for (const secret of secrets) {
        const expected = await crypto.hmacSha256(await keyOf(secret), [input.body]);
        if (matchesAny(crypto, expected, signatures)) {
          const id = idHeader === undefined ? undefined : readHeader(input.headers, idHeader);
          return { scheme: options.name, id, timestamp: undefined };
        }
      }
      throw new SignatureMismatchError();
    },
  };
}
