// One application: charts of the last hour and its endpoints with their health.
import { api, enc, listAll } from '../api.js';
import { byMinute, deliveriesChart, endpointChart, latencyChart } from '../charts.js';
import { formatTime, h } from '../dom.js';
import { circuitBadge, stateBadge, successRate } from './health.js';

const CHART_MINUTES = 60;

export async function applicationView(appId) {
  const base = `/app/${enc(appId)}`;
  const since = new Date(Date.now() - CHART_MINUTES * 60_000).toISOString();
  const [app, endpoints, feed] = await Promise.all([
    api('GET', base),
    listAll(`${base}/endpoint`),
    api('GET', `${base}/attempt/feed?since=${enc(since)}&limit=1000`),
  ]);
  const healths = await Promise.all(endpoints.map((ep) => api('GET', `${base}/endpoint/${enc(ep.id)}/health`)));
  const urlOf = new Map(endpoints.map((ep) => [ep.id, ep.description || ep.url]));
  const buckets = byMinute(feed.data, CHART_MINUTES, Date.now());
  return h(
    'section',
    {},
    h('h1', {}, app.name, ' ', h('code', { class: 'hint' }, app.uid ?? app.id)),
    h('h2', {}, 'Last hour'),
    h(
      'div',
      { class: 'charts' },
      deliveriesChart(buckets),
      latencyChart(buckets),
      endpointChart(feed.data, (id) => urlOf.get(id) ?? id),
    ),
    h('h2', { id: 'endpoints' }, 'Endpoints'),
    h('p', {}, h('a', { href: `#/app/${enc(appId)}/endpoint-new` }, 'Add an endpoint')),
    endpoints.length === 0
      ? h('p', {}, 'No endpoints yet.')
      : h(
          'table',
          { 'aria-labelledby': 'endpoints' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ['Endpoint', 'State', 'Circuit', 'Success (recent attempts)', 'Last failure'].map((title) =>
                h('th', { scope: 'col' }, title),
              ),
            ),
          ),
          h(
            'tbody',
            {},
            endpoints.map((endpoint, i) => {
              const health = healths[i];
              // The health route lists failures newest first: the last one is the first.
              const last = health.lastFailures[0];
              return h(
                'tr',
                {},
                h(
                  'td',
                  {},
                  h('a', { href: `#/app/${enc(appId)}/endpoint/${enc(endpoint.id)}` }, endpoint.url),
                  endpoint.description ? h('div', { class: 'hint' }, endpoint.description) : null,
                ),
                h('td', {}, stateBadge(endpoint)),
                h('td', {}, circuitBadge(health.circuit)),
                h('td', {}, successRate(health)),
                h(
                  'td',
                  {},
                  last
                    ? [
                        h('span', { class: 'fail' }, last.responseStatusCode || last.error || 'failed'),
                        h('div', { class: 'hint' }, formatTime(last.timestamp)),
                      ]
                    : '—',
                ),
              );
            }),
          ),
        ),
  );
}
