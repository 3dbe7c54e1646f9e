// The dashboard's shell: sign-in state, navigation and the hash router (#/app/…): the route lives in the hash so
// nothing secret or even meaningful ever reaches a server log through the URL.
import { session } from './api.js';
import { h } from './dom.js';
import { clearViewTimers } from './timers.js';
import { applicationView } from './views/application.js';
import { applicationsView } from './views/applications.js';
import { deadLetterView } from './views/dead-letter.js';
import { endpointView } from './views/endpoint.js';
import { endpointFormView } from './views/endpoint-form.js';
import { messageView } from './views/message.js';
import { messagesView } from './views/messages.js';
import { signInView } from './views/sign-in.js';
import { sourcesView, sourceView } from './views/sources.js';

const ROUTES = [
  [/^#\/apps$/, applicationsView],
  [/^#\/app\/([^/]+)$/, applicationView],
  [/^#\/app\/([^/]+)\/endpoint-new$/, endpointFormView],
  [/^#\/app\/([^/]+)\/endpoint\/([^/]+)$/, endpointView],
  [/^#\/app\/([^/]+)\/endpoint\/([^/]+)\/edit$/, (app, endpoint) => endpointFormView(app, endpoint)],
  [/^#\/app\/([^/]+)\/messages$/, messagesView],
  [/^#\/app\/([^/]+)\/msg\/([^/]+)$/, messageView],
  [/^#\/app\/([^/]+)\/dead-letter$/, deadLetterView],
  [/^#\/app\/([^/]+)\/sources$/, sourcesView],
  [/^#\/app\/([^/]+)\/source\/([^/]+)$/, sourceView],
];

function home() {
  return session.app ? `#/app/${encodeURIComponent(session.app)}` : '#/apps';
}

function renderChrome() {
  const nav = document.getElementById('nav');
  const who = document.getElementById('who');
  if (!session.key) {
    nav.replaceChildren();
    who.replaceChildren();
    return;
  }
  const appMatch = /^#\/app\/([^/]+)/.exec(location.hash);
  const app = appMatch ? appMatch[1] : session.app;
  const links = [
    session.app ? null : h('a', { href: '#/apps' }, 'Applications'),
    // Admins only: the operational application (uid hookline:operational) holds the operational webhooks'
    // deliveries, what Hookline told the operator about every application's endpoints and deliveries.
    session.app ? null : h('a', { href: '#/app/hookline%3Aoperational/messages' }, 'Operational events'),
    app ? h('a', { href: `#/app/${app}` }, 'Endpoints') : null,
    app ? h('a', { href: `#/app/${app}/messages` }, 'Messages') : null,
    app ? h('a', { href: `#/app/${app}/dead-letter` }, 'Dead letters') : null,
    app ? h('a', { href: `#/app/${app}/sources` }, 'Sources') : null,
  ];
  nav.replaceChildren(...links.filter(Boolean));
  who.replaceChildren(
    h('span', { class: 'hint' }, session.app ? `application ${decodeURIComponent(session.app)} ` : 'admin '),
    h(
      'button',
      {
        type: 'button',
        onclick: () => {
          session.signOut();
          location.hash = '#/sign-in';
          route();
        },
      },
      'Sign out',
    ),
  );
}

async function route() {
  clearViewTimers();
  const main = document.getElementById('main');
  if (!session.key) {
    renderChrome();
    main.replaceChildren(signInView(() => (location.hash = home())));
    main.querySelector('input')?.focus();
    return;
  }
  if (location.hash === '' || location.hash === '#/' || location.hash === '#/sign-in') {
    location.hash = home();
    return;
  }
  renderChrome();
  const match = ROUTES.map(([pattern, view]) => [pattern.exec(location.hash), view]).find(([found]) => found);
  if (!match) {
    main.replaceChildren(h('h1', {}, 'Not found'), h('p', {}, h('a', { href: home() }, 'Back')));
    return;
  }
  const [found, view] = match;
  main.replaceChildren(h('p', { class: 'hint', role: 'status' }, 'Loading…'));
  try {
    const node = await view(...found.slice(1).map(decodeURIComponent));
    main.replaceChildren(node);
  } catch (error) {
    main.replaceChildren(h('h1', {}, 'Something went wrong'), h('p', { class: 'alert', role: 'alert' }, error.message));
  }
  // Move focus to the new page's heading, as a page load would, for keyboard and screen-reader users.
  const heading = main.querySelector('h1');
  if (heading) {
    heading.setAttribute('tabindex', '-1');
    heading.focus();
  }
}

window.addEventListener('hashchange', route);
window.addEventListener('hookline:unauthorized', () => {
  session.signOut();
  route();
});
route();
