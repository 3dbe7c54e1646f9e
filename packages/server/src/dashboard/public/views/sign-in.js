// Sign in with an API key: the admin token sees every application; an application key sees its own (the same
// page then works as a customer portal).
import { ApiError, api, enc, session } from '../api.js';
import { h } from '../dom.js';

export function signInView(done) {
  const error = h('p', { class: 'alert', role: 'alert', hidden: true });
  const key = h('input', { id: 'key', name: 'key', type: 'password', autocomplete: 'off', required: true });
  const app = h('input', { id: 'app', name: 'app', autocomplete: 'off' });
  const form = h(
    'form',
    {
      class: 'stack',
      'aria-labelledby': 'sign-in-title',
      onsubmit: async (event) => {
        event.preventDefault();
        error.hidden = true;
        const appId = app.value.trim();
        const candidate = key.value.trim();
        try {
          // The key becomes the session's only once the server accepts it.
          if (appId) await api('GET', `/app/${enc(appId)}`, undefined, { key: candidate });
          else await api('GET', '/app?limit=1', undefined, { key: candidate });
          session.signIn(candidate, appId || null);
          done();
        } catch (failure) {
          error.hidden = false;
          error.textContent =
            failure instanceof ApiError && failure.status === 403 && !appId
              ? 'This key reaches one application only: enter its id or uid too.'
              : failure instanceof ApiError && failure.status === 401
                ? 'The server did not accept this key.'
                : `Sign-in failed: ${failure.message}`;
        }
      },
    },
    h('label', { for: 'key' }, 'API key', h('span', { class: 'hint' }, 'The admin token or an application key')),
    key,
    h(
      'label',
      { for: 'app' },
      'Application (optional)',
      h('span', { class: 'hint' }, 'For an application key: its id or uid'),
    ),
    app,
    h('div', {}, h('button', { class: 'primary', type: 'submit' }, 'Sign in')),
    error,
    h('p', { class: 'hint' }, 'The key stays in this tab (sessionStorage) and is sent only to this server.'),
  );
  return h('section', {}, h('h1', { id: 'sign-in-title' }, 'Sign in to Hookline'), form);
}
