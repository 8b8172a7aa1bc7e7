import { useCallback, useState } from 'preact/hooks';
import { Api, Tenant } from '../api';
import { CANCELLABLE_JOB_STATUSES, cancelJob, jobById, links, prettyJson, RepairJob } from '../api-failures';
import '../styles/failures.css';
import {
  Choice,
  ConfirmButton,
  ErrorLine,
  Field,
  Pager,
  Progress,
  RowToggle,
  StatusBadge,
  tenantLabel,
  Text,
  Time,
  useInterval,
  useLoad,
} from './common';

const STATUSES = ['NOT_STARTED', 'STARTED', 'DONE', 'FAILED', 'CANCELLED'];
/** Statuses that move on by themselves: the list refreshes while one is shown. */
const MOVING = new Set(['NOT_STARTED', 'STARTED']);

export function JobsView(props: { api: Api; tenants: Tenant[]; openId?: string; path?: string[] }) {
  const { api, tenants } = props;
  const openId = props.openId ?? props.path?.[0];
  const [tenant, setTenant] = useState('');
  const [status, setStatus] = useState('');
  const [type, setType] = useState('');
  const [draftType, setDraftType] = useState('');
  const [page, setPage] = useState(1);
  const [tick, setTick] = useState(0);
  const [open, setOpen] = useState<string | null>(null);
  const list = useLoad(
    (signal) => api.jobs({ tenant, status, type, page, pageSize: 50 }, signal),
    [api, tenant, status, type, page, tick],
  );
  const refresh = useCallback(() => setTick((n) => n + 1), []);
  const running = list.data?.items.some((job) => MOVING.has(job.status)) ?? false;
  useInterval(refresh, 3000, running && openId === undefined);

  return (
    <>
      {openId !== undefined && <JobDetailView api={api} id={openId} tenants={props.tenants} />}
      <section class="jobs" hidden={openId !== undefined}>
        <form
          class="filters"
          aria-label="Job filters"
          onSubmit={(event) => {
            event.preventDefault();
            setPage(1);
            setType(draftType.trim());
          }}
        >
          <Choice
            label="Tenant"
            name="tenant"
            value={tenant}
            anyLabel="all"
            options={tenants.map((t) => t.id)}
            onChange={(value) => {
              setPage(1);
              setTenant(value);
            }}
          />
          <Choice
            label="Status"
            name="status"
            value={status}
            anyLabel="any"
            options={STATUSES}
            onChange={(value) => {
              setPage(1);
              setStatus(value);
            }}
          />
          <Field label="Type">
            <input
              name="type"
              value={draftType}
              placeholder="EXECUTE_IAM_COMMIT_TRANSACTION_JOB"
              size={30}
              onInput={(event) => setDraftType(event.currentTarget.value)}
            />
          </Field>
          <div class="actions">
            <button type="submit" class="primary">
              Apply
            </button>
            <button type="button" onClick={refresh}>
              Refresh
            </button>
          </div>
        </form>
        <ErrorLine error={list.error} />
        {list.data && list.data.items.length === 0 && <p class="empty">No job matches.</p>}
        {list.data && list.data.items.length > 0 && (
          <div class="table-wrap">
            <table class="grid jobs-table">
              <thead>
                <tr>
                  <th>Created</th>
                  <th>Tenant</th>
                  <th>Type</th>
                  <th>Status</th>
                  <th>Progress</th>
                  <th>Last update</th>
                  <th>Finished</th>
                </tr>
              </thead>
              <tbody>
                {list.data.items.map((job) => (
                  <JobRows
                    key={job.id}
                    job={job}
                    open={open === job.id}
                    onToggle={() => setOpen(open === job.id ? null : job.id)}
                    tenants={props.tenants}
                  />
                ))}
              </tbody>
            </table>
          </div>
        )}
        <Pager page={list.data} onPage={setPage} />
      </section>
    </>
  );
}

