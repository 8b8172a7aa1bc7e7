import { useState } from 'preact/hooks';
import type { Api } from '../api';
import { errorText } from '../api';
import { IdpCheck, IdpGuide, idpSetup, testIdpConnection } from '../api-directory';
import { ErrorLine, Field, Time, useLoad } from './common';
import '../styles/directory.css';

/** Copies `value` to the clipboard, and says so. */
function CopyButton({ value, label }: { value: string; label: string }) {
  const [said, setSaid] = useState('');
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setSaid('Copied');
    } catch {
      setSaid('Copy failed: select the text instead');
    }
  };
  return (
    <span class="copy">
      <button type="button" onClick={() => void copy()} aria-label={`Copy ${label}`}>
        Copy
      </button>
      <span class="muted small" role="status">
        {said}
      </span>
    </span>
  );
}

function CopyValue({ label, value }: { label: string; value: string }) {
  return (
    <div class="copy-value">
      <dt>{label}</dt>
      <dd>
        <code>{value}</code> <CopyButton value={value} label={label} />
      </dd>
    </div>
  );
}

function Guide({ title, guide }: { title: string; guide: IdpGuide }) {
  return (
    <section class="idp-guide" aria-label={title}>
      <h4>{title}</h4>
      <ol>
        {guide.steps.map((step) => (
          <li key={step}>{step}</li>
        ))}
      </ol>
      <div class="table-wrap">
        <table class="grid">
          <caption class="muted small">Attribute mappings ({title})</caption>
          <thead>
            <tr>
              <th scope="col">{title} attribute</th>
              <th scope="col">SCIM attribute</th>
              <th scope="col">Note</th>
            </tr>
          </thead>
          <tbody>
            {guide.mappings.map((mapping) => (
              <tr key={mapping.target + mapping.source}>
                <td>
                  <code>{mapping.source}</code>
                </td>
                <td>
                  <code>{mapping.target}</code> <CopyButton value={mapping.target} label={mapping.target} />
                </td>
                <td class="small">{mapping.note ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/** Tests a credential the way Entra ID and Okta do; the secret lives only in this form's state. */
function TestConnection({ api, tenantId }: { api: Api; tenantId: string }) {
  const [mode, setMode] = useState<'token' | 'oauth'>('token');
  const [token, setToken] = useState('');
  const [clientId, setClientId] = useState('');
  const [clientSecret, setClientSecret] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<{ ok: boolean; checks: IdpCheck[] } | null>(null);
  const run = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      setResult(await testIdpConnection(api, tenantId, mode === 'token' ? { token } : { clientId, clientSecret }));
    } catch (failure) {
      setError(errorText(failure));
    } finally {
      setBusy(false);
      // Nothing of the secret is kept once the test has run.
      setToken('');
      setClientSecret('');
    }
  };
  return (
    <form class="idp-test" onSubmit={(event) => void run(event)} aria-label="Test connection">
      <h4>Test connection</h4>
      <fieldset class="checks">
        <legend>Credential</legend>
        <label>
          <input type="radio" name="idp-mode" checked={mode === 'token'} onChange={() => setMode('token')} /> SCIM
          secret
        </label>
        <label>
          <input type="radio" name="idp-mode" checked={mode === 'oauth'} onChange={() => setMode('oauth')} /> OAuth
          client
        </label>
      </fieldset>
      {mode === 'token' ? (
        <Field label="Secret token">
          <input
            type="password"
            name="idp-token"
            autoComplete="off"
            required
            value={token}
            onInput={(event) => setToken(event.currentTarget.value)}
          />
        </Field>
      ) : (
        <>
          <Field label="Client id">
            <input
              type="text"
              name="idp-client-id"
              autoComplete="off"
              required
              value={clientId}
              onInput={(event) => setClientId(event.currentTarget.value)}
            />
          </Field>
          <Field label="Client secret">
            <input
              type="password"
              name="idp-client-secret"
              autoComplete="off"
              required
              value={clientSecret}
              onInput={(event) => setClientSecret(event.currentTarget.value)}
            />
          </Field>
        </>
      )}
      <div class="actions">
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Testing…' : 'Test connection'}
        </button>
      </div>
      <ErrorLine error={error} />
      {result && (
        <div class="idp-result" role="status">
          <p class={result.ok ? 'ok-line' : 'error'}>
            {result.ok ? 'Every check passed.' : 'The connection test failed.'}
          </p>
          <div class="table-wrap">
            <table class="grid">
              <thead>
                <tr>
                  <th scope="col">Check</th>
                  <th scope="col">Request</th>
                  <th scope="col">Status</th>
                  <th scope="col">Time</th>
                  <th scope="col">Result</th>
                </tr>
              </thead>
              <tbody>
                {result.checks.map((check) => (
                  <tr key={check.name} class={check.ok ? 'check-ok' : 'check-bad'}>
                    <td>{check.name}</td>
                    <td class="path">
                      <code>
                        {check.method} {check.path}
                      </code>
                    </td>
                    <td class="num">{check.status ?? '—'}</td>
                    <td class="num">{check.durationMs} ms</td>
                    <td>
                      <span class={`badge ${check.ok ? 'state-completed' : 'state-failed'}`}>
                        {check.ok ? 'OK' : 'Failed'}
                      </span>{' '}
                      {check.detail}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      )}
    </form>
  );
}

/** What an operator enters in Entra ID or Okta to provision one tenant, and a test of the credential. */
export function IdpSetupPanel({ api, tenantId }: { api: Api; tenantId: string }) {
  const setup = useLoad((signal) => idpSetup(api, tenantId, signal), [api, tenantId]);
  const data = setup.data;
  return (
    <section class="idp-setup" aria-label="Identity providers">
      <ErrorLine error={setup.error} />
      {!data ? (
        setup.loading && <p class="muted">Loading…</p>
      ) : (
        <>
          <dl class="copy-values">
            <CopyValue label="SCIM base URL" value={data.scimBaseUrl} />
            <CopyValue label="Token endpoint" value={data.tokenEndpoint} />
          </dl>
          <h4>Credentials that can be used</h4>
          {data.credentials.length === 0 ? (
            <p class="muted">None: issue a SCIM secret or an OAuth client with the SCIM role for this tenant.</p>
          ) : (
            <ul class="idp-credentials">
              {data.credentials.map((credential) => (
                <li key={credential.id}>
                  <strong>{credential.name}</strong>{' '}
                  <span class="muted small" title={credential.id}>
                    {credential.kind === 'OAUTH_CLIENT' ? 'OAuth client' : 'SCIM secret'} · last used{' '}
                    {credential.lastUsedAt ? <Time iso={credential.lastUsedAt} /> : 'never'}
                  </span>
                </li>
              ))}
            </ul>
          )}
          <div class="idp-guides">
            <Guide title="Microsoft Entra ID" guide={data.entra} />
            <Guide title="Okta" guide={data.okta} />
          </div>
          <TestConnection api={api} tenantId={tenantId} />
        </>
      )}
    </section>
  );
}
