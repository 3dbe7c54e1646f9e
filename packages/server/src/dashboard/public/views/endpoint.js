// One endpoint: health, recent attempts, its secret (reveal, rotate), a test event, recovery of failures since a
// time, edit and delete.
import { api, enc } from '../api.js';
import { formatTime, h, toast } from '../dom.js';
import { attemptsTable } from './attempts-table.js';
import { circuitBadge, stateBadge, successRate } from './health.js';
import { heldKeysSection } from './held-keys.js';

function localInputValue(ms) {
  const date = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return date.toISOString().slice(0, 16);
}

function secretSection(base) {
  const shown = h('code', { id: 'secret-value' });
  const reveal = h('button', { type: 'button', 'aria-controls': 'secret-value' }, 'Reveal secret');
  const load = async () => {
    shown.textContent = (await api('GET', `${base}/secret`)).key;
  };
  reveal.addEventListener('click', async () => {
    if (shown.textContent) {
      shown.textContent = '';
      reveal.textContent = 'Reveal secret';
    } else {
      await load();
      reveal.textContent = 'Hide secret';
    }
  });
  const rotate = h(
    'button',
    {
      type: 'button',
      onclick: async () => {
        if (!confirm('Rotate the signing secret? The old one keeps signing during the grace period.')) return;
        await api('POST', `${base}/secret/rotate`, {});
        if (shown.textContent) await load();
        toast('Secret rotated');
      },
    },
    'Rotate secret',
  );
  return h('div', {}, h('h2', {}, 'Signing secret'), h('div', { class: 'row' }, reveal, rotate), h('p', {}, shown));
}

function testEventSection(appId, endpoint) {
  const type = h('input', { id: 'test-type', value: endpoint.filterTypes?.[0] ?? 'hookline.test', required: true });
  const payload = h('textarea', { id: 'test-payload', rows: 3, cols: 50 }, '{"test": true}');
  const result = h('p', { role: 'status' });
  return h(
    'div',
    {},
    h('h2', { id: 'test-event' }, 'Send a test event'),
    h(
      'p',
      { class: 'hint' },
      'A message to this endpoint alone, whatever event types it accepts; it is listed, retried and replayed like any other.',
    ),
    h(
      'form',
      {
        class: 'stack',
        'aria-labelledby': 'test-event',
        onsubmit: async (event) => {
          event.preventDefault();
          let body;
          try {
            body = JSON.parse(payload.value);
          } catch {
            result.textContent = 'The payload is not valid JSON.';
            return;
          }
          try {
            const message = await api('POST', `/app/${enc(appId)}/endpoint/${enc(endpoint.id)}/send-example`, {
              eventType: type.value.trim(),
              payload: body,
            });
            result.replaceChildren('Sent ', h('a', { href: `#/app/${enc(appId)}/msg/${enc(message.id)}` }, message.id));
          } catch (failure) {
            result.textContent = `Not sent: ${failure.message}`;
          }
        },
      },
      h('label', { for: 'test-type' }, 'Event type', type),
      h('label', { for: 'test-payload' }, 'Payload (JSON)', payload),
      h('div', {}, h('button', { class: 'primary', type: 'submit' }, 'Send test event')),
      result,
    ),
  );
}

function recoverSection(base) {
  const since = h('input', {
    id: 'recover-since',
    type: 'datetime-local',
    required: true,
    value: localInputValue(Date.now() - 86_400_000),
  });
  const result = h('p', { role: 'status' });
  return h(
    'div',
    {},
    h('h2', { id: 'recover' }, 'Recover failed deliveries'),
    h(
      'form',
      {
        class: 'row',
        'aria-labelledby': 'recover',
        onsubmit: async (event) => {
          event.preventDefault();
          const answer = await api('POST', `${base}/recover`, { since: new Date(since.value).toISOString() });
          result.textContent = `Queued ${answer.recovered ?? 'the'} dead deliveries for another attempt.`;
        },
      },
      h('label', { for: 'recover-since' }, 'Recover all failed since', since),
      h('button', { type: 'submit' }, 'Recover'),
    ),
    result,
  );
}

