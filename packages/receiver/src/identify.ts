// Where each provider puts the event's name and id. The signature proves the bytes; this reads what they mean.
import type { HeadersInput } from '@hookline/signatures';
import { InvalidConfigurationError } from './errors.js';
import { headerValue } from './headers.js';

export interface EventIdentity {
  /** The full event name handlers route on. Undefined or empty: the request is refused with 400. */
  type: string | undefined;
  /** The event id dedupe keys on; undefined when the provider sends none (then there is no dedupe). */
  id: string | undefined;
  /** Broader names the event also routes under, after `type` (GitHub: `issues` for `issues.opened`). */
  alsoRoutesAs?: readonly string[];
  /** Answer this JSON at once instead of routing (Slack's url_verification challenge). */
  reply?: unknown;
}

export interface IdentifyInput {
  headers: HeadersInput;
  payload: unknown;
  /** The id the signature scheme read from its own headers, if any. */
  verifiedId: string | undefined;
}

export type IdentifyEvent = (input: IdentifyInput) => EventIdentity;

function field(payload: unknown, key: string): unknown {
  return typeof payload === 'object' && payload !== null && !Array.isArray(payload)
    ? (payload as Record<string, unknown>)[key]
    : undefined;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function stringField(payload: unknown, key: string): string | undefined {
  const value = field(payload, key);
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * Standard Webhooks (and Svix): body `type`, else the `webhook-event-type` (or `svix-event-type`) header that
 * Hookline sends with every delivery, so its payloads route as published; id from `webhook-id`. The body wins
 * because the signature covers it and not the header.
 */
export const identifyStandardWebhooks: IdentifyEvent = ({ headers, payload, verifiedId }) => ({
  type:
    stringField(payload, 'type') ??
    nonEmpty(headerValue(headers, 'webhook-event-type')) ??
    nonEmpty(headerValue(headers, 'svix-event-type')),
  id: verifiedId,
});

/** GitHub: `X-GitHub-Event` plus the body's `action` (`issues.opened`, also routed as `issues`), `X-GitHub-Delivery`. */
export const identifyGithub: IdentifyEvent = ({ headers, payload, verifiedId }) => {
  const event = headerValue(headers, 'x-github-event');
  const action = stringField(payload, 'action');
  const id = verifiedId ?? headerValue(headers, 'x-github-delivery');
  if (event === undefined || action === undefined) return { type: event, id };
  return { type: `${event}.${action}`, id, alsoRoutesAs: [event] };
};

/** Stripe: body `type` and `id` (`evt_…`). */
export const identifyStripe: IdentifyEvent = ({ payload }) => ({
  type: stringField(payload, 'type'),
  id: stringField(payload, 'id'),
});

/** Shopify: `X-Shopify-Topic` (`orders/create`) and `X-Shopify-Webhook-Id`. */
export const identifyShopify: IdentifyEvent = ({ headers, verifiedId }) => ({
  type: headerValue(headers, 'x-shopify-topic'),
  id: verifiedId ?? headerValue(headers, 'x-shopify-webhook-id'),
});

/**
 * Slack Events API: an `event_callback` routes on the inner `event.type` (`app_mention`), id `event_id`; the
 * `url_verification` handshake is answered with its challenge; other envelopes route on their own `type`.
 */
export const identifySlack: IdentifyEvent = ({ payload }) => {
  const type = stringField(payload, 'type');
  if (type === 'url_verification') {
    return { type, id: undefined, reply: { challenge: stringField(payload, 'challenge') ?? '' } };
  }
  if (type === 'event_callback') {
    return { type: stringField(field(payload, 'event'), 'type'), id: stringField(payload, 'event_id') };
  }
  return { type, id: stringField(payload, 'event_id') };
};

/** Plain HMAC and custom schemes, unless configured: body `type`, id from the body `id` or `X-Webhook-Id`. */
export const identifyByBodyType: IdentifyEvent = ({ headers, payload, verifiedId }) => ({
  type: stringField(payload, 'type'),
  id: verifiedId ?? stringField(payload, 'id') ?? headerValue(headers, 'x-webhook-id'),
});

export interface FieldIdentityOptions {
  /** The event name: fixed (`payment.paid`), for a callback URL that only ever means one thing… */
  type?: string;
  /** …or read from this field (`event`, `trade_status`), optionally after a prefix (`payment.` + value). */
  typeField?: string;
  typePrefix?: string;
  /** The field that identifies the event (dedupe key), e.g. the order or payment id. */
  idField?: string;
}

/**
 * For callbacks whose fields say what happened (a payment gateway's `?id=xyz&status=paid`, a form POST):
 * `identifyFields({ type: 'payment.paid', idField: 'id' })`. Fields are the query's, the form's or the JSON
 * body's top level; a field sent several times is ignored.
 */
export function identifyFields(options: FieldIdentityOptions): IdentifyEvent {
  const { type, typeField, typePrefix = '', idField } = options;
  if ((type === undefined) === (typeField === undefined)) {
    throw new InvalidConfigurationError('identifyFields needs exactly one of type (fixed) or typeField');
  }
  return ({ payload }) => {
    const read = typeField === undefined ? undefined : stringField(payload, typeField);
    return {
      type: type ?? (read === undefined ? undefined : `${typePrefix}${read}`),
      id: idField === undefined ? undefined : stringField(payload, idField),
    };
  };
}

export const DEFAULT_IDENTIFY: Readonly<Record<string, IdentifyEvent>> = {
  'standard-webhooks': identifyStandardWebhooks,
  github: identifyGithub,
  stripe: identifyStripe,
  shopify: identifyShopify,
  slack: identifySlack,
  'hmac-sha256': identifyByBodyType,
};
