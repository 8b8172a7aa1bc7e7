import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { Api, Tenant } from './api';
import { ErrorLine, useLoad, ViewProps } from './views/common';
import { DirectoryView } from './views/directory';
import { JobsView } from './views/jobs';
import { LogFilters, LogsView, NO_LOG_FILTERS } from './views/logs';
import { OperatorsView } from './views/operators';
import { OverviewView } from './views/overview';
import { SignIn } from './views/sign-in';
import { StreamsView } from './views/streams';
import { TenantsView } from './views/tenants';
import { TransactionsView } from './views/transactions';

/** sessionStorage: the token lives as long as this tab, never in localStorage, a cookie or a URL. */
const TOKEN_KEY = 'idp-admin-token';

/** Every view, in the order of the navigation. `all` views need an ADMIN credential (all tenants). */
const VIEWS = [
  { id: 'overview', label: 'Overview', all: false },
  { id: 'tenants', label: 'Tenants', all: false },
  { id: 'directory', label: 'Directory', all: false },
  { id: 'logs', label: 'Request logs', all: false },
  { id: 'transactions', label: 'Transactions', all: false },
  { id: 'jobs', label: 'Jobs', all: false },
  { id: 'streams', label: 'Event streams', all: false },
  { id: 'operators', label: 'Operators', all: true },
] as const;

type View = (typeof VIEWS)[number]['id'];

interface Route {
  view: View;
  /** What follows the view's name: `#/directory/t1/users/u1` → ['t1', 'users', 'u1']. */
  path: string[];
}