/** How it is delivered to, as set (the edit form changes it): what a newcomer looks for after "why so slow?". */
function settingsTable(endpoint, headers) {
  const headerText = [
    ...Object.entries(headers.headers).map(([name, value]) => `${name}: ${value}`),
    ...headers.sensitive.map((name) => `${name}: (hidden)`),
  ];
  const rows = [
    ['Event types', endpoint.filterTypes?.length ? endpoint.filterTypes.join(', ') : 'all'],
    [
      'Payload filter',
      endpoint.payloadFilter ? h('code', {}, JSON.stringify(endpoint.payloadFilter)) : 'none (every payload)',
    ],
    [
      'Retry schedule',
      endpoint.retrySchedule === null ? "the server's default" : `${endpoint.retrySchedule.join(', ')} s`,
    ],
    ['Throttle', endpoint.throttleRate === null ? 'no limit' : `${endpoint.throttleRate} per second`],
    ['Not retried', endpoint.nonRetryableStatuses ?? 'every failure is retried'],
    [
      'Ordering',
      endpoint.ordering === 'fifo'
        ? `one at a time per ordering key; a dead head ${endpoint.orderingOnDead === 'hold' ? 'holds its key' : 'is skipped'}`
        : 'none (sent side by side)',
    ],
    ['Custom headers', headerText.length === 0 ? 'none' : headerText.join('; ')],
  ];
  return h(
    'table',
    { class: 'settings' },
    h('caption', { class: 'visually-hidden' }, 'Delivery settings'),
    h(
      'tbody',
      {},
      rows.map(([name, value]) => h('tr', {}, h('th', { scope: 'row' }, name), h('td', {}, value))),
    ),
  );
}

export async function endpointView(appId, endpointId) {
  const base = `/app/${enc(appId)}/endpoint/${enc(endpointId)}`;
  const [endpoint, health, feed, headers] = await Promise.all([
    api('GET', base),
    api('GET', `${base}/health`),
    api('GET', `/app/${enc(appId)}/attempt/feed?endpointId=${enc(endpointId)}&limit=25`),
    api('GET', `${base}/headers`),
  ]);
  const held = await heldKeysSection(appId, endpoint);
  return h(
    'section',
    {},
    h('h1', {}, endpoint.url),
    h(
      'p',
      { class: 'row' },
      h('code', {}, endpoint.id),
      endpoint.uid ? h('code', {}, endpoint.uid) : null,
      h('a', { href: `#/app/${enc(appId)}/endpoint/${enc(endpoint.id)}/edit` }, 'Edit'),
      h(
        'button',
        {
          type: 'button',
          class: 'danger',
          onclick: async () => {
            if (!confirm(`Delete the endpoint ${endpoint.url}?`)) return;
            await api('DELETE', base);
            location.hash = `#/app/${enc(appId)}`;
          },
        },
        'Delete',
      ),
    ),
    h(
      'div',
      { class: 'cards' },
      h('div', { class: 'card' }, h('div', { class: 'hint' }, 'State'), stateBadge(endpoint)),
      h('div', { class: 'card' }, h('div', { class: 'hint' }, 'Circuit'), circuitBadge(health.circuit)),
      h(
        'div',
        { class: 'card' },
        h('div', { class: 'hint' }, 'Success rate (recent attempts)'),
        h('div', { class: 'big' }, successRate(health)),
      ),
      h(
        'div',
        { class: 'card' },
        h('div', { class: 'hint' }, 'Failing since'),
        health.failingSince ? h('span', { class: 'fail' }, formatTime(health.failingSince)) : 'not failing',
      ),
    ),
    h('h2', {}, 'Delivery settings'),
    settingsTable(endpoint, headers),
    held,
    h('h2', {}, 'Last failures'),
    attemptsTable(appId, health.lastFailures, { caption: 'Last failures', showMessage: true }),
    h('h2', {}, 'Recent attempts'),
    attemptsTable(appId, [...feed.data].reverse(), { caption: 'Recent attempts' }),
    secretSection(base),
    testEventSection(appId, endpoint),
    recoverSection(base),
  );
}
