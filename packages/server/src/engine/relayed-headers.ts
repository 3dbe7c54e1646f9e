// The headers of a delivery of a message relayed from a source. The provider's own headers go on, so the app sees
// what the provider sent (its event name, delivery id, content type); then, per the source's signature mode,
// either the provider's signature stays the only one (`original`: the app verifies the provider, as if it had
// been called directly) or Hookline signs with the endpoint's secret (`hookline`). The endpoint's custom headers
// apply as on any delivery and never replace the provider's or ours.
import { hasPrefix } from '../ids.js';
import type { InboundForwarding } from '../store/sources.js';
import type { Message } from '../store/types.js';
import { eventTypeHeader, isReservedHeader } from './delivery-headers.js';

/** A message published by the relay: its eventId is the inbound request's id (operations/relay.ts). */
export function isRelayedMessage(message: Pick<Message, 'eventId'>): message is { eventId: string } {
  return message.eventId !== null && hasPrefix(message.eventId, 'inb');
}

export function relayedDeliveryHeaders(
  custom: Readonly<Record<string, string>>,
  signed: Readonly<Record<string, string>>,
  forwarding: InboundForwarding,
  userAgent: string,
  eventType: string,
  headerPrefix: 'webhook' | 'svix',
): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(custom)) {
    if (!isReservedHeader(name)) headers[name.toLowerCase()] = value;
  }
  const resigned = forwarding.signatureMode === 'hookline';
  for (const [name, value] of Object.entries(forwarding.headers)) {
    // Re-signed: a provider header in our signature's namespace would sit beside ours and confuse a verifier.
    if (resigned && (name.startsWith('webhook-') || name.startsWith('svix-'))) continue;
    headers[name] = value;
  }
  return {
    ...headers,
    ...(resigned ? signed : {}),
    [eventTypeHeader(headerPrefix)]: eventType,
    'content-type': forwarding.headers['content-type'] ?? 'application/json',
    'user-agent': resigned ? userAgent : (forwarding.headers['user-agent'] ?? userAgent),
  };
}
