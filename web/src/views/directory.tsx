import { Fragment } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { Api, errorText, isAbort } from '../api';
import {
  ChangeEntry,
  DepartmentNode,
  departmentLevel,
  searchUsers,
  userDetail,
  userHistory,
  UserSearch,
} from '../api-directory';
import { statusClass } from '../format';
import { ErrorLine, Field, Pager, Text, Time, useLoad, ViewProps } from './common';
import { IdpSetupPanel } from './idp-setup';
import '../styles/directory.css';

const userHref = (tenantId: string, userId: string): string =>
  `#/directory/${encodeURIComponent(tenantId)}/users/${encodeURIComponent(userId)}`;

/** `#/directory`, `#/directory/<tenantId>`, `#/directory/<tenantId>/users/<userId>`. */
export function DirectoryView({ api, me, tenants, path }: ViewProps) {
  const tenantId = path[0] ?? (me.scope === 'tenant' ? (me.tenantId ?? undefined) : undefined);
  if (!tenantId) return <TenantChoice tenants={tenants} />;
  const tenantName = tenants.find((tenant) => tenant.id === tenantId)?.name ?? me.tenantName ?? tenantId;
  if (path[1] === 'users' && path[2]) {
    return <UserDetailView api={api} tenantId={tenantId} tenantName={tenantName} userId={path[2]} />;
  }
  return <Browser api={api} tenantId={tenantId} tenantName={tenantName} />;
}

