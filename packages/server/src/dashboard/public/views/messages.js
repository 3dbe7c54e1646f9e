// Find messages: by id (or your event id), or by event type and time (the message list API), each with the state of
// its deliveries; "only failing" keeps those with a failing or dead delivery. The states are read per message (its
// destinations and attempts), so the filter works on the messages loaded, newest first; "Load older" reads on.
import { ApiError, api, enc } from '../api.js';
import { formatTime, h } from '../dom.js';
import { deliveriesOf, stateCounts } from './delivery-state.js';

const PAGE_SIZE = 50;
/** Requests in flight while filling the status column: the browser's own per-host limit. */
const PARALLEL_READS = 6;
const ORDER = ['dead', 'failing', 'sending', 'pending', 'delivered'];
const TONE = { dead: 'fail', failing: 'fail', sending: 'warn', pending: 'warn', delivered: 'ok' };

function statusBadges(counts) {
  const words = ORDER.filter((word) => counts[word] > 0);
  if (words.length === 0) return h('span', { class: 'hint' }, 'no endpoint');
  return h(
    'span',
    { class: 'badges' },
    words.map((word) => h('span', { class: `badge ${TONE[word]}` }, `${counts[word]} ${word}`)),
  );
}

/** Runs `task` over `items`, at most `limit` at a time. */
async function inParallel(items, limit, task) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await task(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

export async function messagesView(appId) {
  const id = h('input', { id: 'search-id', autocomplete: 'off' });
  const type = h('input', { id: 'search-type', autocomplete: 'off' });
  const after = h('input', { id: 'search-after', type: 'datetime-local' });
  const before = h('input', { id: 'search-before', type: 'datetime-local' });
  const failingOnly = h('input', { id: 'search-failing', type: 'checkbox', onchange: () => applyFilter() });
  const body = h('tbody', {});
  const summary = h('p', { class: 'hint', role: 'status' });
  const more = h('button', { type: 'button', hidden: true, onclick: () => loadPage() }, 'Load older');
  const table = h(
    'table',
    { hidden: true },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['Message', 'Event type', 'Created', 'Deliveries'].map((t) => h('th', { scope: 'col' }, t)),
      ),
    ),
    body,
  );
  const problem = h('p', { class: 'alert', role: 'alert', hidden: true });
  /** One entry per message loaded: its row and, once read, its delivery state counts. */
  let loaded = [];
  let query = null;
  let iterator = null;
  let search = 0;

  const isFailing = (entry) => entry.counts !== null && (entry.counts.failing > 0 || entry.counts.dead > 0);
  function applyFilter() {
    let shown = 0;
    for (const entry of loaded) {
      entry.row.hidden = failingOnly.checked && !isFailing(entry);
      if (!entry.row.hidden) shown++;
    }
    const pending = loaded.filter((entry) => entry.counts === null).length;
    table.hidden = shown === 0;
    summary.textContent =
      loaded.length === 0
        ? 'No messages match.'
        : failingOnly.checked
          ? `${shown} with a failing or dead delivery among the ${loaded.length} newest messages${
              pending > 0 ? ` (${pending} still being read)` : ''
            }${iterator ? '; load older ones to look further' : ''}.`
          : `${loaded.length} messages${iterator ? ', newest first' : ''}.`;
  }

  async function loadPage() {
    const mine = search;
    more.disabled = true;
    const page = await api('GET', `/app/${enc(appId)}/msg?${query}${iterator ? `&iterator=${enc(iterator)}` : ''}`);
    if (mine !== search) return;
    iterator = page.done ? null : page.iterator;
    more.hidden = iterator === null;
    more.disabled = false;
    const entries = page.data.map((message) => {
      const status = h('td', { 'data-testid': 'message-deliveries' }, h('span', { class: 'hint' }, '…'));
      const row = h(
        'tr',
        {},
        h('td', {}, h('a', { href: `#/app/${enc(appId)}/msg/${enc(message.id)}` }, message.id)),
        h('td', {}, message.eventType),
        h('td', {}, formatTime(message.timestamp)),
        status,
      );
      return { message, row, status, counts: null };
    });
    loaded = loaded.concat(entries);
    body.append(...entries.map((entry) => entry.row));
    applyFilter();
    await inParallel(entries, PARALLEL_READS, async (entry) => {
      try {
        entry.counts = stateCounts(await deliveriesOf(appId, entry.message.id));
        entry.status.replaceChildren(statusBadges(entry.counts));
      } catch (failure) {
        entry.status.replaceChildren(h('span', { class: 'fail' }, failure.message));
      }
      if (mine === search) applyFilter();
    });
  }

  const runSearch = async () => {
    problem.hidden = true;
    if (id.value.trim()) {
      location.hash = `#/app/${enc(appId)}/msg/${enc(id.value.trim())}`;
      return;
    }
    search++;
    const params = new URLSearchParams({ limit: String(PAGE_SIZE) });
    if (type.value.trim()) params.append('event_types', type.value.trim());
    if (after.value) params.set('after', new Date(after.value).toISOString());
    if (before.value) params.set('before', new Date(before.value).toISOString());
    query = params.toString();
    iterator = null;
    loaded = [];
    body.replaceChildren();
    try {
      await loadPage();
    } catch (failure) {
      problem.hidden = false;
      problem.textContent =
        failure instanceof ApiError &&
        failure.status === 404 &&
        failure.code === 'not_found' &&
        /no route/.test(failure.message)
          ? 'This server has no message list yet: search by message id.'
          : failure.message;
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
        runSearch();
      },
    },
    h('label', { for: 'search-id' }, 'Message id or event id', id),
    h('label', { for: 'search-type' }, 'Event type', type),
    h('label', { for: 'search-after' }, 'After', after),
    h('label', { for: 'search-before' }, 'Before', before),
    h('button', { class: 'primary', type: 'submit' }, 'Search'),
  );
  runSearch();
  return h(
    'section',
    {},
    h('h1', {}, 'Messages'),
    form,
    h(
      'p',
      {},
      h(
        'label',
        { class: 'inline', for: 'search-failing' },
        failingOnly,
        'Only messages with a failing or dead delivery',
      ),
    ),
    summary,
    problem,
    table,
    more,
  );
}
