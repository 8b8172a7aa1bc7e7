import { useCallback, useState } from 'preact/hooks';
import { Api, errorText, Tenant } from '../api';
import {
  ENDED_TRANSACTION_STATUSES,
  links,
  prettyJson,
  RepairFailure,
  RepairTransaction,
  RepairTransactionDetail,
  repairTransaction,
  RetryAnswer,
  retryTransaction,
  rollBackTransaction,
  TRANSACTION_STATUSES,
} from '../api-failures';
import '../styles/failures.css';
import {
  Choice,
  ConfirmButton,
  ErrorLine,
  Pager,
  Progress,
  StatusBadge,
  tenantLabel,
  Text,
  Time,
  useInterval,
  useLoad,
} from './common';

const STATUSES = TRANSACTION_STATUSES;
/** Statuses that move on by themselves: the list refreshes while one is shown. */
const MOVING = new Set(['COMMITTED', 'PROCESSING']);

export function TransactionsView(props: { api: Api; tenants: Tenant[]; openId?: string; path?: string[] }) {
  const { api, tenants } = props;
  const openId = props.openId ?? props.path?.[0];
  const [tenant, setTenant] = useState('');
  const [status, setStatus] = useState('');
  const [page, setPage] = useState(1);
  const [tick, setTick] = useState(0);
  const [auto, setAuto] = useState(true);
  const list = useLoad(
    (signal) => api.transactions({ tenant, status, page, pageSize: 50 }, signal),
    [api, tenant, status, page, tick],
  );
  const refresh = useCallback(() => setTick((n) => n + 1), []);
  const running = list.data?.items.some((tx) => MOVING.has(tx.status)) ?? false;
  useInterval(refresh, 3000, auto && running && openId === undefined);

  return (
    <>
      {openId !== undefined && <TransactionDetailView api={api} id={openId} tenants={props.tenants} />}
      <section class="transactions" hidden={openId !== undefined}>
        <form class="filters" aria-label="Transaction filters" onSubmit={(event) => event.preventDefault()}>
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
          <div class="actions">
            <button type="button" onClick={refresh}>
              Refresh
            </button>
            <label class="inline">
              <input type="checkbox" checked={auto} onChange={(event) => setAuto(event.currentTarget.checked)} />{' '}
              refresh every 3 s while one is being processed
            </label>
          </div>
        </form>
        <ErrorLine error={list.error} />
        {list.data && list.data.items.length === 0 && <p class="empty">No transaction matches.</p>}
        {list.data && list.data.items.length > 0 && (
          <div class="table-wrap">
            <table class="grid transactions-table">
              <thead>
                <tr>
                  <th>Created</th>
                  <th>Tenant</th>
                  <th>Transaction</th>
                  <th>Status</th>
                  <th>Progress</th>
                  <th class="num">Operations</th>
                  <th class="num">Failed</th>
                  <th>Mode</th>
                  <th>Completed</th>
                </tr>
              </thead>
              <tbody>
                {list.data.items.map((tx: RepairTransaction) => {
                  const href = `#/transactions/${encodeURIComponent(tx.id)}`;
                  return (
                    <tr key={tx.id} data-id={tx.id} class="row" onClick={() => (window.location.hash = href)}>
                      <td class="nowrap">
                        <Time iso={tx.createdOn} short />
                      </td>
                      <td title={tx.tenantId}>{tx.tenantName ?? tenantLabel(tenants, tx.tenantId)}</td>
                      <td class="mono">
                        <a href={href}>{tx.id}</a>
                      </td>
                      <td>
                        <StatusBadge status={tx.status} />
                      </td>
                      <td>
                        <Progress value={tx.donePercentage} label={`Transaction ${tx.id} done`} />
                      </td>
                      <td class="num">
                        {tx.completedCount}/{tx.operationCount}
                      </td>
                      <td class={tx.failedCount > 0 ? 'num err' : 'num'}>{tx.failedCount}</td>
                      <td>{tx.atomic ? 'atomic' : 'per item'}</td>
                      <td class="nowrap">
                        <Time iso={tx.completedOn} short />
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
        <Pager page={list.data} onPage={setPage} />
      </section>
    </>
  );
}

function TransactionDetailView({ api, id, tenants }: { api: Api; id: string; tenants: Tenant[] }) {
  const [tick, setTick] = useState(0);
  const [retried, setRetried] = useState<RetryAnswer | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const { data: tx, error, loading } = useLoad((signal) => repairTransaction(api, id, signal), [api, id, tick]);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  // A committed transaction moves on by itself: follow it until it ends.
  useInterval(reload, 1500, tx !== null && MOVING.has(tx.status));
  const retry = async (current: RepairTransactionDetail) => {
    setBusy(true);
    setActionError(null);
    try {
      setRetried(await retryTransaction(api, current.id));
      reload();
    } catch (failure) {
      setActionError(errorText(failure));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="detail transaction-detail" aria-label="Transaction detail">
      <p>
        <a href="#/transactions">‹ Back to the transactions</a>
      </p>
      <ErrorLine error={error} />
      {loading && !tx && <p class="muted">Loading…</p>}
      {tx && tx.id === id && (
        <>
          <h2>
            Transaction <span class="mono">{tx.id}</span> <StatusBadge status={tx.status} />
          </h2>
          <Progress value={tx.donePercentage} label="Transaction done" />
          <dl class="facts">
            <dt>Tenant</dt>
            <dd title={tx.tenantId}>{tx.tenantName ?? tenantLabel(tenants, tx.tenantId)}</dd>
            <dt>Operations</dt>
            <dd>
              {tx.operationCount} · {tx.completedCount} completed · {tx.failedCount} failed
            </dd>
            <dt>Mode</dt>
            <dd>{tx.atomic ? 'atomic' : 'per item'}</dd>
            <dt>Created by</dt>
            <dd>
              {tx.createdByName ?? tx.createdBy}
              {tx.createdByName && <span class="secondary-id">{tx.createdBy}</span>}
            </dd>
            <dt>Created</dt>
            <dd>
              <Time iso={tx.createdOn} />
            </dd>
            <dt>Committed</dt>
            <dd>
              <Time iso={tx.committedOn} />
            </dd>
            <dt>Completed</dt>
            <dd>
              <Time iso={tx.completedOn} />
            </dd>
            <dt>Job</dt>
            <dd class="mono">{tx.jobId ? <a href={links.job(tx.jobId)}>{tx.jobId}</a> : <Text value={null} />}</dd>
            <dt>Checkpoint request</dt>
            <dd class="mono">
              {tx.correlationId ? (
                <a href={links.correlation(tx.correlationId)} title="The request log of this correlation id">
                  {tx.correlationId}
                </a>
              ) : (
                <Text value={null} />
              )}
            </dd>
          </dl>
          <div class="repair-actions">
            {tx.status === 'OPEN' && (
              <ConfirmButton
                label="Roll back"
                question="Roll back this open transaction? Nothing of it will be applied."
                confirmLabel="Roll back"
                onConfirm={async () => {
                  await rollBackTransaction(api, tx.id);
                  reload();
                }}
              />
            )}
            {ENDED_TRANSACTION_STATUSES.includes(tx.status) && tx.failures.some((f) => f.payload) && (
              <button type="button" class="primary" disabled={busy} onClick={() => void retry(tx)}>
                Retry failed operations
              </button>
            )}
          </div>
          <ErrorLine error={actionError} />
          {retried && (
            <p class="repair-result" role="status">
              {retried.operationsQueued} operation(s) queued again in{' '}
              <a href={links.transaction(retried.transactionId)}>transaction {retried.transactionId}</a>, applied by{' '}
              <a href={links.job(retried.jobId)}>job {retried.jobId}</a>.
            </p>
          )}
          <h3>Failures ({tx.failures.length})</h3>
          {tx.failures.length === 0 ? (
            <p class="muted">No operation failed.</p>
          ) : (
            <div class="table-wrap">
              <table class="grid failures">
                <thead>
                  <tr>
                    <th class="num">Order</th>
                    <th>Entity</th>
                    <th>External id</th>
                    <th>Name</th>
                    <th>Error</th>
                    <th>Message</th>
                    <th>Failed</th>
                  </tr>
                </thead>
                <tbody>
                  {tx.failures.map((failure) => [
                    <tr key={failure.orderId}>
                      <td class="num">{failure.orderId}</td>
                      <td>{failure.entityType}</td>
                      <td class="mono">
                        <Text value={failure.externalId} />
                      </td>
                      <td>
                        <Text value={failure.entityName} />
                      </td>
                      <td>{failure.errorType}</td>
                      <td class="err">{failure.errorMessage}</td>
                      <td class="nowrap">
                        <Time iso={failure.failedOn} />
                      </td>
                    </tr>,
                    // The item and failure object on a row of their own, full width from the left,
                    // so they are read where the row starts at any width.
                    <tr key={`${failure.orderId}-item`} class="failure-item-row">
                      <td colSpan={7}>
                        <FailureItem failure={failure} />
                      </td>
                    </tr>,
                  ])}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </section>
  );
}

/** The item as it was queued and the failure object, as text (an item may hold markup). */
function FailureItem({ failure }: { failure: RepairFailure }) {
  return (
    <details class="failure-item">
      <summary>Payload and failure of operation {failure.orderId}</summary>
      <h5>Payload, as queued</h5>
      {failure.payload ? (
        <pre class="body payload">{prettyJson(failure.payload)}</pre>
      ) : (
        <p class="muted small">Not stored: the item was refused when queued. Send it again, corrected.</p>
      )}
      {failure.failure && (
        <>
          <h5>Failure</h5>
          <pre class="body failure-object">{prettyJson(failure.failure)}</pre>
        </>
      )}
    </details>
  );
}
