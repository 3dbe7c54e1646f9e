// The dead-letter list: deliveries that failed their last attempt. Replay some or all, one request each, with a
// progress bar and a count that screen readers announce; then the list is read again, so a replayed delivery (no
// longer dead) leaves it at once instead of staying with an active checkbox until a reload.
import { api, enc, listAll } from '../api.js';
import { formatTime, h } from '../dom.js';

function deadTable(appId, dead, urlOf, boxes) {
  const all = h('input', {
    type: 'checkbox',
    'aria-label': 'Select all',
    onchange: () => {
      for (const box of boxes) box.checked = all.checked;
    },
  });
  return h(
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
  );
}

export async function deadLetterView(appId) {
  const base = `/app/${enc(appId)}`;
  const endpoints = await listAll(`${base}/endpoint`);
  const urlOf = new Map(endpoints.map((endpoint) => [endpoint.id, endpoint.url]));
  const progress = h('progress', { max: 1, value: 0, hidden: true, 'aria-label': 'Replay progress' });
  const status = h('p', { role: 'status', 'aria-live': 'polite' });
  const list = h('div', {});
  let buttons = [];

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
    await load();
    status.textContent = `Replayed ${queued} of ${selected.length}${refused > 0 ? `; ${refused} refused` : ''}.`;
  };

  const load = async () => {
    const dead = await listAll(`${base}/dead-letter`);
    const boxes = dead.map((delivery) =>
      h('input', {
        type: 'checkbox',
        'aria-label': `Select ${delivery.msgId} to ${urlOf.get(delivery.endpointId) ?? delivery.endpointId}`,
      }),
    );
    buttons = [
      h(
        'button',
        { type: 'button', onclick: () => replay(dead.filter((_, i) => boxes[i].checked)) },
        'Replay selected',
      ),
      h('button', { type: 'button', class: 'primary', onclick: () => replay(dead) }, `Replay all (${dead.length})`),
    ];
    list.replaceChildren(
      ...(dead.length === 0
        ? [h('p', {}, 'No dead letters: every delivery succeeded or is still being retried.')]
        : [h('div', { class: 'row' }, buttons), deadTable(appId, dead, urlOf, boxes)]),
    );
  };

  await load();
  return h('section', {}, h('h1', {}, 'Dead letters'), progress, status, list);
}
