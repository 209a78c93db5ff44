// The console's entry: sign-in, then the shell (header, navigation, main region) and a hash router.
// The page's folder is the service's base path (`/` locally, `/prod/` behind API Gateway).
import { type ApiClient, ApiError, createApiClient, errorText } from './api/client.ts';
import { h, replaceChildren } from './dom.ts';
import type { Page } from './page.ts';
import { dashboardPage } from './pages/dashboard.ts';
import { discoveriesPage, discoveryPage } from './pages/discoveries.ts';
import { historyPage } from './pages/history.ts';
import { ipamsPage } from './pages/ipams.ts';
import { policiesPage, policyPage } from './pages/policies.ts';
import { poolPage } from './pages/pool.ts';
import { prefixListPage, prefixListsPage } from './pages/prefix-lists.ts';
import { prefixListResolverPage, prefixListResolversPage } from './pages/prefix-list-resolvers.ts';
import { poolsPage } from './pages/pools.ts';
import { publicSpacePage } from './pages/public-space.ts';
import { resourcesPage } from './pages/resources.ts';
import { signInPage } from './pages/sign-in.ts';
import { forgetCredentials, loadCredentials, saveCredentials, signedInKeys, useCredentials } from './session.ts';

const base = new URL('.', location.href);
const root = document.getElementById('app')!;

