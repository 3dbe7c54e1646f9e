// Create an endpoint, or edit one: URL, description, event types, payload filter, and how it is delivered to (retry schedule,
// throttle, status policy, custom headers), enabled or not. The server says what is valid: its 422 is shown as
// "field: problem"; this form only turns text fields into the API's shapes.
import { api, enc } from '../api.js';
import { h } from '../dom.js';
import { customHeadersField, headerChanges } from './endpoint-headers-field.js';

/** "5, 300, 1800" -> [5, 300, 1800]; empty -> null (the server's default). A word stays a word for the 422. */
function scheduleOf(text) {
  const parts = text
    .split(/[\s,]+/)
    .map((part) => part.trim())
    .filter(Boolean);
  return parts.length === 0 ? null : parts.map((part) => (Number.isFinite(Number(part)) ? Number(part) : part));
}

/** The payload filter box: empty -> null (every payload); otherwise JSON, whose meaning the server judges. */
function payloadFilterOf(text) {
  if (text.trim() === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    throw new Error('payloadFilter: not JSON, e.g. {"data.amount": {"$gte": 100}}');
  }
}

function orNull(text) {
  const trimmed = text.trim();
  return trimmed === '' ? null : trimmed;
}

function field(id, label, hint, input) {
  return h('label', { for: id }, label, hint ? h('span', { class: 'hint' }, hint) : null, input);
}

export async function endpointFormView(appId, endpointId) {
  const base = `/app/${enc(appId)}`;
  const existing = endpointId ? await api('GET', `${base}/endpoint/${enc(endpointId)}`) : null;
  const currentHeaders = existing
    ? await api('GET', `${base}/endpoint/${enc(existing.id)}/headers`)
    : { headers: {}, sensitive: [] };
  const url = h('input', { id: 'ep-url', type: 'url', required: true, value: existing?.url ?? '' });
  const description = h('input', { id: 'ep-description', value: existing?.description ?? '' });
  const types = h('input', {
    id: 'ep-types',
    value: existing?.filterTypes?.join(', ') ?? '',
    placeholder: 'invoice.paid, invoice.voided',
  });
  const payloadFilter = h('textarea', {
    id: 'ep-payload-filter',
    rows: 3,
    spellcheck: 'false',
    placeholder: '{"data.amount": {"$gte": 100}, "data.currency": {"$in": ["EUR", "USD"]}}',
  });
  payloadFilter.value = existing?.payloadFilter ? JSON.stringify(existing.payloadFilter, null, 2) : '';
  const schedule = h('input', {
    id: 'ep-retry',
    value: existing?.retrySchedule?.join(', ') ?? '',
    placeholder: '5, 300, 1800, 7200',
    inputmode: 'decimal',
  });
  const throttle = h('input', {
    id: 'ep-throttle',
    type: 'number',
    min: 1,
    step: 1,
    value: existing?.throttleRate ?? '',
    placeholder: 'no limit',
  });
  const policy = h('input', {
    id: 'ep-status-policy',
    value: existing?.nonRetryableStatuses ?? '',
    placeholder: '4xx,!408,!429',
  });
  const ordering = h(
    'select',
    { id: 'ep-ordering' },
    h('option', { value: 'none', selected: existing?.ordering !== 'fifo' }, 'None: side by side'),
    h('option', { value: 'fifo', selected: existing?.ordering === 'fifo' }, 'FIFO per ordering key'),
  );
  const onDead = h(
    'select',
    { id: 'ep-ordering-dead' },
    h('option', { value: 'skip', selected: existing?.orderingOnDead !== 'hold' }, 'Skip it: send the next'),
    h('option', { value: 'hold', selected: existing?.orderingOnDead === 'hold' }, 'Hold the key until replayed'),
  );
  const headers = customHeadersField(currentHeaders);
  const disabled = h('input', { id: 'ep-disabled', type: 'checkbox', checked: existing?.disabled ?? false });
  const error = h('p', { class: 'alert', role: 'alert', hidden: true });

  const submit = async (event) => {
    event.preventDefault();
    error.hidden = true;
    const filterTypes = types.value
      .split(',')
      .map((type) => type.trim())
      .filter(Boolean);
    const settings = {
      retrySchedule: scheduleOf(schedule.value),
      throttleRate: throttle.value === '' ? null : Number(throttle.value),
      nonRetryableStatuses: orNull(policy.value),
      ordering: ordering.value,
      orderingOnDead: onDead.value,
    };
    try {
      const body = {
        url: url.value.trim(),
        description: description.value,
        filterTypes,
        payloadFilter: payloadFilterOf(payloadFilter.value),
        ...settings,
      };
      const changes = headerChanges(headers, currentHeaders);
      let saved;
      if (existing) {
        // Sensitive values are never read back, so headers change by a merge that leaves the unmentioned alone.
        if (changes.changed) await api('PATCH', `${base}/endpoint/${enc(existing.id)}/headers`, changes.patch);
        saved = await api('PATCH', `${base}/endpoint/${enc(existing.id)}`, { ...body, disabled: disabled.checked });
      } else {
        saved = await api('POST', `${base}/endpoint`, { ...body, headers: changes.patch.headers });
      }
      location.hash = `#/app/${enc(appId)}/endpoint/${enc(saved.id)}`;
    } catch (failure) {
      error.hidden = false;
      error.textContent = failure.message;
    }
  };

  const form = h(
    'form',
    { class: 'stack', 'aria-labelledby': 'ep-form-title', onsubmit: submit },
    field('ep-url', 'URL', null, url),
    field('ep-description', 'Description', null, description),
    field('ep-types', 'Event types', 'Comma-separated; empty: all', types),
    field(
      'ep-payload-filter',
      'Payload filter',
      'Only payloads that match, as JSON with MongoDB operators on payload paths ($eq $ne $gt $gte $lt $lte $in $nin $exists $not $and $or $nor); empty: every payload',
      payloadFilter,
    ),
    h(
      'fieldset',
      {},
      h('legend', {}, 'Delivery'),
      field(
        'ep-retry',
        'Retry schedule (seconds)',
        "Waits before each retry, comma-separated; empty: the server's default",
        schedule,
      ),
      field('ep-throttle', 'Throttle (deliveries per second)', 'Empty: no limit', throttle),
      field(
        'ep-status-policy',
        'Statuses that are not retried',
        'e.g. 4xx,!408,!429 (client errors fail for good, but 408 and 429 are retried); empty: retry every failure',
        policy,
      ),
      field(
        'ep-ordering',
        'Ordering',
        "FIFO: one delivery at a time per message's orderingKey, in publish order",
        ordering,
      ),
      field('ep-ordering-dead', 'When the head of a key goes dead', 'For FIFO endpoints', onDead),
      headers.node,
    ),
    existing ? h('label', { class: 'inline', for: 'ep-disabled' }, disabled, 'Disabled') : null,
    h('div', {}, h('button', { class: 'primary', type: 'submit' }, existing ? 'Save endpoint' : 'Create endpoint')),
    error,
  );
  return h('section', {}, h('h1', { id: 'ep-form-title' }, existing ? 'Edit endpoint' : 'New endpoint'), form);
}
