// Standard Webhooks (https://www.standardwebhooks.com), which Svix speaks too: the signed content is
// `${webhook-id}.${webhook-timestamp}.${body}`; `v1` is HMAC-SHA256 with a `whsec_` secret, `v1a` is Ed25519 with a
// `whsk_` secret key (signing) and its `whpk_` public key (verifying). One header may carry several signatures,
// space-separated, which is how a sender rotates secrets without a gap.
import { MAX_SIGNATURES_PER_HEADER, matchesAnyText } from '../compare.js';
import type { CryptoBackend, Ed25519SigningKey, Ed25519VerifyKey, HmacKey, MessagePart } from '../crypto/backend.js';
import { isBase64, isHeaderSafe, isLooseBase64 } from '../encoding.js';
import {
  InvalidSecretError,
  InvalidSignInputError,
  MalformedHeaderError,
  MissingHeaderError,
  SignatureMismatchError,
} from '../errors.js';
import { readHeader } from '../headers.js';
import { KeyCache } from '../key-cache.js';
import { secretList } from '../secrets.js';
import { assertSignableTimestamp, assertWithinTolerance, currentUnixSeconds, parseUnixSeconds } from '../timestamp.js';
import type { HeadersInput, Scheme, Secret, SignInput, VerifiedWebhook, VerifyInput } from '../types.js';
import { VERIFY_NOW, type VerifyNow } from '../verify-now.js';

export type StandardWebhooksHeaderPrefix = 'webhook' | 'svix';

export interface StandardWebhooksSignInput extends SignInput {
  /** The message id, sent as `webhook-id`; the same across retries, so receivers can dedupe on it. */
  id: string;
  /** `webhook` (default) sends `webhook-id`…; `svix` sends `svix-id`… for receivers built on Svix's libraries. */
  headerPrefix?: StandardWebhooksHeaderPrefix;
}

export interface StandardWebhooksScheme extends Scheme<StandardWebhooksSignInput> {
  /** A new random `whsec_` secret (32 bytes). */
  generateSecret(): string;
  /** A new Ed25519 pair: `whsk_` signs (sender keeps it), `whpk_` verifies (receivers get it). */
  generateKeyPair(): Promise<{ secretKey: string; publicKey: string }>;
  /** The `whpk_` public key of a `whsk_` secret key: what a sender shows receivers of a key it keeps. */
  publicKeyOf(secretKey: string): Promise<string>;
}

type ParsedKey =
  | { version: 'v1'; key: HmacKey }
  | { version: 'v1a'; verifyKey: Ed25519VerifyKey; signKey: Ed25519SigningKey | undefined };

const SYMMETRIC_PREFIX = 'whsec_';
const PUBLIC_KEY_PREFIX = 'whpk_';
const SECRET_KEY_PREFIX = 'whsk_';

function decodeBase64Secret(crypto: CryptoBackend, text: string, what: string): Uint8Array {
  if (!isLooseBase64(text)) {
    throw new InvalidSecretError(
      `${what} is not valid base64 (a secret that is plain text must be passed as bytes: new TextEncoder().encode(secret))`,
    );
  }
  return crypto.fromBase64(text);
}

async function parseKey(crypto: CryptoBackend, secret: Secret): Promise<ParsedKey> {
  if (typeof secret !== 'string') {
    return { version: 'v1', key: await crypto.importHmacKey(secret) };
  }
  if (secret.startsWith(PUBLIC_KEY_PREFIX)) {
    const publicKey = decodeBase64Secret(crypto, secret.slice(PUBLIC_KEY_PREFIX.length), 'a whpk_ key');
    if (publicKey.length !== 32) throw new InvalidSecretError('a whpk_ key must hold 32 bytes');
    return { version: 'v1a', verifyKey: await crypto.importEd25519VerifyKey(publicKey), signKey: undefined };
  }
  if (secret.startsWith(SECRET_KEY_PREFIX)) {
    const bytes = decodeBase64Secret(crypto, secret.slice(SECRET_KEY_PREFIX.length), 'a whsk_ key');
    if (bytes.length !== 64 && bytes.length !== 32) {
      throw new InvalidSecretError('a whsk_ key must hold 64 bytes (seed and public key) or a 32-byte seed');
    }
    const seed = bytes.subarray(0, 32);
    const publicKey = bytes.length === 64 ? bytes.subarray(32) : await crypto.ed25519PublicKey(seed);
    const derived = bytes.length === 64 ? await crypto.ed25519PublicKey(seed) : publicKey;
    if (!crypto.timingSafeEqual(derived, publicKey)) {
      throw new InvalidSecretError('the public half of the whsk_ key does not belong to its seed');
    }
    return {
      version: 'v1a',
      signKey: await crypto.importEd25519SigningKey({ seed, publicKey }),
      verifyKey: await crypto.importEd25519VerifyKey(publicKey),
    };
  }
  const encoded = secret.startsWith(SYMMETRIC_PREFIX) ? secret.slice(SYMMETRIC_PREFIX.length) : secret;
  const raw = decodeBase64Secret(crypto, encoded, 'a whsec_ secret');
  if (raw.length === 0) throw new InvalidSecretError('a whsec_ secret is empty');
  return { version: 'v1', key: await crypto.importHmacKey(raw) };
}

