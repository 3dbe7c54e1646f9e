// Which endpoints a message goes to: the same rule in every store, so it lives once, here. Event types and channels
// are also written in SQL for PostgreSQL's one-statement publish (same cases, test/policies/fan-out-cases.ts); the
// payload filter is evaluated here alone, by both stores (PostgreSQL's publish passes in the endpoints it let through).
import type { PayloadTest } from '../payload-filter/compile.js';

export interface EndpointFilter {
  /** null = every event type. */
  eventTypes: readonly string[] | null;
  /** null = every message; otherwise the message must carry one of these channels. */
  channels: readonly string[] | null;
}

/** An enabled endpoint as fan-out reads it: its filters parsed, its payload filter compiled. */
export interface FanOutEndpoint {
  id: string;
  filter: EndpointFilter;
  /** null: no payload filter. */
  payloadTest: PayloadTest | null;
}

/** A message's payload, parsed at most once however many endpoints filter on it, and only if one does. */
export class PublishedPayload {
  private parsed: { value: unknown } | null = null;
  constructor(private readonly json: string) {}

  value(): unknown {
    this.parsed ??= { value: JSON.parse(this.json) };
    return this.parsed.value;
  }
}

/** Whether the payload passes an endpoint's payload filter (null: it has none, and every payload does). */
export function passesPayloadFilter(test: PayloadTest | null, payload: PublishedPayload): boolean {
  return test === null || test(payload.value());
}

/**
 * Whether a message goes to this endpoint: the one it names (a test event, whatever its filters), or (naming none)
 * every endpoint whose event types, channels and payload filter it matches.
 */
export function receivesMessage(
  endpoint: FanOutEndpoint,
  message: { eventType: string; channels: readonly string[] | null; payload: PublishedPayload },
  onlyEndpointId: string | null,
): boolean {
  if (onlyEndpointId !== null) return endpoint.id === onlyEndpointId;
  return matchesEndpoint(endpoint.filter, message) && passesPayloadFilter(endpoint.payloadTest, message.payload);
}

export function matchesEndpoint(
  filter: EndpointFilter,
  message: { eventType: string; channels: readonly string[] | null },
): boolean {
  if (filter.eventTypes !== null && filter.eventTypes.length > 0 && !filter.eventTypes.includes(message.eventType)) {
    return false;
  }
  if (filter.channels !== null && filter.channels.length > 0) {
    if (message.channels === null) return false;
    return message.channels.some((channel) => filter.channels?.includes(channel));
  }
  return true;
}
