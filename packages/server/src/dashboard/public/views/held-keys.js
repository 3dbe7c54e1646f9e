// An ordered endpoint's keys held by a dead head (orderingOnDead "hold"): nothing more of such a key is sent until
// its head is replayed. Each row says which message holds the key, since when, why, and how many wait behind it;
// "Replay head" resends it, which releases the key once it is delivered.
import { api, enc } from '../api.js';
import { formatTime, h, toast } from '../dom.js';

/** The section, or null for an endpoint that is not ordered. */
export async function heldKeysSection(appId, endpoint) {
  if (endpoint.ordering !== 'fifo') return null;
  const base = `/app/${enc(appId)}/endpoint/${enc(endpoint.id)}`;
  const body = h('div', {});
  const load = async () => {
    const held = (await api('GET', `${base}/ordering/held`)).data;
    if (held.length === 0) {
      body.replaceChildren(
        h(
          'p',
          {},
          endpoint.orderingOnDead === 'hold'
            ? 'No key is held: every key is flowing.'
            : 'Dead heads are skipped on this endpoint, so no key is ever held.',
        ),
      );
      return;
    }
    body.replaceChildren(
      h('p', { class: 'fail', role: 'status' }, `${held.length} ${held.length === 1 ? 'key is' : 'keys are'} held.`),
      h(
        'table',
        {},
        h('caption', { class: 'visually-hidden' }, 'Held keys'),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['Ordering key', 'Dead head', 'Held since', 'Last error', 'Waiting', ''].map((t) =>
              h('th', { scope: 'col' }, t),
            ),
          ),
        ),
        h(
          'tbody',
          {},
          held.map((key) =>
            h(
              'tr',
              {},
              h('td', {}, h('code', {}, key.orderingKey === '' ? '(no key)' : key.orderingKey)),
              h('td', {}, h('a', { href: `#/app/${enc(appId)}/msg/${enc(key.msgId)}` }, key.msgId)),
              h('td', {}, formatTime(key.since)),
              h('td', { class: 'fail' }, key.lastError ?? (key.lastStatusCode ? `HTTP ${key.lastStatusCode}` : '')),
              h('td', {}, String(key.waiting)),
              h(
                'td',
                {},
                h(
                  'button',
                  {
                    type: 'button',
                    onclick: async () => {
                      await api('POST', `/app/${enc(appId)}/msg/${enc(key.msgId)}/endpoint/${enc(endpoint.id)}/resend`);
                      toast(`Replaying the head of ${key.orderingKey || 'the endpoint line'}`);
                      await load();
                    },
                  },
                  'Replay head',
                ),
              ),
            ),
          ),
        ),
      ),
    );
  };
  await load();
  return h('div', {}, h('h2', { id: 'held-keys' }, 'Held ordering keys'), body);
}
