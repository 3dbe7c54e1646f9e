// How an endpoint's health reads to a person: state, circuit and success rate, each a word and a colour.
import { h, percent } from '../dom.js';

export function stateBadge(endpoint) {
  return endpoint.disabled
    ? h('span', { class: 'badge fail' }, `disabled${endpoint.disabledReason ? `: ${endpoint.disabledReason}` : ''}`)
    : h('span', { class: 'badge ok' }, 'enabled');
}

export function circuitBadge(circuit) {
  const tone = circuit === 'closed' ? 'ok' : circuit === 'open' ? 'fail' : 'warn';
  const words = { closed: 'circuit closed', open: 'circuit open', 'half-open': 'circuit half-open (probing)' };
  return h('span', { class: `badge ${tone}` }, words[circuit] ?? `circuit ${circuit}`);
}

export function successRate(health) {
  const rate = health.recent.successRate;
  const tone = rate === null ? '' : rate >= 0.99 ? 'ok' : rate >= 0.9 ? 'warn' : 'fail';
  return h(
    'span',
    { class: tone, title: `over the last ${health.recent.attempts} attempts` },
    percent(rate),
    h('span', { class: 'hint' }, ` (${health.recent.succeeded}/${health.recent.attempts})`),
  );
}
