// The custom-headers part of the endpoint form: one "Name: value" a line. Sensitive headers (Authorization, tokens
// …) are never read back from the server, so they are listed by name with a box to remove each; writing one in the
// text sets a new value.
import { h } from '../dom.js';

export function customHeadersField(current) {
  const text = h(
    'textarea',
    { id: 'ep-headers', rows: 3, cols: 50, placeholder: 'X-Team: billing' },
    Object.entries(current.headers)
      .map(([name, value]) => `${name}: ${value}`)
      .join('\n'),
  );
  const removeBoxes = current.sensitive.map((name) =>
    h('input', { type: 'checkbox', id: `ep-remove-${name}`, 'data-header': name }),
  );
  const node = h(
    'div',
    {},
    h(
      'label',
      { for: 'ep-headers' },
      'Custom headers',
      h('span', { class: 'hint' }, 'Sent with every delivery, one "Name: value" a line'),
      text,
    ),
    current.sensitive.length === 0
      ? null
      : h(
          'div',
          {},
          h('span', { class: 'hint' }, 'Set, value hidden (write one above to replace it):'),
          current.sensitive.map((name, i) =>
            h('label', { class: 'inline', for: `ep-remove-${name}` }, removeBoxes[i], `Remove ${name}`),
          ),
        ),
  );
  return { node, text, removeBoxes };
}

/** The lines as a header map. Names and values are the server's to judge; only the shape is checked here. */
function parseLines(value) {
  const headers = {};
  for (const line of value.split('\n')) {
    if (line.trim() === '') continue;
    const colon = line.indexOf(':');
    if (colon === -1) throw new Error(`Custom headers: "${line.trim()}" is not "Name: value"`);
    headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  return headers;
}

/** What to send: { headers, deleteHeaders } for the merge route, and whether anything changed at all. */
export function headerChanges(field, current) {
  const wanted = parseLines(field.text.value);
  const wantedNames = new Set(Object.keys(wanted).map((name) => name.toLowerCase()));
  const deleteHeaders = [
    ...Object.keys(current.headers).filter((name) => !wantedNames.has(name.toLowerCase())),
    ...field.removeBoxes.filter((box) => box.checked).map((box) => box.getAttribute('data-header')),
  ];
  const set = Object.fromEntries(Object.entries(wanted).filter(([name, value]) => current.headers[name] !== value));
  return {
    changed: deleteHeaders.length > 0 || Object.keys(set).length > 0,
    patch: { headers: set, deleteHeaders },
  };
}
