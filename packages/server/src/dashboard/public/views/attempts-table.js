// A table of attempts, shared by the endpoint and message views.
import { enc } from '../api.js';
import { formatTime, h } from '../dom.js';

export function outcomeOf(attempt) {
  return attempt.status === 0 ? h('span', { class: 'ok' }, 'succeeded') : h('span', { class: 'fail' }, 'failed');
}

export function attemptsTable(appId, attempts, { caption, showMessage = true }) {
  if (attempts.length === 0) return h('p', {}, 'No attempts yet.');
  return h(
    'table',
    {},
    h('caption', { class: 'visually-hidden' }, caption),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['Time', showMessage ? 'Message' : null, 'Outcome', 'Status', 'Duration', 'Trigger', 'Error']
          .filter(Boolean)
          .map((title) => h('th', { scope: 'col' }, title)),
      ),
    ),
    h(
      'tbody',
      {},
      attempts.map((attempt) =>
        h(
          'tr',
          {},
          h('td', {}, formatTime(attempt.timestamp)),
          showMessage
            ? h(
                'td',
                {},
                h('a', { href: `#/app/${enc(appId)}/msg/${enc(attempt.msgId)}` }, attempt.msgId),
                attempt.eventType ? h('div', { class: 'hint' }, attempt.eventType) : null,
              )
            : null,
          h('td', {}, outcomeOf(attempt)),
          h('td', {}, attempt.responseStatusCode === 0 ? '—' : String(attempt.responseStatusCode)),
          h('td', {}, `${attempt.responseDurationMs} ms`),
          h('td', {}, attempt.triggerType === 1 ? 'manual' : 'scheduled'),
          h('td', {}, attempt.error ?? ''),
        ),
      ),
    ),
  );
}
