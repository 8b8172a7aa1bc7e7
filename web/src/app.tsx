import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { Api, Tenant } from './api';
import { useLoad } from './views/common';
import { JobsView } from './views/jobs';
import { LogFilters, LogsView, NO_LOG_FILTERS } from './views/logs';
import { SignIn } from './views/sign-in';
import { TransactionsView } from './views/transactions';

/** sessionStorage: the token lives as long as this tab, never in localStorage, a cookie or a URL. */
const TOKEN_KEY = 'idp-admin-token';

type View = 'logs' | 'transactions' | 'jobs';

interface Route {
  view: View;
  id?: string;
}

/** `#/logs`, `#/logs/<id>`, `#/transactions/<id>`, `#/jobs`: which view, never a credential. */
function parseRoute(hash: string): Route {
  const [view, id] = hash.replace(/^#\/?/, '').split('/');
  const known: View = view === 'transactions' || view === 'jobs' ? view : 'logs';
  return id ? { view: known, id: decodeURIComponent(id) } : { view: known };
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
  const tenantList = useLoad((signal) => api.tenants(signal), [api]);
  const tenants: Tenant[] = tenantList.data?.items ?? [];
  const tab = (view: View, label: string) => (
    <a href={`#/${view}`} class={route.view === view ? 'tab current' : 'tab'} aria-current={route.view === view}>
      {label}
    </a>
  );

  return (
    <>
      <header class="top">
        <span class="brand">Identity provisioning hub · operators</span>
        <nav class="tabs">
          {tab('logs', 'Request logs')}
          {tab('transactions', 'Transactions')}
          {tab('jobs', 'Jobs')}
        </nav>
        <button type="button" class="sign-out" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      <main class="content">
        {route.view === 'logs' && (
          <LogsView api={api} tenants={tenants} filters={logFilters} onFilters={setLogFilters} openId={route.id} />
        )}
        {route.view === 'transactions' && <TransactionsView api={api} tenants={tenants} openId={route.id} />}
        {route.view === 'jobs' && <JobsView api={api} tenants={tenants} />}
      </main>
    </>
  );
}
