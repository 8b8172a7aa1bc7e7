import { useEffect, useState } from 'preact/hooks';
import { Api, errorText, isAbort, LogSummary, Page, Query, queryString, Tenant } from '../api';
import { NamedLogSummary, purgeLogs } from '../api-failures';
import '../styles/failures.css';
import { formatDuration, isoToLocal, localToIso, statusClass } from '../format';
import { startTail, TailState } from '../tail';
import { ConfirmButton, ErrorLine, Field, Pager, Text, Time, useLoad } from './common';
import { LogDetailView } from './log-detail';

export interface LogFilters {
  method: string;
  /** `404` or a class, `4xx`. */
  status: string;
  hasError: '' | 'true' | 'false';
  path: string;
  search: string;
  /** ISO instants. */
  since: string;
  until: string;
  tenant: string;
  /** One request (its X-Request-Id) and what shares it. */
  correlationId: string;
  includeAdmin: boolean;
  hideKeepalive: boolean;
}

export const NO_LOG_FILTERS: LogFilters = {
  method: '',
  status: '',
  hasError: '',
  path: '',
  search: '',
  since: '',
  until: '',
  tenant: '',
  correlationId: '',
  includeAdmin: false,
  hideKeepalive: false,
};

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];
const PAGE_SIZES = [25, 50, 100, 200];
/** Rows kept on screen while tailing; older ones are a page away. */
const MAX_TAIL_ROWS = 500;

function toQuery(filters: LogFilters): Query {
  return { ...filters, status: filters.status.toLowerCase() };
}

interface Props {
  api: Api;
  tenants: Tenant[];
  filters: LogFilters;
  onFilters: (filters: LogFilters) => void;
  openId: string | undefined;
  /** The hash after `#/logs`: `[id]` opens a request, `['correlation', id]` filters by a correlation id. */
  path?: string[];
}

export function LogsView({ api, tenants, filters, onFilters, openId: routeId, path }: Props) {
  const byCorrelation = (path ?? [routeId])[0] === 'correlation' ? (path?.[1] ?? correlationInHash()) : undefined;
  const openId = byCorrelation !== undefined ? undefined : routeId;
  // `#/logs/correlation/<id>` (a link from a transaction or job): that request and its admin calls.
  useEffect(() => {
    if (byCorrelation && filters.correlationId !== byCorrelation) {
      onFilters({ ...NO_LOG_FILTERS, correlationId: byCorrelation, includeAdmin: true });
    }
  }, [byCorrelation]);
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(50);
  const [reloads, setReloads] = useState(0);
  const [list, setList] = useState<Page<LogSummary> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [tailing, setTailing] = useState(false);
  const [tailState, setTailState] = useState<TailState | null>(null);
  /** The rows of the last list answer: any other row on screen came through the live tail. */
  const [listed, setListed] = useState<ReadonlySet<string>>(new Set());
  const [purged, setPurged] = useState<string | null>(null);
  const stats = useLoad((signal) => api.logStats(signal), [api, reloads]);

  // The list, when not tailing.
  useEffect(() => {
    if (tailing) return;
    const controller = new AbortController();
    setLoading(true);
    api.logs({ ...toQuery(filters), page, pageSize }, controller.signal).then(
      (answer) => {
        setList(answer);
        setListed(new Set(answer.items.map((item) => item.id)));
        setError(null);
        setLoading(false);
      },
      (failure: unknown) => {
        if (isAbort(failure)) return;
        setError(errorText(failure));
        setLoading(false);
      },
    );
    return () => controller.abort();
  }, [api, filters, page, pageSize, reloads, tailing]);

  // The live tail: the first page, then every new row as the stream sends it.
  useEffect(() => {
    if (!tailing) return;
    const controller = new AbortController();
    let stop: (() => void) | undefined;
    setTailState({ kind: 'connecting' });
    setPage(1);
    const firstPage = () => api.logs({ ...toQuery(filters), page: 1, pageSize }, controller.signal);
    const arrived = (rows: LogSummary[]) => setList((current) => merge(current, rows));
    firstPage().then(
      (answer) => {
        setList(answer);
        setListed(new Set(answer.items.map((item) => item.id)));
        setError(null);
        setLoading(false);
        stop = startTail({
          url: () => '/api/admin/logs/stream' + queryString(toQuery(filters)),
          headers: () => api.headers('text/event-stream'),
          onEvent: (event) => {
            if (event.event !== 'log') return;
            try {
              arrived([JSON.parse(event.data) as LogSummary]);
            } catch {
              // Not a row: nothing to show.
            }
          },
          // The stream sends what is logged after it connects: after a break, the first page
          // again fills the gap (rows seen twice are merged by id).
          onConnected: (again) => {
            if (again) firstPage().then((page) => arrived(page.items), ignore);
          },
          onState: setTailState,
          onUnauthorized: () => api.unauthorized(),
        });
      },
      (failure: unknown) => {
        if (isAbort(failure)) return;
        setError(errorText(failure));
        setTailing(false);
      },
    );
    return () => {
      controller.abort();
      stop?.();
      setTailState(null);
    };
  }, [api, filters, pageSize, tailing]);

  return (
    <>
      {openId !== undefined && <LogDetailView api={api} id={openId} />}
      <section class="logs" hidden={openId !== undefined}>
        <FilterForm
          key={filters.correlationId}
          filters={filters}
          tenants={tenants}
          onApply={(next) => {
            setPage(1);
            setReloads((n) => n + 1);
            onFilters(next);
          }}
        />
        <div class="toolbar">
          <button
            type="button"
            class={tailing ? 'tail on' : 'tail'}
            aria-pressed={tailing}
            onClick={() => setTailing(!tailing)}
          >
            {tailing ? '■ Stop live tail' : '▶ Start live tail'}
          </button>
          <TailStatus state={tailState} />
          <label class="inline">
            Rows per page{' '}
            <select
              value={String(pageSize)}
              onChange={(event) => {
                setPage(1);
                setPageSize(Number(event.currentTarget.value));
              }}
            >
              {PAGE_SIZES.map((size) => (
                <option key={size} value={String(size)}>
                  {size}
                </option>
              ))}
            </select>
          </label>
          {stats.data && (
            <span class="muted small stats">
              {stats.data.rows} rows stored
              {stats.data.oldest ? (
                <>
                  {' '}
                  since <Time iso={stats.data.oldest} />
                </>
              ) : null}
              {stats.data.dropped > 0 ? ` · ${stats.data.dropped} dropped by the buffer` : ''}
              {stats.data.detailsOmitted > 0 ? ` · ${stats.data.detailsOmitted} stored without their bodies` : ''}
            </span>
          )}
          {loading && <span class="muted small">Loading…</span>}
          <span class="purge">
            <ConfirmButton
              label="Purge logs…"
              question={
                filters.until
                  ? `Delete every logged request before ${new Date(filters.until).toLocaleString()} (the Until filter), of every tenant? This cannot be undone.`
                  : `Delete all ${stats.data ? `${stats.data.rows} ` : ''}logged requests of every tenant? This cannot be undone.`
              }
              confirmLabel={filters.until ? 'Delete older requests' : 'Delete all requests'}
              onConfirm={async () => {
                const answer = await purgeLogs(api, filters.until || undefined);
                setPurged(`${answer.deleted} logged request(s) deleted.`);
                setPage(1);
                setReloads((n) => n + 1);
              }}
            />
          </span>
        </div>
        {purged && (
          <p class="repair-result" role="status">
            {purged}
          </p>
        )}
        <ErrorLine error={error} />
        <LogTable rows={list?.items ?? []} listed={listed} />
        {tailing ? (
          <p class="muted small">New rows appear at the top while the live tail runs; stop it to page.</p>
        ) : (
          <Pager page={list} onPage={setPage} />
        )}
      </section>
    </>
  );
}

