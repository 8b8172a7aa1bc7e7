import { useState } from 'preact/hooks';
import type { Api, Me } from '../api';
import { errorText } from '../api';
import {
  createTenant,
  createUserType,
  Credential,
  CREDENTIAL_KINDS,
  CredentialKind,
  getTenant,
  IssuedCredential,
  issueCredential,
  listCredentials,
  listTenants,
  listUserTypes,
  renameUserType,
  revokeCredential,
  TENANT_KIND_ROLES,
  TenantChanges,
  TenantDetail,
  updateTenant,
  UserType,
} from '../api-tenants';
import '../styles/tenants.css';
import { ConfirmButton, ErrorLine, Field, Text, Time, useLoad, ViewProps } from './common';
import { IdpSetupPanel } from './idp-setup';

/**
 * `#/tenants`: the list and the create form (ADMIN); `#/tenants/<id>`: one tenant's page. A
 * TENANT_ADMIN has one tenant, so `#/tenants` opens its page.
 */
export function TenantsView({ api, me, path }: ViewProps) {
  const tenantId = path[0] ?? (me.scope === 'tenant' ? me.tenantId : null);
  if (tenantId) return <TenantPage api={api} me={me} tenantId={tenantId} />;
  return <TenantList api={api} />;
}

function TenantList({ api }: { api: Api }) {
  const [tick, setTick] = useState(0);
  const list = useLoad((signal) => listTenants(api, signal), [api, tick]);
  return (
    <section class="tenants" aria-labelledby="tenants-title">
      <h2 id="tenants-title">Tenants</h2>
      <ErrorLine error={list.error} />
      <div class="table-wrap">
        <table class="grid">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Org code</th>
              <th scope="col">Locale</th>
              <th scope="col">Time zone</th>
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            {(list.data?.items ?? []).map((tenant) => (
              <tr key={tenant.id}>
                <td>
                  <a href={`#/tenants/${encodeURIComponent(tenant.id)}`}>{tenant.name}</a>
                  <div class="small muted mono">{tenant.id}</div>
                </td>
                <td>
                  <Text value={tenant.orgCode} />
                </td>
                <td>{tenant.locale}</td>
                <td>{tenant.timeZone}</td>
                <td>
                  <Time iso={tenant.createdOn} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {list.data && list.data.items.length === 0 && <p class="muted">No tenants yet.</p>}
      <CreateTenantForm api={api} onCreated={() => setTick((n) => n + 1)} />
    </section>
  );
}

function CreateTenantForm({ api, onCreated }: { api: Api; onCreated: (tenant: TenantDetail) => void }) {
  const [id, setId] = useState('');
  const [fields, setFields] = useState<TenantFields>(EMPTY_FIELDS);
  const [error, setError] = useState<string | null>(null);
  const [created, setCreated] = useState<TenantDetail | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const tenant = await createTenant(api, { id: id.trim(), ...changesOf(fields) });
      setCreated(tenant);
      setId('');
      setFields(EMPTY_FIELDS);
      onCreated(tenant);
    } catch (failure) {
      setError(errorText(failure));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      class="tenant-card tenant-form"
      aria-labelledby="create-tenant-title"
      onSubmit={(event) => void submit(event)}
    >
      <h3 id="create-tenant-title">New tenant</h3>
      <div class="form-row">
        <Field label="Id">
          <input name="id" aria-required="true" value={id} onInput={(event) => setId(event.currentTarget.value)} />
        </Field>
        <TenantFieldsInputs fields={fields} onChange={setFields} requireName />
      </div>
      <div class="actions">
        <button type="submit" disabled={busy}>
          Create tenant
        </button>
      </div>
      <ErrorLine error={error} />
      {created && (
        <p class="notice" role="status">
          Created <a href={`#/tenants/${encodeURIComponent(created.id)}`}>{created.name}</a>.
        </p>
      )}
    </form>
  );
}

interface TenantFields {
  name: string;
  orgCode: string;
  locale: string;
  timeZone: string;
}

const EMPTY_FIELDS: TenantFields = { name: '', orgCode: '', locale: '', timeZone: '' };

/** Only what was filled in; the server keeps its defaults (en-GB, Europe/London) for the rest. */
function changesOf(fields: TenantFields): TenantChanges {
  const changes: TenantChanges = {};
  if (fields.name.trim()) changes.name = fields.name.trim();
  if (fields.orgCode.trim()) changes.orgCode = fields.orgCode.trim();
  if (fields.locale.trim()) changes.locale = fields.locale.trim();
  if (fields.timeZone.trim()) changes.timeZone = fields.timeZone.trim();
  return changes;
}

function TenantFieldsInputs(props: {
  fields: TenantFields;
  onChange: (fields: TenantFields) => void;
  requireName?: boolean;
}) {
  const set = (key: keyof TenantFields) => (event: Event) =>
    props.onChange({ ...props.fields, [key]: (event.currentTarget as HTMLInputElement).value });
  return (
    <>
      <Field label="Name">
        <input
          name="name"
          aria-required={props.requireName ? 'true' : undefined}
          value={props.fields.name}
          onInput={set('name')}
        />
      </Field>
      <Field label="Org code">
        <input name="orgCode" value={props.fields.orgCode} onInput={set('orgCode')} />
      </Field>
      <Field label="Locale">
        <input name="locale" placeholder="en-GB" value={props.fields.locale} onInput={set('locale')} />
      </Field>
      <Field label="Time zone">
        <input name="timeZone" placeholder="Europe/London" value={props.fields.timeZone} onInput={set('timeZone')} />
      </Field>
    </>
  );
}

function TenantPage({ api, me, tenantId }: { api: Api; me: Me; tenantId: string }) {
  const [tick, setTick] = useState(0);
  const tenant = useLoad((signal) => getTenant(api, tenantId, signal), [api, tenantId, tick]);
  if (!tenant.data) {
    return tenant.error ? <ErrorLine error={tenant.error} /> : <p class="muted">Loading…</p>;
  }
  return (
    <section class="tenant-page" aria-labelledby="tenant-title">
      {me.scope === 'all' && (
        <p class="small">
          <a href="#/tenants">‹ All tenants</a>
        </p>
      )}
      <h2 id="tenant-title">
        {tenant.data.name} <span class="small muted mono">{tenant.data.id}</span>
      </h2>
      <p>
        <a href={`#/streams/${encodeURIComponent(tenantId)}`}>Event streams</a>{' '}
        <span class="muted small">(SCIM security events pushed to or polled by receivers)</span>
      </p>
      <EditTenantForm api={api} tenant={tenant.data} onSaved={() => setTick((n) => n + 1)} />
      <CredentialsSection api={api} me={me} tenantId={tenantId} />
      <section class="tenant-card" aria-labelledby="idp-title">
        <h3 id="idp-title">Identity providers</h3>
        <IdpSetupPanel api={api} tenantId={tenantId} />
      </section>
      <UserTypesSection api={api} tenantId={tenantId} />
    </section>
  );
}

function EditTenantForm({ api, tenant, onSaved }: { api: Api; tenant: TenantDetail; onSaved: () => void }) {
  const [fields, setFields] = useState<TenantFields>({
    name: tenant.name,
    orgCode: tenant.orgCode ?? '',
    locale: tenant.locale,
    timeZone: tenant.timeZone,
  });
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setError(null);
    setSaved(false);
    try {
      // An emptied org code removes it (which turns partner sync off).
      await updateTenant(api, tenant.id, { ...changesOf(fields), orgCode: fields.orgCode.trim() || null });
      setSaved(true);
      onSaved();
    } catch (failure) {
      setError(errorText(failure));
    }
  };
  return (
    <form class="tenant-card tenant-form" aria-labelledby="edit-tenant-title" onSubmit={(event) => void submit(event)}>
      <h3 id="edit-tenant-title">Settings</h3>
      <div class="form-row">
        <TenantFieldsInputs fields={fields} onChange={setFields} requireName />
      </div>
      <div class="actions">
        <button type="submit">Save</button>
      </div>
      <ErrorLine error={error} />
      {saved && (
        <p class="notice" role="status">
          Saved.
        </p>
      )}
    </form>
  );
}

function CredentialsSection({ api, me, tenantId }: { api: Api; me: Me; tenantId: string }) {
  const [tick, setTick] = useState(0);
  const list = useLoad((signal) => listCredentials(api, tenantId, signal), [api, tenantId, tick]);
  const [issued, setIssued] = useState<IssuedCredential | null>(null);
  const refresh = () => setTick((n) => n + 1);
  return (
    <section class="tenant-card" aria-labelledby="credentials-title">
      <h3 id="credentials-title">Credentials</h3>
      <IssueCredentialForm
        api={api}
        tenantId={tenantId}
        maySeeAdmins={me.scope === 'all'}
        onIssued={(credential) => {
          setIssued(credential);
          refresh();
        }}
      />
      {issued && <SecretOnce issued={issued} onDone={() => setIssued(null)} />}
      <ErrorLine error={list.error} />
      <CredentialTable
        credentials={list.data?.items ?? []}
        onRevoke={async (credential) => {
          await revokeCredential(api, tenantId, credential.id);
          refresh();
        }}
      />
    </section>
  );
}

function IssueCredentialForm(props: {
  api: Api;
  tenantId: string;
  maySeeAdmins: boolean;
  onIssued: (credential: IssuedCredential) => void;
}) {
  // A TENANT_ADMIN cannot issue administering credentials: it is offered neither the kind nor the role.
  const kinds = CREDENTIAL_KINDS.filter((kind) => props.maySeeAdmins || kind !== 'ADMIN_TOKEN');
  const [kind, setKind] = useState<CredentialKind>('SCIM_SECRET');
  const [name, setName] = useState('');
  const allowed = TENANT_KIND_ROLES[kind].filter((role) => props.maySeeAdmins || role !== 'TENANT_ADMIN');
  const [roles, setRoles] = useState<string[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const chosen = roles.filter((role) => allowed.includes(role));
      const credential = await issueCredential(props.api, props.tenantId, {
        kind,
        name: name.trim(),
        ...(chosen.length > 0 ? { roles: chosen } : {}),
      });
      setName('');
      setRoles([]);
      props.onIssued(credential);
    } catch (failure) {
      setError(errorText(failure));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="issue-form" aria-label="Issue a credential" onSubmit={(event) => void submit(event)}>
      <div class="form-row">
        <Field label="Kind">
          <select
            name="kind"
            value={kind}
            onChange={(event) => {
              setKind(event.currentTarget.value as CredentialKind);
              setRoles([]);
            }}
          >
            {kinds.map((option) => (
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
        {allowed.length > 0 && (
          <fieldset class="roles">
            <legend>Roles (none ticked: the kind's default)</legend>
            {allowed.map((role) => (
              <label key={role} class="inline">
                <input
                  type="checkbox"
                  name="roles"
                  value={role}
                  checked={roles.includes(role)}
                  onChange={(event) =>
                    setRoles(
                      event.currentTarget.checked ? [...roles, role] : roles.filter((candidate) => candidate !== role),
                    )
                  }
                />{' '}
                {role}
              </label>
            ))}
          </fieldset>
        )}
      </div>
      <div class="actions">
        <button type="submit" disabled={busy}>
          Issue credential
        </button>
      </div>
      <ErrorLine error={error} />
    </form>
  );
}

export const KIND_LABELS: Record<CredentialKind, string> = {
  API_TOKEN: 'API token (provisioning API)',
  SCIM_SECRET: 'SCIM secret (identity provider)',
  OAUTH_CLIENT: 'OAuth client',
  PARTNER_SECRET: 'Partner secret',
  ADMIN_TOKEN: 'Admin token',
};

const DOOR_LABELS: Record<string, string> = {
  scim: 'SCIM',
  provisioning: 'provisioning API',
  partner: 'partner sync',
  admin: 'admin API',
  oauth: 'OAuth token',
  metrics: 'metrics',
};

/** The secret of a credential just issued: shown this once, with a copy button. */
export function SecretOnce({ issued, onDone }: { issued: IssuedCredential; onDone: () => void }) {
  const [copied, setCopied] = useState<string | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(issued.secret);
      setCopied('Copied to the clipboard.');
    } catch {
      setCopied('Copying is not allowed here: select the secret and copy it by hand.');
    }
  };
  return (
    <div class="secret-once" role="region" aria-label="The new secret">
      <p>
        <strong>{issued.name}</strong> was issued. Copy its secret now: <strong>it will not be shown again</strong>.
      </p>
      {issued.clientId && (
        <Field label="Client id">
          <input class="mono" readOnly value={issued.clientId} name="clientId" />
        </Field>
      )}
      <div class="secret-row">
        <Field label="Secret">
          <input
            class="mono secret-value"
            readOnly
            value={issued.secret}
            name="secret"
            onFocus={(event) => event.currentTarget.select()}
          />
        </Field>
        <button type="button" onClick={() => void copy()}>
          Copy
        </button>
        <button type="button" onClick={onDone}>
          Done
        </button>
      </div>
      {copied && (
        <p class="small" role="status">
          {copied}
        </p>
      )}
    </div>
  );
}

/** Credentials with their last use; active ones can be revoked (with a confirmation). */
export function CredentialTable(props: {
  credentials: Credential[];
  onRevoke: (credential: Credential) => Promise<void>;
}) {
  if (props.credentials.length === 0) return <p class="muted">No credentials.</p>;
  return (
    <div class="table-wrap">
      <table class="grid credentials-table">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Kind</th>
            <th scope="col">Roles</th>
            <th scope="col">Created</th>
            <th scope="col">Last use</th>
            <th scope="col">State</th>
          </tr>
        </thead>
        <tbody>
          {props.credentials.map((credential) => (
            <tr key={credential.id} data-credential={credential.id}>
              <td>
                {credential.name}
                <div class="small muted mono" title="Credential id">
                  {credential.id}
                </div>
                {credential.clientId && <div class="small mono">client id {credential.clientId}</div>}
              </td>
              <td>{KIND_LABELS[credential.kind] ?? credential.kind}</td>
              <td>{credential.roles.length > 0 ? credential.roles.join(', ') : <span class="muted">—</span>}</td>
              <td>
                <Time iso={credential.createdOn} />
              </td>
              <td>
                {credential.lastUsedAt ? (
                  <>
                    <Time iso={credential.lastUsedAt} />
                    <div class="small muted">
                      {DOOR_LABELS[credential.lastUsedDoor ?? ''] ?? credential.lastUsedDoor}
                    </div>
                  </>
                ) : (
                  <span class="muted">never</span>
                )}
              </td>
              <td>
                {credential.revokedOn ? (
                  <span class="muted">
                    revoked <Time iso={credential.revokedOn} />
                  </span>
                ) : (
                  <ConfirmButton
                    label="Revoke"
                    question={`Revoke ${credential.name}? Its secret stops working at once.`}
                    confirmLabel="Revoke"
                    onConfirm={() => props.onRevoke(credential)}
                  />
                )}
                {credential.bootstrap && <div class="small muted">from the environment</div>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function UserTypesSection({ api, tenantId }: { api: Api; tenantId: string }) {
  const [tick, setTick] = useState(0);
  const list = useLoad((signal) => listUserTypes(api, tenantId, signal), [api, tenantId, tick]);
  const [id, setId] = useState('');
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const refresh = () => setTick((n) => n + 1);
  const create = async (event: Event) => {
    event.preventDefault();
    setError(null);
    try {
      await createUserType(api, tenantId, { id: id.trim(), name: name.trim() });
      setId('');
      setName('');
      refresh();
    } catch (failure) {
      setError(errorText(failure));
    }
  };
  return (
    <section class="tenant-card" aria-labelledby="user-types-title">
      <h3 id="user-types-title">User types</h3>
      <ErrorLine error={list.error} />
      <ul class="user-types">
        {(list.data?.items ?? []).map((userType) => (
          <UserTypeRow key={userType.id} api={api} tenantId={tenantId} userType={userType} onSaved={refresh} />
        ))}
      </ul>
      <form class="form-row" aria-label="New user type" onSubmit={(event) => void create(event)}>
        <Field label="New user type id">
          <input
            name="userTypeId"
            aria-required="true"
            value={id}
            onInput={(event) => setId(event.currentTarget.value)}
          />
        </Field>
        <Field label="Its name">
          <input
            name="userTypeName"
            aria-required="true"
            value={name}
            onInput={(event) => setName(event.currentTarget.value)}
          />
        </Field>
        <div class="actions">
          <button type="submit">Add user type</button>
        </div>
      </form>
      <ErrorLine error={error} />
    </section>
  );
}

function UserTypeRow(props: { api: Api; tenantId: string; userType: UserType; onSaved: () => void }) {
  const [name, setName] = useState(props.userType.name);
  const [error, setError] = useState<string | null>(null);
  const save = async (event: Event) => {
    event.preventDefault();
    setError(null);
    try {
      await renameUserType(props.api, props.tenantId, props.userType.id, name.trim());
      props.onSaved();
    } catch (failure) {
      setError(errorText(failure));
    }
  };
  return (
    <li>
      <form class="form-row" aria-label={`User type ${props.userType.id}`} onSubmit={(event) => void save(event)}>
        <span class="mono user-type-id">{props.userType.id}</span>
        <Field label={`Name of user type ${props.userType.id}`}>
          <input aria-required="true" value={name} onInput={(event) => setName(event.currentTarget.value)} />
        </Field>
        <div class="actions">
          <button type="submit" disabled={name.trim() === props.userType.name}>
            Rename
          </button>
        </div>
      </form>
      <ErrorLine error={error} />
    </li>
  );
}
