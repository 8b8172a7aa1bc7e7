import { useCallback, useState } from 'preact/hooks';
import { Api, Job, Tenant } from '../api';
import { Choice, ErrorLine, Field, Pager, Progress, StatusBadge, Text, Time, useInterval, useLoad } from './common';

const STATUSES = ['NOT_STARTED', 'STARTED', 'DONE', 'FAILED', 'CANCELLED'];
/** Statuses that move on by themselves: the list refreshes while one is shown. */
const MOVING = new Set(['NOT_STARTED', 'STARTED']);

export function JobsView({ api, tenants }: { api: Api; tenants: Tenant[] }) {
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
  useInterval(refresh, 3000, running);

  return (
    <section class="jobs">
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
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager page={list.data} onPage={setPage} />
    </section>
  );
}

function JobRows({ job, open, onToggle }: { job: Job; open: boolean; onToggle: () => void }) {
  const last = job.updates.length > 0 ? job.updates[job.updates.length - 1] : undefined;
  return (
    <>
      <tr class={open ? 'row open' : 'row'} data-id={job.id} onClick={onToggle} aria-expanded={open}>
        <td class="nowrap">
          <Time iso={job.createdOn} short />
        </td>
        <td>{job.tenantId}</td>
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
              <dd class="mono">{job.id}</dd>
              <dt>Created by</dt>
              <dd>{job.createdBy}</dd>
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