interface ReadHeaders {
  prefix: StandardWebhooksHeaderPrefix;
  id: string;
  timestamp: string;
  signature: string;
}

// The names of each family, made once: a name built per request (`${prefix}-id`) is a new string that every
// header lookup would first have to flatten and intern.
const HEADER_NAMES = {
  webhook: { id: 'webhook-id', timestamp: 'webhook-timestamp', signature: 'webhook-signature' },
  svix: { id: 'svix-id', timestamp: 'svix-timestamp', signature: 'svix-signature' },
} as const;

function readStandardHeaders(headers: HeadersInput): ReadHeaders {
  // Whichever family carries the signature is the one read; svix-* is what Svix-branded senders use. Each header
  // is read once.
  let prefix: StandardWebhooksHeaderPrefix = 'webhook';
  let signature = readHeader(headers, HEADER_NAMES.webhook.signature, ' ');
  if (signature === undefined) {
    signature = readHeader(headers, HEADER_NAMES.svix.signature, ' ');
    if (signature !== undefined) prefix = 'svix';
  }
  const names = HEADER_NAMES[prefix];
  const id = readHeader(headers, names.id);
  if (id === undefined) throw new MissingHeaderError(names.id);
  const timestamp = readHeader(headers, names.timestamp);
  if (timestamp === undefined) throw new MissingHeaderError(names.timestamp);
  if (signature === undefined) throw new MissingHeaderError(names.signature);
  return { prefix, id, timestamp, signature };
}

interface ParsedSignatures {
  /** As sent, canonical base64 (checked): compared as text with the expected HMAC's base64, never decoded. */
  v1: string[];
  v1a: Uint8Array[];
}

interface Prepared {
  secrets: readonly Secret[];
  read: ReadHeaders;
  timestamp: number;
  signatures: ParsedSignatures;
  message: MessagePart[];
}

/** 1 for the characters of a `v1,<base64>` entry: a header made only of these holds one entry and no space. */
const ENTRY_CHAR = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=,') ENTRY_CHAR[c.charCodeAt(0)] = 1;

/** The header's space-separated entries; the usual single entry without running a regex split. */
function signatureEntries(value: string): string[] {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code >= 128 || ENTRY_CHAR[code] === 0) return value.split(/\s+/);
  }
  return [value];
}

function parseSignatureHeader(crypto: CryptoBackend, header: string, value: string): ParsedSignatures {
  const entries = signatureEntries(value);
  if (entries.length > MAX_SIGNATURES_PER_HEADER) {
    throw new MalformedHeaderError(header, `more than ${MAX_SIGNATURES_PER_HEADER} signatures`);
  }
  const parsed: ParsedSignatures = { v1: [], v1a: [] };
  let wellFormed = 0;
  for (const entry of entries) {
    const comma = entry.indexOf(',');
    if (comma <= 0) continue;
    const encoded = entry.slice(comma + 1);
    if (!isBase64(encoded)) continue;
    wellFormed++;
    // Versions this library does not know are skipped, as the spec asks, so a sender can add one without
    // breaking receivers.
    if (comma === 2 && entry.startsWith('v1')) parsed.v1.push(encoded);
    else if (comma === 3 && entry.startsWith('v1a')) parsed.v1a.push(crypto.fromBase64(encoded));
  }
  if (wellFormed === 0) throw new MalformedHeaderError(header, 'no entry of the form v1,<base64>');
  return parsed;
}

