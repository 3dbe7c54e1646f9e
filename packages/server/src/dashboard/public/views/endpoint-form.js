// Create an endpoint, or edit one (URL, description, event types, enabled).
import { api, enc } from '../api.js';
import { h } from '../dom.js';

export async function endpointFormView(appId, endpointId) {
  const base = `/app/${enc(appId)}`;
  const existing = endpointId ? await api('GET', `${base}/endpoint/${enc(endpointId)}`) : null;
  const url = h('input', { id: 'ep-url', type: 'url', required: true, value: existing?.url ?? '' });
  const description = h('input', { id: 'ep-description', value: existing?.description ?? '' });
  const types = h('input', {
    id: 'ep-types',
    value: existing?.filterTypes?.join(', ') ?? '',
    placeholder: 'invoice.paid, invoice.voided',
  });
  const disabled = h('input', { id: 'ep-disabled', type: 'checkbox', checked: existing?.disabled ?? false });
  const error = h('p', { class: 'alert', role: 'alert', hidden: true });
  const form = h(
    'form',
    {
      class: 'stack',
      'aria-labelledby': 'ep-form-title',
      onsubmit: async (event) => {
        event.preventDefault();
        const filterTypes = types.value
          .split(',')
          .map((type) => type.trim())
          .filter(Boolean);
        const body = { url: url.value.trim(), description: description.value, filterTypes };
        try {
          const saved = existing
            ? await api('PATCH', `${base}/endpoint/${enc(existing.id)}`, { ...body, disabled: disabled.checked })
            : await api('POST', `${base}/endpoint`, body);
          location.hash = `#/app/${enc(appId)}/endpoint/${enc(saved.id)}`;
        } catch (failure) {
          error.hidden = false;
          error.textContent = failure.message;
        }
      },
    },
    h('label', { for: 'ep-url' }, 'URL', url),
    h('label', { for: 'ep-description' }, 'Description', description),
    h('label', { for: 'ep-types' }, 'Event types', h('span', { class: 'hint' }, 'Comma-separated; empty: all'), types),
    existing ? h('label', { class: 'inline', for: 'ep-disabled' }, disabled, 'Disabled') : null,
    h('div', {}, h('button', { class: 'primary', type: 'submit' }, existing ? 'Save endpoint' : 'Create endpoint')),
    error,
  );
  return h('section', {}, h('h1', { id: 'ep-form-title' }, existing ? 'Edit endpoint' : 'New endpoint'), form);
}