function ignore(): void {}

/** The correlation id of `#/logs/correlation/<id>`, for a shell that passes no `path`. */
function correlationInHash(): string | undefined {
  const match = /^#\/logs\/correlation\/([^/]+)/.exec(window.location.hash);
  return match ? decodeURIComponent(match[1]) : undefined;
}

/** Rows from the tail into the list: newest first, each once, at most MAX_TAIL_ROWS. */
function merge(list: Page<LogSummary> | null, rows: LogSummary[]): Page<LogSummary> | null {
  if (!list) return list;
  const known = new Set(list.items.map((item) => item.id));
  const added = rows.filter((row) => !known.has(row.id));
  if (added.length === 0) return list;
  const items = [...added, ...list.items].sort((a, b) => Date.parse(b.time) - Date.parse(a.time));
  return { ...list, items: items.slice(0, MAX_TAIL_ROWS), total: list.total + added.length };
}

function TailStatus({ state }: { state: TailState | null }) {
  if (!state) return null;
  switch (state.kind) {
    case 'connecting':
      return <span class="tail-state">Connecting…</span>;
    case 'live':
      return <span class="tail-state live">Live</span>;
    case 'retrying':
      return (
        <span class="tail-state warn">
          Disconnected ({state.reason}); reconnecting in {Math.ceil(state.inMs / 1000)} s
        </span>
      );
    case 'failed':
      return <span class="tail-state bad">Live tail refused: {state.reason}</span>;
  }
}

