// Sources of an application: each one's public ingest URL and how it verifies, and for one source the requests
// that reached it (accepted, duplicate or refused, and why) with the delivery each accepted one produced.
import { api, enc, listAll } from '../api.js';
import { formatTime, h } from '../dom.js';

function verificationText(verification) {
  switch (verification.type) {
    case 'signature':
      return `${verification.scheme} signature (${verification.secretCount} secret${verification.secretCount === 1 ? '' : 's'})`;
    case 'basic-auth':
      return `basic auth (${verification.username})`;
    case 'header-token':
      return `token in ${verification.header}`;
    case 'fetch-back':
      return `fetch-back ${verification.url}`;
    default:
      return verification.type;
  }
}

const ingestUrl = (source) => `${location.origin}${source.ingestPath}`;

function table(caption, titles, rows) {
  return h(
    'table',
    { 'aria-label': caption },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        titles.map((title) => h('th', { scope: 'col' }, title)),
      ),
    ),
    h('tbody', {}, rows),
  );
}

export async function sourcesView(appId) {
  const sources = await listAll(`/app/${enc(appId)}/source`);
  return h(
    'section',
    {},
    h('h1', {}, 'Sources'),
    h(
      'p',
      { class: 'hint' },
      'Public URLs that take providers\u2019 webhooks (GitHub, Stripe, a payment gateway \u2026), verify them, keep them and relay them to this application\u2019s endpoints.',
    ),
    sources.length === 0
      ? h('p', {}, 'No sources yet (POST /api/v1/app/{app}/source).')
      : table(
          'sources',
          ['Source', 'Ingest URL', 'Verification', 'Answers', 'Forwards'],
          sources.map((source) =>
            h(
              'tr',
              {},
              h('td', {}, h('a', { href: `#/app/${enc(appId)}/source/${enc(source.id)}` }, source.name)),
              h('td', {}, h('code', {}, ingestUrl(source))),
              h('td', {}, verificationText(source.verification)),
              h(
                'td',
                {},
                source.response.policy === 'honest'
                  ? 'honest statuses'
                  : `always ${source.response.status ?? 200} ${source.response.body}`,
              ),
              h('td', {}, source.signatureMode === 'original' ? 'provider\u2019s signature' : 're-signed by Hookline'),
            ),
          ),
        ),
  );
}

function outcomeBadge(request) {
  const tone = request.outcome === 'accepted' ? 'ok' : request.outcome === 'duplicate' ? 'warn' : 'fail';
  return h('span', { class: `badge ${tone}` }, request.outcome);
}

/** The delivery an accepted request produced: its latest attempt, or that none has been made yet. */
async function deliveryCell(appId, request) {
  if (request.outcome !== 'accepted') return '\u2014';
  if (request.messageId === null) return h('span', { class: 'hint' }, 'being relayed');
  const attempts = await api('GET', `/app/${enc(appId)}/attempt/msg/${enc(request.messageId)}?limit=1`);
  const last = attempts.data[0];
  const link = h('a', { href: `#/app/${enc(appId)}/msg/${enc(request.messageId)}` }, request.messageId);
  if (last === undefined) return [link, h('div', { class: 'hint' }, 'no attempt yet')];
  const outcome =
    last.status === 0
      ? h('span', { class: 'ok' }, `delivered ${last.responseStatusCode}`)
      : h('span', { class: 'fail' }, `failed ${last.responseStatusCode || ''}`);
  return [link, h('div', {}, outcome)];
}

export async function sourceView(appId, sourceId) {
  const base = `/app/${enc(appId)}/source/${enc(sourceId)}`;
  const [source, requests] = await Promise.all([api('GET', base), api('GET', `${base}/request?limit=50`)]);
  const deliveries = await Promise.all(requests.data.map((request) => deliveryCell(appId, request)));
  return h(
    'section',
    {},
    h('h1', {}, source.name, ' ', h('code', { class: 'hint' }, source.uid ?? source.id)),
    h('p', {}, 'Ingest URL: ', h('code', {}, ingestUrl(source)), ' \u00b7 ', verificationText(source.verification)),
    source.allowlist ? h('p', { class: 'hint' }, `Allowed from ${source.allowlist.join(', ')}`) : null,
    h('h2', { id: 'requests' }, 'Recent requests'),
    requests.data.length === 0
      ? h('p', {}, 'No requests yet.')
      : table(
          'recent requests',
          ['Received', 'Outcome', 'Why', 'Event', 'From', 'Delivery'],
          requests.data.map((request, i) =>
            h(
              'tr',
              {},
              h('td', {}, formatTime(request.createdAt)),
              h('td', {}, outcomeBadge(request)),
              h('td', {}, request.reason ?? ''),
              h(
                'td',
                {},
                request.eventType ?? '',
                request.eventId ? h('div', { class: 'hint' }, request.eventId) : null,
              ),
              h('td', {}, request.remoteAddress ?? ''),
              h('td', {}, deliveries[i]),
            ),
          ),
        ),
  );
}
