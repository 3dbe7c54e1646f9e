// What an endpoint's receiver expects on the wire: the body in the format it reads (JSON, or a form field as older
// receivers expect) and the signature in the scheme it verifies. Pure apart from the signing itself.
import { github, hmacSha256, standardWebhooks } from '@hookline/signatures';
import type { PayloadFormat, SignatureScheme } from '../store/types.js';

/**
 * standard-webhooks: `webhook-id/-timestamp/-signature` (or `svix-*`), every active secret signing (v1 HMAC for
 * `whsec_`, v1a Ed25519 for `whsk_`). hmac-sha256: `X-Webhook-Signature: sha256=<hex>` over the body, with
 * `X-Webhook-Event` and `X-Webhook-Event-Id`. github: `X-Hub-Signature-256` with `X-GitHub-Event` and
 * `X-GitHub-Delivery`, the three headers @octokit/webhooks reads.
 */
export const SIGNATURE_SCHEMES: readonly SignatureScheme[] = ['standard-webhooks', 'hmac-sha256', 'github'];
export const PAYLOAD_FORMATS: readonly PayloadFormat[] = ['json', 'form'];

/** Header names the schemes set besides the standard ones; the API refuses them as custom headers. */
export const SCHEME_HEADERS: readonly string[] = [
  'x-webhook-signature',
  'x-webhook-event',
  'x-webhook-event-id',
  'x-hub-signature-256',
  'x-github-event',
  'x-github-delivery',
];

/** Whether a scheme can sign with this kind of secret: the single-HMAC schemes have no asymmetric form. */
export function schemeAcceptsSecret(scheme: SignatureScheme, secret: string): boolean {
  return scheme === 'standard-webhooks' || !secret.startsWith('whsk_');
}

/**
 * The bytes sent. `form` is GitHub's form shape: one field `payload` holding the JSON text, so a receiver reads
 * `payload` and parses it; the signature covers these bytes, as GitHub's does.
 */
export function deliveryBody(payload: string, format: PayloadFormat): { body: string; contentType: string } {
  if (format === 'form') {
    return { body: new URLSearchParams({ payload }).toString(), contentType: 'application/x-www-form-urlencoded' };
  }
  return { body: payload, contentType: 'application/json' };
}

export interface SigningInput {
  scheme: SignatureScheme;
  headerPrefix: 'webhook' | 'svix';
  messageId: string;
  eventType: string;
  body: string;
  /** The active secrets, newest first. */
  secrets: readonly string[];
  timestampSeconds: number;
}

/** The headers that sign one delivery; lowercase names, so deliveryHeaders can drop a custom header they shadow. */
export async function signDelivery(input: SigningInput): Promise<Record<string, string>> {
  if (input.scheme === 'standard-webhooks') {
    // Every active secret signs during a rotation; a receiver holding any one of them verifies.
    return standardWebhooks.sign({
      id: input.messageId,
      body: input.body,
      secret: [...input.secrets],
      timestamp: input.timestampSeconds,
      headerPrefix: input.headerPrefix,
    });
  }
  // These schemes carry one signature, and the verifiers of their ecosystem (@octokit/webhooks-methods, an in-house
  // `sha256=` compare) read exactly one: the newest secret signs alone, and a rotation takes effect at once.
  const [newest] = input.secrets;
  if (newest === undefined) throw new Error('the endpoint has no active secret');
  if (!schemeAcceptsSecret(input.scheme, newest)) {
    throw new Error(`the ${input.scheme} scheme signs with HMAC: a whsk_ (Ed25519) key cannot sign it`);
  }
  if (input.scheme === 'github') {
    const signed = await github.sign({ body: input.body, secret: newest });
    return {
      'x-hub-signature-256': signed['x-hub-signature-256'] as string,
      'x-github-event': input.eventType,
      'x-github-delivery': input.messageId,
    };
  }
  const signed = await hmacSha256.sign({ body: input.body, secret: newest });
  return {
    'x-webhook-signature': signed['x-webhook-signature'] as string,
    'x-webhook-event': input.eventType,
    'x-webhook-event-id': input.messageId,
  };
}
