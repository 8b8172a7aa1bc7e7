import { useCallback, useState } from 'preact/hooks';
import { Api, Tenant } from '../api';
import { Choice, ErrorLine, Pager, Progress, StatusBadge, Text, Time, useInterval, useLoad } from './common';

const STATUSES = ['OPEN', 'COMMITTED', 'PROCESSING', 'COMPLETED', 'FAILED', 'ROLLED_BACK'];
/** Statuses that move on by themselves: the list refreshes while one is shown. */
const MOVING = new Set(['COMMITTED', 'PROCESSING']);

export function TransactionsView({ api, tenants, openId }: { api: Api; tenants: Tenant[]; openId?: string }) {
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
      {openId !== undefined && <TransactionDetailView api={api} id={openId} />}
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
                {list.data.items.map((tx) => {
                  const href = `#/transactions/${encodeURIComponent(tx.id)}`;
                  return (
                    <tr key={tx.id} data-id={tx.id} class="row" onClick={() => (window.location.hash = href)}>
                      <td class="nowrap">
                        <Time iso={tx.createdOn} short />
                      </td>
                      <td>{tx.tenantId}</td>
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

function TransactionDetailView({ api, id }: { api: Api; id: string }) {
  const { data: tx, error, loading } = useLoad((signal) => api.transaction(id, signal), [api, id]);
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
            <dd>{tx.tenantId}</dd>
            <dt>Operations</dt>
            <dd>
              {tx.operationCount} · {tx.completedCount} completed · {tx.failedCount} failed
            </dd>
            <dt>Mode</dt>
            <dd>{tx.atomic ? 'atomic' : 'per item'}</dd>
            <dt>Created by</dt>
            <dd>{tx.createdBy}</dd>
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
            <dd class="mono">
              <Text value={tx.jobId} />
            </dd>
          </dl>
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
                  {tx.failures.map((failure) => (
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