function FilterForm({
  filters,
  tenants,
  onApply,
}: {
  filters: LogFilters;
  tenants: Tenant[];
  onApply: (filters: LogFilters) => void;
}) {
  const [draft, setDraft] = useState({
    ...filters,
    since: isoToLocal(filters.since),
    until: isoToLocal(filters.until),
  });
  const set = <K extends keyof LogFilters>(key: K, value: LogFilters[K]) => setDraft({ ...draft, [key]: value });
  const text = (key: 'status' | 'path' | 'search' | 'tenant' | 'correlationId') => ({
    name: key,
    value: draft[key],
    onInput: (event: Event) => set(key, (event.currentTarget as HTMLInputElement).value),
  });

  return (
    <form
      class="filters"
      aria-label="Log filters"
      onSubmit={(event) => {
        event.preventDefault();
        onApply({
          ...draft,
          status: draft.status.trim(),
          correlationId: draft.correlationId.trim(),
          since: localToIso(draft.since) ?? '',
          until: localToIso(draft.until) ?? '',
        });
      }}
    >
      <Field label="Method">
        <select name="method" value={draft.method} onChange={(event) => set('method', event.currentTarget.value)}>
          <option value="">any</option>
          {METHODS.map((method) => (
            <option key={method} value={method}>
              {method}
            </option>
          ))}
        </select>
      </Field>
      <Field label="Status">
        <input
          {...text('status')}
          size={5}
          placeholder="404 or 4xx"
          pattern="[1-5]([0-9]{2}|[xX]{2})"
          title="An exact status (404) or a class (4xx)"
        />
      </Field>
      <Field label="Error">
        <select
          name="hasError"
          value={draft.hasError}
          onChange={(event) => set('hasError', event.currentTarget.value as LogFilters['hasError'])}
        >
          <option value="">any</option>
          <option value="true">with error</option>
          <option value="false">without error</option>
        </select>
      </Field>
      <Field label="Path contains">
        <input {...text('path')} placeholder="/scim/v2/Users" />
      </Field>
      <Field label="Search">
        <input {...text('search')} type="search" placeholder="path, identifier, bodies" />
      </Field>
      <Field label="Tenant">
        <input {...text('tenant')} list="tenant-ids" size={12} />
      </Field>
      <Field label="Correlation id">
        <input {...text('correlationId')} size={14} placeholder="X-Request-Id" />
      </Field>
      <datalist id="tenant-ids">
        {tenants.map((tenant) => (
          <option key={tenant.id} value={tenant.id}>
            {tenant.name ?? tenant.id}
          </option>
        ))}
      </datalist>
      <Field label="Since">
        <input
          name="since"
          type="datetime-local"
          value={draft.since}
          onInput={(event) => set('since', event.currentTarget.value)}
        />
      </Field>
      <Field label="Until">
        <input
          name="until"
          type="datetime-local"
          value={draft.until}
          onInput={(event) => set('until', event.currentTarget.value)}
        />
      </Field>
      <div class="checks">
        <label>
          <input
            name="includeAdmin"
            type="checkbox"
            checked={draft.includeAdmin}
            onChange={(event) => set('includeAdmin', event.currentTarget.checked)}
          />{' '}
          Include admin API calls
        </label>
        <label>
          <input
            name="hideKeepalive"
            type="checkbox"
            checked={draft.hideKeepalive}
            onChange={(event) => set('hideKeepalive', event.currentTarget.checked)}
          />{' '}
          Hide Entra ID keepalive probes
        </label>
      </div>
      <div class="actions">
        <button type="submit" class="primary">
          Apply
        </button>
        <button
          type="button"
          onClick={() => {
            setDraft({ ...NO_LOG_FILTERS });
            onApply({ ...NO_LOG_FILTERS });
          }}
        >
          Reset
        </button>
      </div>
    </form>
  );
}

function LogTable({ rows, listed }: { rows: NamedLogSummary[]; listed: ReadonlySet<string> }) {
  if (rows.length === 0) return <p class="empty">No request matches these filters.</p>;
  return (
    <div class="table-wrap">
      <table class="grid logs-table">
        <thead>
          <tr>
            <th>Time</th>
            <th>Method</th>
            <th>Path</th>
            <th>Status</th>
            <th class="num">Duration</th>
            <th>Tenant</th>
            <th>Identifier</th>
            <th>Error</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => {
            const href = `#/logs/${encodeURIComponent(row.id)}`;
            return (
              <tr
                key={row.id}
                data-id={row.id}
                class={listed.has(row.id) ? 'row' : 'row fresh'}
                onClick={() => (window.location.hash = href)}
              >
                <td class="nowrap">
                  <a href={href}>
                    <Time iso={row.time} short />
                  </a>
                </td>
                <td class="method">{row.method}</td>
                <td class="path" title={row.path}>
                  {row.path}
                  {row.admin && <span class="tag">admin</span>}
                  {row.keepalive && <span class="tag">keepalive</span>}
                </td>
                <td>
                  <span class={statusClass(row.status)}>{row.status}</span>
                </td>
                <td class="num nowrap">{formatDuration(row.durationMs)}</td>
                <td title={row.tenantId ?? ''}>
                  <Text value={row.tenantName ?? row.tenantId} />
                </td>
                <td class="ident" title={row.identifier ?? ''}>
                  <Text value={row.identifier} />
                </td>
                <td class="err" title={row.errorMessage ?? ''}>
                  <Text value={row.errorMessage} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