export function createStandardWebhooks(crypto: CryptoBackend): StandardWebhooksScheme {
  const keys = new KeyCache<ParsedKey>();
  const keyOf = (secret: Secret) => keys.get(secret, (s) => parseKey(crypto, s));

  /** Everything verify checks before any key is used: secrets, headers, timestamp, the signature entries. */
  function prepare(input: VerifyInput): Prepared {
    const secrets = secretList(input.secret);
    const read = readStandardHeaders(input.headers);
    const timestamp = parseUnixSeconds(read.timestamp, HEADER_NAMES[read.prefix].timestamp);
    assertWithinTolerance(timestamp, (input.now ?? Date.now)(), input.toleranceSeconds);
    const signatures = parseSignatureHeader(crypto, HEADER_NAMES[read.prefix].signature, read.signature);
    const message = [`${read.id}.${read.timestamp}.`, input.body];
    return { secrets, read, timestamp, signatures, message };
  }

  function verified(prepared: Prepared, matched: boolean): VerifiedWebhook {
    if (!matched) throw new SignatureMismatchError();
    return { scheme: 'standard-webhooks', id: prepared.read.id, timestamp: prepared.timestamp };
  }

  async function verify(input: VerifyInput): Promise<VerifiedWebhook> {
    const prepared = prepare(input);
    const { signatures, message } = prepared;
    let matched = false;
    for (const secret of prepared.secrets) {
      const parsed = await keyOf(secret);
      if (parsed.version === 'v1') {
        if (signatures.v1.length === 0) continue;
        const expected = crypto.toBase64(await crypto.hmacSha256(parsed.key, message));
        if (matchesAnyText(expected, signatures.v1)) matched = true;
      } else {
        for (const signature of signatures.v1a) {
          if (await crypto.ed25519Verify(parsed.verifyKey, message, signature)) matched = true;
        }
      }
      if (matched) break;
    }
    return verified(prepared, matched);
  }

  // The same steps in the same order as verify, without a promise; undefined as soon as a step would have to wait.
  const hmacSha256Sync = crypto.hmacSha256Sync?.bind(crypto);
  const hmacBase64Sync =
    crypto.hmacSha256Base64Sync?.bind(crypto) ??
    (hmacSha256Sync === undefined
      ? undefined
      : (key: HmacKey, message: readonly MessagePart[]) => crypto.toBase64(hmacSha256Sync(key, message)));
  const ed25519VerifySync = crypto.ed25519VerifySync?.bind(crypto);
  const verifyNow: VerifyNow | undefined =
    hmacBase64Sync === undefined || ed25519VerifySync === undefined
      ? undefined
      : (input) => {
          const prepared = prepare(input);
          const { signatures, message } = prepared;
          let matched = false;
          for (const secret of prepared.secrets) {
            const parsed = keys.peek(secret);
            if (parsed === undefined) return undefined;
            if (parsed.version === 'v1') {
              if (signatures.v1.length === 0) continue;
              if (matchesAnyText(hmacBase64Sync(parsed.key, message), signatures.v1)) matched = true;
            } else {
              for (const signature of signatures.v1a) {
                if (ed25519VerifySync(parsed.verifyKey, message, signature)) matched = true;
              }
            }
            if (matched) break;
          }
          return verified(prepared, matched);
        };

  async function sign(input: StandardWebhooksSignInput): Promise<Record<string, string>> {
    if (typeof input.id !== 'string' || !isHeaderSafe(input.id)) {
      throw new InvalidSignInputError('id must be a non-empty string of visible ASCII characters');
    }
    const timestamp = String(assertSignableTimestamp(input.timestamp ?? currentUnixSeconds(undefined)));
    const message = [`${input.id}.${timestamp}.`, input.body];
    const signatures: string[] = [];
    for (const secret of secretList(input.secret)) {
      const parsed = await keyOf(secret);
      if (parsed.version === 'v1') {
        signatures.push(`v1,${crypto.toBase64(await crypto.hmacSha256(parsed.key, message))}`);
      } else if (parsed.signKey !== undefined) {
        signatures.push(`v1a,${crypto.toBase64(await crypto.ed25519Sign(parsed.signKey, message))}`);
      } else {
        throw new InvalidSecretError('a whpk_ public key can verify but not sign: sign with the whsk_ key');
      }
    }
    const prefix = input.headerPrefix ?? 'webhook';
    return {
      [`${prefix}-id`]: input.id,
      [`${prefix}-timestamp`]: timestamp,
      [`${prefix}-signature`]: signatures.join(' '),
    };
  }

  async function publicKeyOf(secretKey: string): Promise<string> {
    if (typeof secretKey !== 'string' || !secretKey.startsWith(SECRET_KEY_PREFIX)) {
      throw new InvalidSecretError('a public key is derived from a whsk_ secret key');
    }
    // parseKey checks the length and that a 64-byte key's public half belongs to its seed.
    await keyOf(secretKey);
    const bytes = crypto.fromBase64(secretKey.slice(SECRET_KEY_PREFIX.length));
    const publicKey = bytes.length === 64 ? bytes.subarray(32) : await crypto.ed25519PublicKey(bytes);
    return `${PUBLIC_KEY_PREFIX}${crypto.toBase64(publicKey)}`;
  }

  const scheme: StandardWebhooksScheme & { [VERIFY_NOW]?: VerifyNow } = {
    name: 'standard-webhooks',
    publicKeyOf,
    sign,
    verify,
    generateSecret: () => `${SYMMETRIC_PREFIX}${crypto.toBase64(crypto.randomBytes(32))}`,
    async generateKeyPair() {
      const pair = await crypto.generateEd25519KeyPair();
      const secretKey = new Uint8Array(64);
      secretKey.set(pair.seed, 0);
      secretKey.set(pair.publicKey, 32);
      return {
        secretKey: `${SECRET_KEY_PREFIX}${crypto.toBase64(secretKey)}`,
        publicKey: `${PUBLIC_KEY_PREFIX}${crypto.toBase64(pair.publicKey)}`,
      };
    },
  };
  if (verifyNow !== undefined) scheme[VERIFY_NOW] = verifyNow;
  return scheme;
}