function TenantChoice({ tenants }: { tenants: ViewProps['tenants'] }) {
  return (
    <section class="directory">
      <h2>Directory</h2>
      <p>Choose a tenant to browse its departments and users.</p>
      <ul class="tenant-choice">
        {tenants.map((tenant) => (
          <li key={tenant.id}>
            <a href={`#/directory/${encodeURIComponent(tenant.id)}`}>{tenant.name ?? tenant.id}</a>{' '}
            <span class="muted small">{tenant.id}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}

interface Selected {
  id: string;
  name: string;
}

function Browser({ api, tenantId, tenantName }: { api: Api; tenantId: string; tenantName: string }) {
  const [department, setDepartment] = useState<Selected | null>(null);
  const [showIdp, setShowIdp] = useState(false);
  useEffect(() => setDepartment(null), [tenantId]);
  return (
    <section class="directory">
      <h2>
        Directory · {tenantName} <span class="muted small">{tenantId}</span>
      </h2>
      <div class="directory-panes">
        <nav class="directory-tree" aria-label="Departments">
          <h3>Departments</h3>
          <TreeLevel api={api} tenantId={tenantId} parentId={null} selected={department} onSelect={setDepartment} />
        </nav>
        <UserSearchPane
          api={api}
          tenantId={tenantId}
          department={department}
          onClearDepartment={() => setDepartment(null)}
        />
      </div>
      <section class="directory-idp">
        <h3>
          <button
            type="button"
            class="disclosure"
            aria-expanded={showIdp}
            aria-controls="directory-idp-panel"
            onClick={() => setShowIdp(!showIdp)}
          >
            Identity-provider setup
          </button>
        </h3>
        <div id="directory-idp-panel" hidden={!showIdp}>
          {showIdp && <IdpSetupPanel api={api} tenantId={tenantId} />}
        </div>
      </section>
    </section>
  );
}

/** One level of the tree; each department's children load when it is first expanded. */
function TreeLevel(props: {
  api: Api;
  tenantId: string;
  parentId: string | null;
  selected: Selected | null;
  onSelect: (department: Selected) => void;
}) {
  const { api, tenantId, parentId } = props;
  const [nodes, setNodes] = useState<DepartmentNode[]>([]);
  const [page, setPage] = useState(1);
  const [hasNext, setHasNext] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  useEffect(() => {
    const controller = new AbortController();
    setLoading(true);
    departmentLevel(api, tenantId, parentId, page, controller.signal).then(
      (level) => {
        setNodes((previous) => (page === 1 ? level.items : [...previous, ...level.items]));
        setHasNext(level.hasNext);
        setError(null);
        setLoading(false);
      },
      (failure: unknown) => {
        if (!isAbort(failure)) {
          setError(errorText(failure));
          setLoading(false);
        }
      },
    );
    return () => controller.abort();
  }, [api, tenantId, parentId, page]);
  return (
    <>
      <ErrorLine error={error} />
      {nodes.length === 0 && !loading && !error && parentId === null && <p class="muted">No departments yet.</p>}
      <ul class="tree" role="list">
        {nodes.map((node) => (
          <TreeNode key={node.id} {...props} node={node} />
        ))}
      </ul>
      {loading && <p class="muted small">Loading…</p>}
      {hasNext && !loading && (
        <button type="button" class="more" onClick={() => setPage(page + 1)}>
          Show more departments
        </button>
      )}
    </>
  );
}

function TreeNode(props: {
  api: Api;
  tenantId: string;
  node: DepartmentNode;
  selected: Selected | null;
  onSelect: (department: Selected) => void;
}) {
  const { node, selected, onSelect } = props;
  const [open, setOpen] = useState(false);
  const childrenId = `children-${node.id}`;
  const isSelected = selected?.id === node.id;
  return (
    <li class={isSelected ? 'selected' : undefined}>
      <div class="tree-row">
        {node.childCount > 0 ? (
          <button
            type="button"
            class="disclosure"
            aria-expanded={open}
            aria-controls={childrenId}
            aria-label={`${open ? 'Collapse' : 'Expand'} ${node.name}`}
            onClick={() => setOpen(!open)}
          />
        ) : (
          <span class="disclosure-spacer" aria-hidden="true" />
        )}
        <button
          type="button"
          class="tree-name"
          aria-pressed={isSelected}
          title={node.externalId ? `${node.externalId} · ${node.id}` : node.id}
          onClick={() => onSelect({ id: node.id, name: node.name })}
        >
          {node.name}
          {!node.active && <span class="muted small"> (inactive)</span>}
        </button>
        <span class="tree-counts muted small">
          {node.childCount} {node.childCount === 1 ? 'department' : 'departments'} · {node.userCount}{' '}
          {node.userCount === 1 ? 'user' : 'users'}
        </span>
      </div>
      {open && (
        <div id={childrenId}>
          <TreeLevel {...props} parentId={node.id} />
        </div>
      )}
    </li>
  );
}

function UserSearchPane(props: {
  api: Api;
  tenantId: string;
  department: Selected | null;
  onClearDepartment: () => void;
}) {
  const { api, tenantId, department } = props;
  const [search, setSearch] = useState('');
  const [filter, setFilter] = useState('');
  const [applied, setApplied] = useState<UserSearch>({});
  const [page, setPage] = useState(1);
  useEffect(() => setPage(1), [tenantId, department?.id, applied]);
  const query: UserSearch = { ...applied, departmentId: department?.id, page, pageSize: 50 };
  const users = useLoad(
    (signal) => searchUsers(api, tenantId, query, signal),
    [api, tenantId, applied, department?.id, page],
  );
  return (
    <section class="directory-users" aria-label="Users">
      <h3>Users</h3>
      <form
        class="filters"
        role="search"
        onSubmit={(event) => {
          event.preventDefault();
          setApplied({ search: search.trim() || undefined, filter: filter.trim() || undefined });
        }}
      >
        <Field label="Search">
          <input
            type="search"
            name="search"
            placeholder="Name, email, user name or external id"
            value={search}
            onInput={(event) => setSearch(event.currentTarget.value)}
          />
        </Field>
        <Field label="SCIM filter">
          <input
            type="text"
            name="filter"
            class="mono"
            placeholder='e.g. active eq false and name.familyName sw "H"'
            value={filter}
            onInput={(event) => setFilter(event.currentTarget.value)}
          />
        </Field>
        <div class="actions">
          <button type="submit" class="primary">
            Search
          </button>
        </div>
      </form>
      {department && (
        <p class="department-filter">
          In department <strong>{department.name}</strong>{' '}
          <button type="button" onClick={props.onClearDepartment}>
            Show all departments
          </button>
        </p>
      )}
      <ErrorLine error={users.error} />
      {users.data && (
        <>
          <div class="table-wrap">
            <table class="grid">
              <thead>
                <tr>
                  <th scope="col">User</th>
                  <th scope="col">Email</th>
                  <th scope="col">Active</th>
                  <th scope="col">Changed</th>
                </tr>
              </thead>
              <tbody>
                {users.data.items.map((user) => (
                  <tr key={user.id}>
                    <td>
                      <a href={userHref(tenantId, user.id)}>{user.displayName ?? user.userName}</a>
                      {user.displayName && (
                        <div class="muted small" title={user.id}>
                          {user.userName}
                        </div>
                      )}
                    </td>
                    <td>
                      <Text value={user.email} />
                    </td>
                    <td>{user.active ? 'Yes' : 'No'}</td>
                    <td class="nowrap">
                      <Time iso={user.updatedOn} short /> <span class="muted small">by {user.changedBy}</span>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {users.data.items.length === 0 && <p class="empty muted">No user matches.</p>}
          <Pager page={users.data} onPage={setPage} />
        </>
      )}
      {users.loading && !users.data && <p class="muted">Loading…</p>}
    </section>
  );
}

function display(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function UserDetailView(props: { api: Api; tenantId: string; tenantName: string; userId: string }) {
  const { api, tenantId, userId } = props;
  const user = useLoad((signal) => userDetail(api, tenantId, userId, signal), [api, tenantId, userId]);
  const data = user.data;
  return (
    <section class="directory user-detail">
      <p>
        <a href={`#/directory/${encodeURIComponent(tenantId)}`}>‹ Directory · {props.tenantName}</a>
      </p>
      <ErrorLine error={user.error} />
      {!data ? (
        user.loading && <p class="muted">Loading…</p>
      ) : (
        <>
          <h2>
            {data.displayName ?? data.userName}{' '}
            <span class={`badge ${data.active ? 'state-completed' : 'state-failed'}`}>
              {data.active ? 'Active' : 'Inactive'}
            </span>
          </h2>
          <p class="muted small" title="User id">
            {data.id}
          </p>
          <dl class="attributes">
            <dt>User name</dt>
            <dd>{data.userName}</dd>
            <dt>Email</dt>
            <dd>
              <Text value={data.email} />
            </dd>
            <dt>Given name</dt>
            <dd>
              <Text value={data.givenName} />
            </dd>
            <dt>Family name</dt>
            <dd>
              <Text value={data.familyName} />
            </dd>
            <dt>External id</dt>
            <dd>
              <Text value={data.externalId} />
            </dd>
            <dt>Phone</dt>
            <dd>
              <Text value={data.phoneNumber} />
            </dd>
            <dt>Role</dt>
            <dd>
              <Text value={data.role} />
            </dd>
            <dt>Created</dt>
            <dd>
              <Time iso={data.createdOn} /> by {data.createdBy}
            </dd>
            <dt>Last changed</dt>
            <dd>
              <Time iso={data.updatedOn} /> by {data.changedBy}
            </dd>
            {Object.entries(data.attributes).map(([key, value]) => (
              <Fragment key={key}>
                <dt>{key}</dt>
                <dd class="mono">{display(value)}</dd>
              </Fragment>
            ))}
            {data.metadata && (
              <>
                <dt>Metadata</dt>
                <dd class="mono">{JSON.stringify(data.metadata)}</dd>
              </>
            )}
          </dl>
          <h3>Assignments</h3>
          {data.assignments.length === 0 ? (
            <p class="muted">Not assigned to any department.</p>
          ) : (
            <ul>
              {data.assignments.map((a) => (
                <li key={a.departmentId + a.userTypeId}>
                  <span title={a.departmentId}>{a.departmentName}</span> as{' '}
                  <span title={`User type ${a.userTypeId}`}>{a.userTypeName ?? a.userTypeId}</span>
                </li>
              ))}
            </ul>
          )}
          <UserHistory api={api} tenantId={tenantId} userId={userId} />
          <h3>Recent requests about this user</h3>
          {data.requestLogs.length === 0 ? (
            <p class="muted">No logged request names this user.</p>
          ) : (
            <div class="table-wrap">
              <table class="grid">
                <thead>
                  <tr>
                    <th scope="col">Time</th>
                    <th scope="col">Request</th>
                    <th scope="col">Status</th>
                  </tr>
                </thead>
                <tbody>
                  {data.requestLogs.map((log) => (
                    <tr key={log.id}>
                      <td class="nowrap">
                        <Time iso={log.time} short />
                      </td>
                      <td class="path">
                        <a href={`#/logs/${encodeURIComponent(log.id)}`} title={log.correlationId ?? log.id}>
                          {log.method} {log.path}
                        </a>
                      </td>
                      <td>
                        <span class={`status ${statusClass(log.status)}`}>{log.status}</span>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </section>
  );
}

const EVENT_LABELS: Record<ChangeEntry['type'], string> = {
  create: 'Created',
  patch: 'Changed',
  delete: 'Deleted',
  activate: 'Activated',
  deactivate: 'Deactivated',
};

function eventLabel(change: ChangeEntry): string {
  if (change.resourceType === 'assignment') return change.type === 'delete' ? 'Unassigned' : 'Assigned';
  return EVENT_LABELS[change.type] ?? change.type;
}

/** What changed: the attribute names, or for an assignment its department and user type. */
function changedText(change: ChangeEntry): string {
  if (change.resourceType === 'assignment')
    return `department ${change.resourceId}, user type ${change.userTypeId ?? ''}`;
  return change.attributes.join(', ');
}

/** The user's changes from every door, newest first (GET .../users/{userId}/history). */
function UserHistory(props: { api: Api; tenantId: string; userId: string }) {
  const { api, tenantId, userId } = props;
  const [page, setPage] = useState(1);
  const history = useLoad((signal) => userHistory(api, tenantId, userId, page, signal), [api, tenantId, userId, page]);
  const data = history.data;
  return (
    <>
      <h3>History</h3>
      <ErrorLine error={history.error} />
      {!data ? (
        history.loading && <p class="muted">Loading…</p>
      ) : data.items.length === 0 ? (
        <p class="muted">No change of this user is recorded.</p>
      ) : (
        <>
          <div class="table-wrap">
            <table class="grid history" aria-label="History">
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Door</th>
                  <th scope="col">Credential</th>
                  <th scope="col">Event</th>
                  <th scope="col">Attributes</th>
                </tr>
              </thead>
              <tbody>
                {data.items.map((change) => (
                  <tr key={change.eventId}>
                    <td class="nowrap">
                      <Time iso={change.occurredOn} short />
                    </td>
                    <td>{change.door}</td>
                    <td>
                      <Text value={change.credential?.name ?? change.credential?.id} />
                    </td>
                    <td title={change.correlationId ?? undefined}>{eventLabel(change)}</td>
                    <td class="mono">{changedText(change)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pager page={data} onPage={setPage} />
        </>
      )}
    </>
  );
}