const ROUTES: { pattern: RegExp; title: string; page: Page; nav?: string }[] = [
  { pattern: /^#?\/?$/, title: 'Dashboard', page: dashboardPage, nav: '#/' },
  { pattern: /^#\/ipams$/, title: 'IPAMs and scopes', page: ipamsPage, nav: '#/ipams' },
  { pattern: /^#\/pools$/, title: 'Pools', page: poolsPage, nav: '#/pools' },
  { pattern: /^#\/pools\/(?<poolId>[\w-]+)$/, title: 'Pool', page: poolPage },
  { pattern: /^#\/resources$/, title: 'Resources', page: resourcesPage, nav: '#/resources' },
  { pattern: /^#\/history$/, title: 'Address history', page: historyPage, nav: '#/history' },
  { pattern: /^#\/discoveries$/, title: 'Resource discoveries', page: discoveriesPage, nav: '#/discoveries' },
  { pattern: /^#\/discoveries\/(?<discoveryId>[\w-]+)$/, title: 'Resource discovery', page: discoveryPage },
  { pattern: /^#\/public$/, title: 'Public space', page: publicSpacePage, nav: '#/public' },
  { pattern: /^#\/policies$/, title: 'IPAM policies', page: policiesPage, nav: '#/policies' },
  { pattern: /^#\/policies\/(?<policyId>[\w-]+)$/, title: 'IPAM policy', page: policyPage },
  { pattern: /^#\/prefix-list-resolvers$/, title: 'Prefix list resolvers', page: prefixListResolversPage, nav: '#/prefix-list-resolvers' },
  {
    pattern: /^#\/prefix-list-resolvers\/(?<resolverId>[\w-]+)(?:\/versions\/(?<version>\d+))?$/,
    title: 'Prefix list resolver',
    page: prefixListResolverPage,
  },
  { pattern: /^#\/prefix-lists$/, title: 'Prefix lists', page: prefixListsPage, nav: '#/prefix-lists' },
  { pattern: /^#\/prefix-lists\/(?<prefixListId>[\w-]+)(?:\/versions\/(?<version>\d+))?$/, title: 'Prefix list', page: prefixListPage },
];

/** The sign-in form; `back` (adding a key while signed in) offers a way back to the console. */
function showSignIn(back?: () => void): void {
  document.title = 'Sign in · IPAM console';
  window.onhashchange = null;
  const page = signInPage(
    base,
    (credentials) => createApiClient(credentials, base),
    (client) => {
      saveCredentials(client.credentials);
      showShell(client);
    },
  );
  if (back) page.append(h('button', { type: 'button', onclick: back }, 'Back to the console'));
  replaceChildren(root, page);
  page.querySelector('input')?.focus();
}

function showShell(client: ApiClient): void {
  const main = h('main', { id: 'main', tabindex: '-1' });
  // Outlives each render: the outcome of the last action, read out by screen readers.
  const flash = h('div', { id: 'flash', class: 'status', role: 'status', 'aria-live': 'polite' });
  const notify = (kind: 'ok' | 'error', text: string) => {
    flash.className = `status ${kind}`;
    flash.setAttribute('role', kind === 'error' ? 'alert' : 'status');
    flash.textContent = text;
  };
  const links = ROUTES.filter((route) => route.nav).map((route) => h('a', { href: route.nav!, 'data-nav': route.nav! }, route.title));
  // The account switcher: every key signed in in this tab, and another to add.
  const keys = signedInKeys();
  const switcher = h(
    'select',
    { 'aria-label': 'Signed-in key', id: 'key-switcher' },
    keys.map((key, index) =>
      h(
        'option',
        { value: String(index), selected: key.accessKeyId === client.credentials.accessKeyId && key.region === client.credentials.region },
        `${key.accessKeyId} · ${key.region}`,
      ),
    ),
    h('option', { value: 'add' }, 'Sign in with another key…'),
  );
  switcher.addEventListener('change', () => {
    if (switcher.value === 'add') {
      showSignIn(() => showShell(client));
      return;
    }
    const credentials = useCredentials(Number(switcher.value));
    if (credentials) showShell(createApiClient(credentials, base));
  });
  const signOut = h('button', { type: 'button', class: 'link' }, 'Sign out');
  signOut.addEventListener('click', () => {
    forgetCredentials();
    window.onhashchange = null;
    location.hash = '';
    showSignIn();
  });
  replaceChildren(
    root,
    h('a', { href: '#main', class: 'skip-link' }, 'Skip to content'),
    h(
      'header',
      { class: 'shell' },
      h('span', { class: 'brand' }, 'IPAM console'),
      h('nav', { 'aria-label': 'Main' }, links),
      h('span', { class: 'who' }, switcher),
      signOut,
    ),
    h('div', { class: 'flash-wrap' }, flash),
    main,
  );
  const editing = () =>
    [...main.querySelectorAll('input')].some((input) => input.value !== input.defaultValue) ||
    [...main.querySelectorAll('form')].some((form) => form.contains(document.activeElement)) ||
    document.querySelector('dialog[open]') !== null;
  let rendering = 0;
  /** The note of an action that navigated away (a delete): the new page shows it instead of clearing the flash. */
  let carriedNote: string | undefined;
  /** Renders the route; a navigation moves focus to the new heading, a refresh keeps it where it was. */
  const render = async (refresh = false) => {
    const hash = location.hash;
    const route = ROUTES.find((candidate) => candidate.pattern.test(hash));
    for (const link of links) link.toggleAttribute('aria-current', link.dataset.nav === route?.nav);
    const turn = ++rendering;
    if (!refresh) notify('ok', carriedNote ?? '');
    carriedNote = undefined;
    if (!route) {
      replaceChildren(main, h('h1', {}, 'Not found'), h('p', {}, 'No page has this address. ', h('a', { href: '#/' }, 'Dashboard')));
      return;
    }
    document.title = `${route.title} · IPAM console`;
    const focusedId = document.activeElement?.id;
    main.setAttribute('aria-busy', 'true');
    if (!refresh) replaceChildren(main, h('p', { class: 'loading' }, 'Loading…'));
    const params = route.pattern.exec(hash)?.groups ?? {};
    let content: HTMLElement;
    try {
      content = await route.page({
        client,
        params,
        refresh: (note) => {
          if (note) notify('ok', note);
          // The action went to another page: that navigation renders it, with the note.
          if (location.hash !== hash) carriedNote = note;
          else void render(true);
        },
        notify,
        refreshLater: (ms) => {
          const at = rendering;
          const later = () => {
            if (at !== rendering || location.hash !== hash) return;
            // Never under the user's hands: a form being filled in waits.
            if (editing()) setTimeout(later, ms);
            else void render(true);
          };
          setTimeout(later, ms);
        },
        navigate: (to) => (location.hash = to),
      });
    } catch (error) {
      if (error instanceof ApiError && (error.code === 'AuthFailure' || error.code === 'SignatureDoesNotMatch')) {
        forgetCredentials();
        showSignIn();
        return;
      }
      content = h('div', {}, h('h1', {}, route.title), h('p', { class: 'status error', role: 'alert' }, errorText(error)));
    }
    if (turn !== rendering) return;
    main.removeAttribute('aria-busy');
    replaceChildren(main, content);
    if (refresh) {
      if (focusedId) document.getElementById(focusedId)?.focus({ preventScroll: true });
      return;
    }
    // Screen readers and keyboards land on the new page's heading, not on the link just used.
    const heading = main.querySelector('h1');
    if (heading) {
      heading.tabIndex = -1;
      heading.focus({ preventScroll: true });
    }
  };
  window.onhashchange = () => void render();
  void render();
}

const credentials = loadCredentials();
if (credentials) showShell(createApiClient(credentials, base));
else showSignIn();