/** `#/logs`, `#/logs/<id>`, `#/tenants/<id>`, …: which view, never a credential. */
function parseRoute(hash: string): Route {
  const [view = '', ...rest] = hash.replace(/^#\/?/, '').split('/');
  const known = VIEWS.find((candidate) => candidate.id === view)?.id ?? 'overview';
  return { view: known, path: rest.filter(Boolean).map((part) => decodeURIComponent(part)) };
}

function useRoute(): Route {
  const [hash, setHash] = useState(window.location.hash);
  useEffect(() => {
    const onChange = () => setHash(window.location.hash);
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return parseRoute(hash);
}

export function App() {
  const [token, setToken] = useState(() => sessionStorage.getItem(TOKEN_KEY));
  const [notice, setNotice] = useState<string | null>(null);
  const signOut = useCallback((message: string | null) => {
    sessionStorage.removeItem(TOKEN_KEY);
    setToken(null);
    setNotice(message);
  }, []);
  const api = useMemo(
    () =>
      token
        ? new Api(token, () => signOut('The admin token was refused (401): it was revoked or changed. Sign in again.'))
        : null,
    [token, signOut],
  );

  if (!api) {
    return (
      <SignIn
        notice={notice}
        onSignedIn={(accepted) => {
          sessionStorage.setItem(TOKEN_KEY, accepted);
          setNotice(null);
          setToken(accepted);
        }}
      />
    );
  }
  return <Shell api={api} onSignOut={() => signOut('Signed out.')} />;
}

/**
 * Scroll containers (`.table-wrap`, `pre`) that overflow become keyboard-focusable, so a table wider
 * than a phone can be scrolled with the arrow keys: every view gets this without doing anything.
 */
function useScrollableRegions(root: { current: HTMLElement | null }, ready: boolean): void {
  // `ready`: the element behind `root` is replaced once who is signed in is known.
  useEffect(() => {
    const element = root.current;
    if (!element) return;
    const mark = () => {
      for (const region of element.querySelectorAll<HTMLElement>('.table-wrap, pre')) {
        const scrolls = region.scrollWidth > region.clientWidth + 1 || region.scrollHeight > region.clientHeight + 1;
        if (scrolls && !region.hasAttribute('tabindex')) {
          region.tabIndex = 0;
          region.dataset.scrollRegion = '';
        } else if (!scrolls && region.dataset.scrollRegion !== undefined) {
          region.removeAttribute('tabindex');
          delete region.dataset.scrollRegion;
        }
      }
    };
    let queued = 0;
    const later = () => {
      if (!queued) queued = window.requestAnimationFrame(() => ((queued = 0), mark()));
    };
    const observer = new MutationObserver(later);
    observer.observe(element, { childList: true, subtree: true, characterData: true });
    window.addEventListener('resize', later);
    mark();
    return () => {
      observer.disconnect();
      window.removeEventListener('resize', later);
      if (queued) window.cancelAnimationFrame(queued);
    };
  }, [root, ready]);
}

function Shell({ api, onSignOut }: { api: Api; onSignOut: () => void }) {
  const route = useRoute();
  const [logFilters, setLogFilters] = useState<LogFilters>(NO_LOG_FILTERS);
  const [attempt, setAttempt] = useState(0);
  const [menuOpen, setMenuOpen] = useState(false);
  const whoami = useLoad((signal) => api.me(signal), [api, attempt]);
  const tenantList = useLoad((signal) => api.tenants(signal), [api, attempt]);
  const main = useRef<HTMLElement>(null);
  const routeKey = `${route.view}/${route.path.join('/')}`;
  const firstRoute = useRef(routeKey);
  useScrollableRegions(main, whoami.data !== null);

  // A new view or record: focus goes to the top of the content, as a page load would put it, so
  // a screen reader starts there and Tab continues inside the view. Not on the first render.
  useEffect(() => {
    setMenuOpen(false);
    if (routeKey === firstRoute.current) return;
    firstRoute.current = '';
    main.current?.focus({ preventScroll: false });
  }, [routeKey]);

  const me = whoami.data;
  if (!me) {
    return (
      <main class="content" id="content" tabIndex={-1} ref={main}>
        <h1 class="sr-only">Identity provisioning hub</h1>
        {whoami.error ? (
          <div class="who-failed">
            <ErrorLine error={`Could not read who is signed in: ${whoami.error}`} />
            <div class="actions">
              <button type="button" class="primary" onClick={() => setAttempt((n) => n + 1)} disabled={whoami.loading}>
                {whoami.loading ? 'Trying…' : 'Try again'}
              </button>
              <button type="button" onClick={onSignOut}>
                Sign out
              </button>
            </div>
          </div>
        ) : (
          <p class="muted">Loading…</p>
        )}
      </main>
    );
  }
  const views = VIEWS.filter((view) => !view.all || me.scope === 'all');
  const current = VIEWS.find((view) => view.id === route.view) ?? VIEWS[0];
  // The API scopes the tenant list already; a TENANT_ADMIN's selectors never offer another tenant.
  const tenants: Tenant[] = (tenantList.data?.items ?? []).filter(
    (tenant) => me.scope === 'all' || tenant.id === me.tenantId,
  );
  const props: ViewProps = { api, me, tenants, path: route.path };
  const openId = route.path[0];
  const who = me.scope === 'all' ? 'all tenants' : (me.tenantName ?? me.tenantId ?? 'one tenant');

  return (
    <>
      <a
        class="skip-link"
        href="#content"
        onClick={(event) => {
          // The hash is the route: move focus without navigating.
          event.preventDefault();
          main.current?.focus();
        }}
      >
        Skip to content
      </a>
      <header class={menuOpen ? 'top menu-open' : 'top'}>
        <span class="brand">
          Identity provisioning hub<span class="brand-sub"> · operators</span>
        </span>
        <button
          type="button"
          class="menu-toggle"
          aria-expanded={menuOpen}
          aria-controls="console-nav"
          onClick={() => setMenuOpen(!menuOpen)}
        >
          Menu<span class="sr-only">: {current.label}</span>
        </button>
        <nav class="tabs" id="console-nav" aria-label="Console">
          {views.map((view) => (
            <a
              key={view.id}
              href={`#/${view.id}`}
              class={route.view === view.id ? 'tab current' : 'tab'}
              aria-current={route.view === view.id ? 'page' : undefined}
            >
              {view.label}
            </a>
          ))}
        </nav>
        <span class="who" title={`${me.kind} ${me.credentialId} · ${me.roles.join(', ')}`}>
          <span class="who-name">{me.name}</span>
          <span class="who-scope">
            {me.roles.join(', ')} · {who}
          </span>
        </span>
        <button type="button" class="sign-out" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      <main class="content" id="content" tabIndex={-1} ref={main}>
        {/* The page's one h1, for screen readers; views title themselves with h2. */}
        <h1 class="sr-only">{current.label}</h1>
        {tenantList.error && <ErrorLine error={`The tenant list did not load: ${tenantList.error}`} />}
        {route.view === 'overview' && <OverviewView {...props} />}
        {route.view === 'tenants' && <TenantsView {...props} />}
        {route.view === 'operators' && me.scope === 'all' && <OperatorsView {...props} />}
        {route.view === 'operators' && me.scope !== 'all' && (
          <p class="empty">Operator credentials are managed with an ADMIN credential; this one sees {who} only.</p>
        )}
        {route.view === 'directory' && <DirectoryView {...props} />}
        {route.view === 'logs' && (
          <LogsView
            api={api}
            tenants={tenants}
            filters={logFilters}
            onFilters={setLogFilters}
            openId={openId}
            path={route.path}
          />
        )}
        {route.view === 'transactions' && <TransactionsView api={api} tenants={tenants} path={route.path} />}
        {route.view === 'jobs' && <JobsView api={api} tenants={tenants} path={route.path} />}
        {route.view === 'streams' && <StreamsView {...props} />}
      </main>
    </>
  );
}
