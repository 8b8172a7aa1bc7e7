import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { Api, Tenant } from './api';
import { ErrorLine, useLoad, ViewProps } from './views/common';
import { DirectoryView } from './views/directory';
import { JobsView } from './views/jobs';
import { LogFilters, LogsView, NO_LOG_FILTERS } from './views/logs';
import { OperatorsView } from './views/operators';
import { OverviewView } from './views/overview';
import { SignIn } from './views/sign-in';
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

function Shell({ api, onSignOut }: { api: Api; onSignOut: () => void }) {
  const route = useRoute();
  const [logFilters, setLogFilters] = useState<LogFilters>(NO_LOG_FILTERS);
  const whoami = useLoad((signal) => api.me(signal), [api]);
  const tenantList = useLoad((signal) => api.tenants(signal), [api]);
  const tenants: Tenant[] = tenantList.data?.items ?? [];
  const me = whoami.data;
  if (!me) {
    return (
      <main class="content">{whoami.error ? <ErrorLine error={whoami.error} /> : <p class="muted">Loading…</p>}</main>
    );
  }
  const views = VIEWS.filter((view) => !view.all || me.scope === 'all');
  const props: ViewProps = { api, me, tenants, path: route.path };
  const openId = route.path[0];

  return (
    <>
      <header class="top">
        <span class="brand">Identity provisioning hub · operators</span>
        <nav class="tabs">
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
        <span class="who" title={me.credentialId}>
          {me.name}
          {me.scope === 'tenant' ? ` · ${me.tenantName ?? me.tenantId ?? ''}` : ''}
        </span>
        <button type="button" class="sign-out" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      <main class="content">
        {route.view === 'overview' && <OverviewView {...props} />}
        {route.view === 'tenants' && <TenantsView {...props} />}
        {route.view === 'operators' && me.scope === 'all' && <OperatorsView {...props} />}
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
      </main>
    </>
  );
}
