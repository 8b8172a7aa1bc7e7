import { useState } from 'preact/hooks';
import { errorText } from '../api';
import {
  IssuedCredential,
  issueOperatorCredential,
  listOperatorCredentials,
  OPERATOR_KINDS,
  revokeOperatorCredential,
} from '../api-tenants';
import '../styles/tenants.css';
import { ErrorLine, Field, useLoad, ViewProps } from './common';
import { CredentialTable, KIND_LABELS, SecretOnce } from './tenants';

type OperatorKind = (typeof OPERATOR_KINDS)[number];

/** `#/operators` (ADMIN only): the operator credentials, which belong to no tenant and span them all. */
export function OperatorsView({ api, me }: ViewProps) {
  const [tick, setTick] = useState(0);
  const list = useLoad((signal) => listOperatorCredentials(api, signal), [api, tick]);
  const [kind, setKind] = useState<OperatorKind>('ADMIN_TOKEN');
  const [name, setName] = useState('');
  const [issued, setIssued] = useState<IssuedCredential | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  if (me.scope !== 'all') return <p class="muted">Only an ADMIN sees the operator credentials.</p>;
  const refresh = () => setTick((n) => n + 1);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      setIssued(await issueOperatorCredential(api, { kind, name: name.trim() }));
      setName('');
      refresh();
    } catch (failure) {
      setError(errorText(failure));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="operators" aria-labelledby="operators-title">
      <h2 id="operators-title">Operators</h2>
      <p class="muted">
        ADMIN credentials see and manage every tenant. To let someone administer one tenant only, issue an admin token
        on that tenant's page (it carries TENANT_ADMIN).
      </p>
      <form
        class="tenant-card issue-form"
        aria-labelledby="issue-operator-title"
        onSubmit={(event) => void submit(event)}
      >
        <h3 id="issue-operator-title">Issue an operator credential</h3>
        <div class="form-row">
          <Field label="Kind">
            <select name="kind" value={kind} onChange={(event) => setKind(event.currentTarget.value as OperatorKind)}>
              {OPERATOR_KINDS.map((option) => (
                <option key={option} value={option}>
                  {KIND_LABELS[option]}
                </option>
              ))}
            </select>
          </Field>
          <Field label="Credential name">
            <input
              name="credentialName"
              aria-required="true"
              value={name}
              onInput={(event) => setName(event.currentTarget.value)}
            />
          </Field>
        </div>
        <div class="actions">
          <button type="submit" disabled={busy}>
            Issue credential
          </button>
        </div>
        <ErrorLine error={error} />
      </form>
      {issued && <SecretOnce issued={issued} onDone={() => setIssued(null)} />}
      <ErrorLine error={list.error} />
      <CredentialTable
        credentials={list.data?.items ?? []}
        onRevoke={async (credential) => {
          await revokeOperatorCredential(api, credential.id);
          refresh();
        }}
      />
    </section>
  );
}
