// Every application (admin key), and a form to add one.
import { api, enc, listAll } from '../api.js';
import { formatTime, h } from '../dom.js';

/** How long this server keeps payloads and history, in words; days 0 means for ever. */
function retentionLine(retention) {
  const kept = (days) => (days === 0 ? 'for ever' : `${days} day${days === 1 ? '' : 's'}`);
  const payloads = retention.payloadDays === 0 ? 'as long as their history' : kept(retention.payloadDays);
  return h(
    'p',
    { class: 'hint retention' },
    `Retention: payloads are kept ${payloads}, messages with their deliveries and attempts ${kept(retention.historyDays)}.`,
  );
}

export async function applicationsView() {
  const [apps, retention] = await Promise.all([listAll('/app'), api('GET', '/admin/retention')]);
  const name = h('input', { id: 'new-app-name', required: true, maxlength: 256 });
  const uid = h('input', { id: 'new-app-uid', pattern: '[a-zA-Z0-9\\-_.]+', maxlength: 256 });
  const error = h('p', { class: 'alert', role: 'alert', hidden: true });
  return h(
    'section',
    {},
    h('h1', {}, 'Applications'),
    retentionLine(retention),
    apps.length === 0
      ? h('p', {}, 'No applications yet.')
      : h(
          'table',
          {},
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              h('th', { scope: 'col' }, 'Name'),
              h('th', { scope: 'col' }, 'Id / uid'),
              h('th', { scope: 'col' }, 'Created'),
            ),
          ),
          h(
            'tbody',
            {},
            apps.map((app) =>
              h(
                'tr',
                {},
                h('td', {}, h('a', { href: `#/app/${enc(app.id)}` }, app.name)),
                h('td', {}, h('code', {}, app.id), app.uid ? [' ', h('code', {}, app.uid)] : null),
                h('td', {}, formatTime(app.createdAt)),
              ),
            ),
          ),
        ),
    h('h2', { id: 'new-app' }, 'New application'),
    h(
      'form',
      {
        class: 'row',
        'aria-labelledby': 'new-app',
        onsubmit: async (event) => {
          event.preventDefault();
          try {
            const app = await api('POST', '/app', { name: name.value, ...(uid.value ? { uid: uid.value } : {}) });
            location.hash = `#/app/${enc(app.id)}`;
          } catch (failure) {
            error.hidden = false;
            error.textContent = failure.message;
          }
        },
      },
      h('label', { for: 'new-app-name' }, 'Name', name),
      h('label', { for: 'new-app-uid' }, 'Uid (optional)', uid),
      h('button', { class: 'primary', type: 'submit' }, 'Create application'),
    ),
    error,
  );
}