function JobRows({
  job,
  open,
  onToggle,
  tenants,
}: {
  job: RepairJob;
  open: boolean;
  onToggle: () => void;
  tenants: Tenant[];
}) {
  const last = job.updates.length > 0 ? job.updates[job.updates.length - 1] : undefined;
  return (
    <>
      <tr class={open ? 'row open' : 'row'} data-id={job.id} onClick={onToggle}>
        <td class="nowrap">
          <RowToggle open={open} onToggle={onToggle} label={`details of job ${job.id}`}>
            <Time iso={job.createdOn} short />
          </RowToggle>
        </td>
        <td title={job.tenantId}>{job.tenantName ?? tenantLabel(tenants, job.tenantId)}</td>
        <td class="mono">{job.job.type}</td>
        <td>
          <StatusBadge status={job.status} />
        </td>
        <td>
          <Progress value={job.donePercentage} label={`Job ${job.id} done`} />
        </td>
        <td class="ident">
          <Text value={job.errorMessage ?? last?.message} />
        </td>
        <td class="nowrap">
          <Time iso={job.finishedOn} short />
        </td>
      </tr>
      {open && (
        <tr class="expanded">
          <td colSpan={7}>
            <dl class="facts">
              <dt>Job</dt>
              <dd class="mono">
                <a href={links.job(job.id)}>{job.id}</a>
              </dd>
              <dt>Created by</dt>
              <dd>{job.createdByName ?? job.createdBy}</dd>
              <dt>Started</dt>
              <dd>
                <Time iso={job.startedOn} />
              </dd>
              <dt>Error</dt>
              <dd class={job.errorMessage ? 'err' : ''}>
                <Text value={job.errorMessage} />
              </dd>
            </dl>
            <h4>Updates</h4>
            {job.updates.length === 0 ? (
              <p class="muted">None yet.</p>
            ) : (
              <ol class="updates">
                {job.updates.map((update, index) => (
                  <li key={index}>
                    <Time iso={update.timestamp} /> {update.message}
                  </li>
                ))}
              </ol>
            )}
            <h4>Parameters and results</h4>
            <pre class="body">{JSON.stringify({ job: job.job, results: job.results }, null, 2)}</pre>
            {job.stackTrace && (
              <>
                <h4>Stack trace</h4>
                <pre class="body">{job.stackTrace}</pre>
              </>
            )}
          </td>
        </tr>
      )}
    </>
  );
}

/** `#/jobs/<id>`: one job, its links, and Cancel while it has not ended. */
function JobDetailView({ api, id, tenants }: { api: Api; id: string; tenants: Tenant[] }) {
  const [tick, setTick] = useState(0);
  const { data: job, error, loading } = useLoad((signal) => jobById(api, id, signal), [api, id, tick]);
  const refresh = useCallback(() => setTick((n) => n + 1), []);
  useInterval(refresh, 3000, job !== null && CANCELLABLE_JOB_STATUSES.includes(job.status));
  const transactionId = typeof job?.job.transactionId === 'string' ? job.job.transactionId : null;
  return (
    <section class="detail job-detail" aria-label="Job detail">
      <p>
        <a href="#/jobs">‹ Back to the jobs</a>
      </p>
      <ErrorLine error={error} />
      {loading && !job && <p class="muted">Loading…</p>}
      {job && job.id === id && (
        <>
          <h2>
            Job <span class="mono">{job.job.type}</span> <StatusBadge status={job.status} />
          </h2>
          <Progress value={job.donePercentage} label="Job done" />
          <dl class="facts">
            <dt>Job</dt>
            <dd class="mono">{job.id}</dd>
            <dt>Tenant</dt>
            <dd title={job.tenantId}>{job.tenantName ?? tenantLabel(tenants, job.tenantId)}</dd>
            <dt>Created by</dt>
            <dd>
              {job.createdByName ?? job.createdBy}
              {job.createdByName && <span class="secondary-id">{job.createdBy}</span>}
            </dd>
            <dt>Created</dt>
            <dd>
              <Time iso={job.createdOn} />
            </dd>
            <dt>Started</dt>
            <dd>
              <Time iso={job.startedOn} />
            </dd>
            <dt>Finished</dt>
            <dd>
              <Time iso={job.finishedOn} />
            </dd>
            <dt>Transaction</dt>
            <dd class="mono">
              {transactionId ? <a href={links.transaction(transactionId)}>{transactionId}</a> : <Text value={null} />}
            </dd>
            <dt>Request</dt>
            <dd class="mono">
              {job.correlationId ? (
                <a href={links.correlation(job.correlationId)} title="The request log of this correlation id">
                  {job.correlationId}
                </a>
              ) : (
                <Text value={null} />
              )}
            </dd>
            <dt>Error</dt>
            <dd class={job.errorMessage ? 'err' : ''}>
              <Text value={job.errorMessage} />
            </dd>
          </dl>
          {CANCELLABLE_JOB_STATUSES.includes(job.status) && (
            <div class="repair-actions">
              <ConfirmButton
                label="Cancel job"
                question={
                  job.status === 'STARTED'
                    ? 'Cancel this running job? It stops after its current batch.'
                    : 'Cancel this job before it starts?'
                }
                confirmLabel="Cancel job"
                onConfirm={async () => {
                  await cancelJob(api, job.id);
                  refresh();
                }}
              />
            </div>
          )}
          <h3>Updates</h3>
          {job.updates.length === 0 ? (
            <p class="muted">None yet.</p>
          ) : (
            <ol class="updates">
              {job.updates.map((update, index) => (
                <li key={index}>
                  <Time iso={update.timestamp} /> {update.message}
                </li>
              ))}
            </ol>
          )}
          <h3>Parameters and results</h3>
          <pre class="body">{prettyJson({ job: job.job, results: job.results })}</pre>
          {job.stackTrace && (
            <>
              <h3>Stack trace</h3>
              <pre class="body">{job.stackTrace}</pre>
            </>
          )}
        </>
      )}
    </section>
  );
}
