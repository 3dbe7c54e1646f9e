// Which endpoints a message goes to: the same rule in every store, so it lives once, here.

export interface EndpointFilter {
  /** null = every event type. */
  eventTypes: readonly string[] | null;
  /** null = every message; otherwise the message must carry one of these channels. */
  channels: readonly string[] | null;
}

/** Whether a message goes to this endpoint: the one it names, or (naming none) every endpoint its filter matches. */
export function receivesMessage(
  endpoint: { id: string; filter: EndpointFilter },
  message: { eventType: string; channels: readonly string[] | null },
  onlyEndpointId: string | null,
): boolean {
  return onlyEndpointId === null ? matchesEndpoint(endpoint.filter, message) : endpoint.id === onlyEndpointId;
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
