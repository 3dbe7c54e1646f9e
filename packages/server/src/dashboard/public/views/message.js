// One message: its payload, and per endpoint its delivery (the attempts, newest first) with everything sent and
// received; replay a delivery. Refreshes itself while it is on screen.
import { api, enc } from '../api.js';
import { formatTime, h, pretty, toast } from '../dom.js';
import { every } from '../timers.js';
import { outcomeOf } from './attempts-table.js';
import { deliveriesOf, deliveryState } from './delivery-state.js';

/** What came back, for the summary line: the status, or why nothing did (ENOTFOUND, a timeout), shortened. */
function responseSummary(attempt) {
  if (attempt.responseStatusCode !== 0) return `HTTP ${attempt.responseStatusCode}`;
  if (!attempt.error) return 'no response';
  const error = attempt.error.length > 80 ? `${attempt.error.slice(0, 79)}…` : attempt.error;
  return `no response (${error})`;
}

function bytesOf(text) {
  return new TextEncoder().encode(text).length;
}

/**
 * The request body as sent: the stored payload is JSON.stringify of what was published and is sent as it is, and
 * JSON.parse then JSON.stringify gives those same characters back, so this is the body byte for byte (not the
 * pretty-printed payload above).
 */
function sentBody(message) {
  return JSON.stringify(message.payload);
}

/** Retention removed the payload (the API shows Svix's `{"expired": true}` in its place): say so, and when. */
function prunedNote(message) {
  return h(
    'p',
    { class: 'hint payload-pruned' },
    `Payload pruned ${formatTime(message.payloadPrunedAt)} by retention: the message and its attempts are kept, but it can no longer be resent.`,
  );
}

function attemptDetails(attempt, message) {
  const headers = attempt.requestHeaders
    ? Object.entries(attempt.requestHeaders)
        .map(([name, value]) => `${name}: ${value}`)
        .join('\n')
    : null;
  return h(
    'details',
    {},
    h(
      'summary',
      {},
      formatTime(attempt.timestamp),
      ' · ',
      outcomeOf(attempt),
      ` · ${responseSummary(attempt)}`,
      ` · ${attempt.responseDurationMs} ms · ${attempt.triggerType === 1 ? 'manual' : 'scheduled'}`,
    ),
    h('p', {}, 'POST ', h('code', {}, attempt.url)),
    attempt.error ? h('p', { class: 'fail' }, 'Error: ', attempt.error) : null,
    headers === null ? null : [h('h4', {}, 'Request headers'), h('pre', {}, headers)],
    ...(message.payloadPrunedAt
      ? [h('h4', {}, 'Request body'), prunedNote(message)]
      : [
          h(
            'h4',
            {},
            'Request body ',
            h('span', { class: 'hint' }, `(exactly as sent, ${bytesOf(sentBody(message))} bytes)`),
          ),
          h('pre', { class: 'sent-body' }, sentBody(message)),
        ]),
    h('h4', {}, 'Response body'),
    h('pre', {}, attempt.response === '' ? '(empty)' : pretty(attempt.response)),
  );
}

function deliverySection(appId, message, endpointId, attempts, endpointsById, destination) {
  const latest = attempts[0];
  const endpoint = endpointsById.get(endpointId);
  const [tone, state] = deliveryState(latest, destination);
  const next = destination?.nextAttempt ? `next attempt ${formatTime(destination.nextAttempt)}` : null;
  const replay = h(
    'button',
    {
      type: 'button',
      onclick: async () => {
        replay.disabled = true;
        try {
          await api('POST', `/app/${enc(appId)}/msg/${enc(message.id)}/endpoint/${enc(endpointId)}/resend`);
          toast('Replay queued');
        } catch (failure) {
          toast(`Replay refused: ${failure.message}`);
        } finally {
          replay.disabled = false;
        }
      },
    },
    'Replay',
  );
  return h(
    'section',
    { class: 'card', 'aria-label': `Delivery to ${endpoint?.url ?? endpointId}`, 'data-endpoint': endpointId },
    h(
      'h3',
      {},
      h('a', { href: `#/app/${enc(appId)}/endpoint/${enc(endpointId)}` }, endpoint?.url ?? endpointId),
      ' ',
      h('span', { class: `badge ${tone}`, 'data-testid': 'delivery-status' }, state),
    ),
    h(
      'div',
      { class: 'row' },
      replay,
      h('span', { class: 'hint' }, `${attempts.length} attempt(s)`),
      next ? h('span', { class: 'hint' }, next) : null,
    ),
    attempts.map((attempt) => attemptDetails(attempt, message)),
  );
}

export async function messageView(appId, messageId) {
  const base = `/app/${enc(appId)}`;
  const [message, endpointsPage] = await Promise.all([
    api('GET', `${base}/msg/${enc(messageId)}`),
    api('GET', `${base}/endpoint?limit=250`),
  ]);
  const endpointsById = new Map(endpointsPage.data.map((endpoint) => [endpoint.id, endpoint]));
  const deliveries = h('div', { 'aria-live': 'polite', 'aria-busy': 'false' });
  let lastSeen = '';
  const refresh = async () => {
    // Where the message goes, attempted or not yet (Svix's attempted destinations), and every attempt.
    const found = await deliveriesOf(appId, message.id);
    const attempts = found.attempts;
    const destinations = new Map(found.destinations.map((destination) => [destination.id, destination]));
    const signature = JSON.stringify([attempts.map((attempt) => attempt.id), found.destinations]);
    if (signature === lastSeen) return;
    lastSeen = signature;
    const byEndpoint = new Map([...destinations.keys()].map((endpointId) => [endpointId, []]));
    for (const attempt of attempts) {
      if (!byEndpoint.has(attempt.endpointId)) byEndpoint.set(attempt.endpointId, []);
      byEndpoint.get(attempt.endpointId).push(attempt);
    }
    deliveries.replaceChildren(
      ...(byEndpoint.size === 0
        ? [h('p', {}, 'This message matched no endpoint.')]
        : [...byEndpoint].map(([endpointId, list]) =>
            deliverySection(appId, message, endpointId, list, endpointsById, destinations.get(endpointId)),
          )),
    );
  };
  await refresh();
  every(1500, () => refresh().catch(() => {}));
  return h(
    'section',
    {},
    h('h1', {}, 'Message ', h('code', {}, message.id)),
    h(
      'table',
      {},
      h(
        'tbody',
        {},
        h('tr', {}, h('th', { scope: 'row' }, 'Event type'), h('td', {}, message.eventType)),
        h('tr', {}, h('th', { scope: 'row' }, 'Event id'), h('td', {}, message.eventId ?? '—')),
        h('tr', {}, h('th', { scope: 'row' }, 'Created'), h('td', {}, formatTime(message.timestamp))),
      ),
    ),
    h('h2', {}, 'Payload'),
    message.payloadPrunedAt ? prunedNote(message) : h('pre', {}, JSON.stringify(message.payload, null, 2)),
    h('h2', {}, 'Deliveries'),
    deliveries,
  );
}
