// Loads the signature test vectors (a copy of ../shared/vectors/signatures.json kept in the repo, so a clone
// without shared/ still tests) and says, per vector, how to verify it and where its tamperable bytes are.
import { readFileSync } from 'node:fs';
import type { Scheme, Secret, StandardWebhooksScheme, VerifyInput } from '@hookline/signatures';
import * as nodeEntry from '@hookline/signatures';
import { verifyNow } from '@hookline/signatures';
import * as webEntry from '@hookline/signatures/web';

export interface Vector {
  scheme: string;
  label: string;
  secret: string;
  secret_format?: 'raw';
  public_key?: string;
  headers: Record<string, string>;
  body: string;
  note?: string;
}

export const VECTORS_PATH = new URL('./vectors/signatures.json', import.meta.url);
export const SHARED_VECTORS_PATH = new URL('../../../../shared/vectors/signatures.json', import.meta.url);

export const vectors: Vector[] = (JSON.parse(readFileSync(VECTORS_PATH, 'utf8')) as { vectors: Vector[] }).vectors;

/**
 * A scheme whose `verify` answers through the synchronous path (`verifyNow`), as the receiver does. The promise
 * verify runs first only to import the key, as a receiver's first request does; the answer (result or error) is
 * the synchronous one, and a synchronous path that never answers is a failure.
 */
function verifiedAtOnce<S extends Scheme>(scheme: S): S {
  return {
    ...scheme,
    async verify(input: VerifyInput) {
      let warmUpError: unknown;
      let warmedUp = false;
      try {
        await scheme.verify(input);
        warmedUp = true;
      } catch (error) {
        warmUpError = error;
      }
      const result = verifyNow(scheme, input);
      if (result !== undefined) return result;
      // Without an imported key (an unusable secret) there is nothing to answer at once: verify's error stands.
      if (!warmedUp) throw warmUpError;
      throw new Error(`${scheme.name}: verifyNow did not answer after the key was imported`);
    },
  };
}

const standardWebhooksAtOnce: StandardWebhooksScheme = verifiedAtOnce(nodeEntry.standardWebhooks);
/** node:crypto with Standard Webhooks verified through the synchronous path (the other schemes have none). */
const nodeAtOnceEntry: typeof nodeEntry = {
  ...nodeEntry,
  standardWebhooks: standardWebhooksAtOnce,
  schemes: { ...nodeEntry.schemes, 'standard-webhooks': standardWebhooksAtOnce },
};

/** Both entry points: every behaviour must hold on node:crypto and on Web Crypto alone, and on the sync path. */
export const entries = [
  ['node', nodeEntry],
  ['web', webEntry],
  ['node (verified at once)', nodeAtOnceEntry],
] as const;

export type Entry = typeof nodeEntry;

export function schemeName(vector: Vector): keyof Entry['schemes'] {
  if (vector.scheme.startsWith('standard-webhooks')) return 'standard-webhooks';
  return vector.scheme as keyof Entry['schemes'];
}

/** The secrets a verifier is given for a vector: the shared secret, or for v1a the public key (and the secret key). */
export function verifySecrets(vector: Vector): Secret[] {
  if (vector.public_key !== undefined) return [vector.public_key, vector.secret];
  if (vector.secret_format === 'raw') return [new TextEncoder().encode(vector.secret)];
  return [vector.secret];
}

/** The header that carries the vector's timestamp, if the scheme signs one. */
export function timestampHeader(vector: Vector): string | undefined {
  for (const name of ['webhook-timestamp', 'svix-timestamp', 'x-slack-request-timestamp']) {
    if (vector.headers[name] !== undefined) return name;
  }
  return undefined;
}

export function vectorTimestamp(vector: Vector): number | undefined {
  const header = timestampHeader(vector);
  if (header !== undefined) return Number(vector.headers[header]);
  const stripe = vector.headers['stripe-signature'];
  if (stripe !== undefined) return Number(/t=(\d+)/.exec(stripe)?.[1]);
  return undefined;
}

export function clockAt(vector: Vector): () => number {
  const timestamp = vectorTimestamp(vector);
  return () => (timestamp === undefined ? Date.now() : timestamp * 1000);
}

export const SIGNATURE_HEADERS = [
  'webhook-signature',
  'svix-signature',
  'x-hub-signature-256',
  'stripe-signature',
  'x-slack-signature',
  'x-webhook-signature',
  'x-shopify-hmac-sha256',
];

export function signatureHeader(vector: Vector): string {
  const name = SIGNATURE_HEADERS.find((header) => vector.headers[header] !== undefined);
  if (name === undefined) throw new Error(`vector ${vector.label} has no signature header`);
  return name;
}

/** [start, end) of each encoded signature inside the signature header's value, without its `v1,`/`sha256=` tag. */
export function signatureSpans(value: string): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  const pattern = /(?:^|[\s,])(?:v1a?,|v1=|v0=|sha256=)?([A-Za-z0-9+/]{16,}={0,2})/g;
  for (let match = pattern.exec(value); match !== null; match = pattern.exec(value)) {
    const encoded = match[1] as string;
    const end = match.index + match[0].length;
    spans.push([end - encoded.length, end]);
  }
  return spans;
}

const HEX = '0123456789abcdef';
const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Another character of the same alphabet, so the header stays well formed and only the value changes. */
export function otherCharacter(character: string, hex: boolean): string {
  const alphabet = hex ? HEX : BASE64;
  const index = alphabet.indexOf(character);
  if (index < 0) return character === '=' ? 'A' : alphabet.charAt(0);
  return alphabet.charAt((index + 1) % alphabet.length);
}

export function isHexScheme(vector: Vector): boolean {
  return ['github', 'stripe', 'slack', 'hmac-sha256'].includes(vector.scheme);
}
