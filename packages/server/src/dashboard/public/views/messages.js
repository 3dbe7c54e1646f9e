// Find messages: by id (or your event id), or by event type and time (the message list API).
import { ApiError, api, enc } from '../api.js';
import { formatTime, h } from '../dom.js';

export async function messagesView(appId) {
  const id = h('input', { id: 'search-id', autocomplete: 'off' });
  const type = h('input', { id: 'search-type', autocomplete: 'off' });
  const after = h('input', { id: 'search-after', type: 'datetime-local' });
  const before = h('input', { id: 'search-before', type: 'datetime-local' });
  const results = h('div', { 'aria-live': 'polite' });

  const search = async () => {
    if (id.value.trim()) {
      location.hash = `#/app/${enc(appId)}/msg/${enc(id.value.trim())}`;
      return;
    }
    const query = new URLSearchParams({ limit: '50' });
    if (type.value.trim()) query.append('event_types', type.value.trim());
    if (after.value) query.set('after', new Date(after.value).toISOString());
    if (before.value) query.set('before', new Date(before.value).toISOString());
    try {
      const page = await api('GET', `/app/${enc(appId)}/msg?${query}`);
      results.replaceChildren(
        page.data.length === 0
          ? h('p', {}, 'No messages match.')
          : h(
              'table',
              {},
              h(
                'thead',
                {},
                h(
                  'tr',
                  {},
                  ['Message', 'Event type', 'Created'].map((t) => h('th', { scope: 'col' }, t)),
                ),
              ),
              h(
                'tbody',
                {},
                page.data.map((message) =>
                  h(
                    'tr',
                    {},
                    h('td', {}, h('a', { href: `#/app/${enc(appId)}/msg/${enc(message.id)}` }, message.id)),
                    h('td', {}, message.eventType),
                    h('td', {}, formatTime(message.timestamp)),
                  ),
                ),
              ),
            ),
      );
    } catch (failure) {
      results.replaceChildren(
        h(
          'p',
          { class: 'alert', role: 'alert' },
          failure instanceof ApiError &&
            failure.status === 404 &&
            failure.code === 'not_found' &&
            /no route/.test(failure.message)
            ? 'This server has no message list yet: search by message id.'
            : failure.message,
        ),
      );
    }
  };

  const form = h(
    'form',
    {
      class: 'row',
      role: 'search',
      'aria-label': 'Search messages',
      onsubmit: (event) => {
        event.preventDefault();
        search();
      },
    },
    h('label', { for: 'search-id' }, 'Message id or event id', id),
    h('label', { for: 'search-type' }, 'Event type', type),
    h('label', { for: 'search-after' }, 'After', after),
    h('label', { for: 'search-before' }, 'Before', before),
    h('button', { class: 'primary', type: 'submit' }, 'Search'),
  );
  search();
  return h('section', {}, h('h1', {}, 'Messages'), form, results);
}
