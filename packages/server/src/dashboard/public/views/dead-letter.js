// The dead-letter list: deliveries that failed their last attempt. Replay some or all, one request each, with a
// progress bar and a count that screen readers announce.
import { api, enc, listAll } from '../api.js';
import { formatTime, h } from '../dom.js';

export async function deadLetterView(appId) {
  const base = `/app/${enc(appId)}`;
  const [dead, endpoints] = await Promise.all([listAll(`${base}/dead-letter`), listAll(`${base}/endpoint`)]);
  const urlOf = new Map(endpoints.map((endpoint) => [endpoint.id, endpoint.url]));
  const boxes = dead.map((delivery) =>
    h('input', {
      type: 'checkbox',
      'aria-label': `Select ${delivery.msgId} to ${urlOf.get(delivery.endpointId) ?? delivery.endpointId}`,
    }),
  );
  const all = h('input', {
    type: 'checkbox',
    'aria-label': 'Select all',
    onchange: () => {
      for (const box of boxes) box.checked = all.checked;
    },
  });
  const progress = h('progress', { max: 1, value: 0, hidden: true, 'aria-label': 'Replay progress' });
  const status = h('p', { role: 'status', 'aria-live': 'polite' });

  const replay = async (selected) => {
    if (selected.length === 0) {
      status.textContent = 'Nothing selected.';
      return;
    }
    for (const button of buttons) button.disabled = true;
    progress.hidden = false;
    progress.max = selected.length;
    progress.value = 0;
    let queued = 0;
    let refused = 0;
    for (const delivery of selected) {
      try {
        await api('POST', `${base}/msg/${enc(delivery.msgId)}/endpoint/${enc(delivery.endpointId)}/resend`);
        queued++;
      } catch {
        refused++;
      }
      progress.value = queued + refused;
      status.textContent = `Replaying: ${queued + refused} of ${selected.length}`;
    }
    status.textContent = `Replayed ${queued} of ${selected.length}${refused > 0 ? `; ${refused} refused` : ''}.`;
    for (const button of buttons) button.disabled = false;
  };

  const buttons = [
    h('button', { type: 'button', onclick: () => replay(dead.filter((_, i) => boxes[i].checked)) }, 'Replay selected'),
    h('button', { type: 'button', class: 'primary', onclick: () => replay(dead) }, `Replay all (${dead.length})`),
  ];

  return h(
    'section',
    {},
    h('h1', {}, 'Dead letters'),
    dead.length === 0
      ? h('p', {}, 'No dead letters: every delivery succeeded or is still being retried.')
      : [
          h('div', { class: 'row' }, buttons),
          progress,
          status,
          h(
            'table',
            {},
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                h('th', { scope: 'col' }, all),
                ['Message', 'Endpoint', 'Attempts', 'Last error', 'Created'].map((t) => h('th', { scope: 'col' }, t)),
              ),
            ),
            h(
              'tbody',
              {},
              dead.map((delivery, i) =>
                h(
                  'tr',
                  {},
                  h('td', {}, boxes[i]),
                  h('td', {}, h('a', { href: `#/app/${enc(appId)}/msg/${enc(delivery.msgId)}` }, delivery.msgId)),
                  h('td', {}, urlOf.get(delivery.endpointId) ?? delivery.endpointId),
                  h('td', {}, String(delivery.attempts)),
                  h(
                    'td',
                    { class: 'fail' },
                    delivery.lastError ?? (delivery.lastStatusCode ? `HTTP ${delivery.lastStatusCode}` : ''),
                  ),
                  h('td', {}, formatTime(delivery.createdAt)),
                ),
              ),
            ),
          ),
        ],
  );
}
