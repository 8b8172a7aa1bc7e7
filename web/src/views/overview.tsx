import { useCallback, useEffect, useState } from 'preact/hooks';
import { errorText, isAbort } from '../api';
import { DOORS, Door, getOverview, Overview, OverviewHour, TenantOverview } from '../api-overview';
import '../styles/overview.css';
import { ErrorLine, Progress, Time, ViewProps } from './common';

/** How often the overview is read again while the page is visible. */
const REFRESH_MS = 10_000;

const DOOR_LABELS: Record<Door, string> = {
  scim: 'SCIM',
  provisioning: 'Provisioning',
  partner: 'Partner sync',
  admin: 'Admin API',
};

/** The first view: one card per tenant, read again every 10 s while the tab is visible. */
export function OverviewView({ api }: ViewProps) {
  const [overview, setOverview] = useState<Overview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(
    (signal?: AbortSignal) =>
      getOverview(api, signal).then(
        (answer) => {
          setOverview(answer);
          setError(null);
        },
        (failure: unknown) => {
          if (!isAbort(failure)) setError(errorText(failure));
        },
      ),
    [api],
  );
  useEffect(() => {
    const controller = new AbortController();
    void load(controller.signal);
    let timer: number | undefined;
    const schedule = () => {
      window.clearInterval(timer);
      timer = undefined;
      if (document.visibilityState === 'visible') timer = window.setInterval(() => void load(), REFRESH_MS);
    };
    const onVisibility = () => {
      if (document.visibilityState === 'visible') void load();
      schedule();
    };
    schedule();
    document.addEventListener('visibilitychange', onVisibility);
    return () => {
      controller.abort();
      window.clearInterval(timer);
      document.removeEventListener('visibilitychange', onVisibility);
    };
  }, [load]);

  return (
    <section class="overview" aria-labelledby="overview-title">
      <div class="overview-head">
        <h2 id="overview-title">Overview</h2>
        {overview && (
          <span class="muted small">
            Updated <Time iso={overview.generatedAt} short /> · every 10 s
          </span>
        )}
      </div>
      <ErrorLine error={error} />
      {!overview && !error && <p class="muted">Loading…</p>}
      {overview && overview.tenants.length === 0 && <p class="empty">No tenants yet.</p>}
      {overview && (
        <ul class="overview-cards">
          {overview.tenants.map((tenant) => (
            <TenantCard key={tenant.tenantId} tenant={tenant} now={Date.parse(overview.generatedAt)} />
          ))}
        </ul>
      )}
    </section>
  );
}

function TenantCard({ tenant, now }: { tenant: TenantOverview; now: number }) {
  const { last24h, transactions } = tenant;
  const headingId = `tenant-${tenant.tenantId}`;
  return (
    <li class="overview-card" aria-labelledby={headingId}>
      <h3 id={headingId}>
        <a href={`#/tenants/${encodeURIComponent(tenant.tenantId)}`}>{tenant.tenantName}</a>
        {tenant.tenantName !== tenant.tenantId && <span class="muted small tenant-id">{tenant.tenantId}</span>}
      </h3>
      <dl class="doors">
        {DOORS.map((door) => (
          <div key={door} class="door">
            <dt>{DOOR_LABELS[door]}</dt>
            <dd>
              <LastSeen iso={tenant.doors[door].lastAt} now={now} />
            </dd>
          </div>
        ))}
      </dl>
      <div class="charts">
        <p class="chart-caption">
          <strong>{last24h.requests}</strong> requests in 24 h
          {last24h.clientErrors > 0 && <span class="muted"> · {last24h.clientErrors} other 4xx</span>}
        </p>
        <HourChart
          hours={last24h.hourly}
          value={(hour) => hour.requests}
          kind="requests"
          title={`${tenant.tenantName}: requests, last 24 hours`}
          summary={`${last24h.requests} requests in the last 24 hours, at most ${max(last24h.hourly, 'requests')} in one hour`}
        />
        <p class="chart-caption">
          <strong class={last24h.errors > 0 ? 'bad' : undefined}>{last24h.errors}</strong> errors in 24 h{' '}
          <span class="muted small">(5xx, 401, 403, 429)</span>
        </p>
        <HourChart
          hours={last24h.hourly}
          value={(hour) => hour.errors}
          kind="errors"
          title={`${tenant.tenantName}: errors, last 24 hours`}
          summary={`${last24h.errors} errors (5xx, 401, 403, 429) in the last 24 hours, at most ${max(last24h.hourly, 'errors')} in one hour`}
        />
        <p class="chart-axis muted small" aria-hidden="true">
          <span>24 h ago</span>
          <span>now</span>
        </p>
      </div>
      <p class="transactions">
        <a href="#/transactions">{plural(transactions.open, 'open transaction')}</a>
        {' · '}
        <a href="#/transactions" class={transactions.failed24h > 0 ? 'bad' : undefined}>
          {plural(transactions.failed24h, 'transaction')} with failures in 24 h
        </a>
      </p>
      {tenant.runningJobs.length > 0 && (
        <ul class="running-jobs" aria-label={`Running jobs of ${tenant.tenantName}`}>
          {tenant.runningJobs.map((job) => (
            <li key={job.id}>
              <a href={`#/jobs/${encodeURIComponent(job.id)}`} title={job.id}>
                {job.type}
              </a>
              <span class="muted small">{job.status === 'STARTED' ? 'running' : 'queued'}</span>
              <Progress value={job.donePercentage} label={`${job.type} done`} />
            </li>
          ))}
        </ul>
      )}
    </li>
  );
}

/** "3 min ago", the exact time in a title. */
function LastSeen({ iso, now }: { iso: string | null; now: number }) {
  if (!iso) return <span class="muted">never</span>;
  return (
    <time dateTime={iso} title={new Date(iso).toString()}>
      {relativeTime(Date.parse(iso), now)}
    </time>
  );
}

export function relativeTime(at: number, now: number): string {
  const seconds = Math.max(0, Math.round((now - at) / 1000));
  if (seconds < 60) return 'just now';
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.floor(hours / 24)} days ago`;
}

const CHART_WIDTH = 240;
const CHART_HEIGHT = 40;

/** 24 bars, oldest left; no style attribute (CSP): colours come from overview.css classes. */
function HourChart(props: {
  hours: OverviewHour[];
  value: (hour: OverviewHour) => number;
  kind: 'requests' | 'errors';
  title: string;
  summary: string;
}) {
  const values = props.hours.map(props.value);
  const top = Math.max(1, ...values);
  const slot = CHART_WIDTH / Math.max(1, values.length);
  return (
    <svg
      class={`hour-chart ${props.kind}`}
      viewBox={`0 0 ${CHART_WIDTH} ${CHART_HEIGHT}`}
      preserveAspectRatio="none"
      role="img"
      aria-label={`${props.title}: ${props.summary}`}
    >
      <title>{`${props.title}: ${props.summary}`}</title>
      <line class="baseline" x1="0" y1={CHART_HEIGHT - 0.5} x2={CHART_WIDTH} y2={CHART_HEIGHT - 0.5} />
      {values.map((value, i) => {
        const height = value === 0 ? 0 : Math.max(1.5, (value / top) * (CHART_HEIGHT - 2));
        return (
          <rect
            key={props.hours[i].hour}
            class="bar"
            x={i * slot + 1}
            y={CHART_HEIGHT - height}
            width={Math.max(1, slot - 2)}
            height={height}
          >
            <title>{`${new Date(props.hours[i].hour).toLocaleString()}: ${value}`}</title>
          </rect>
        );
      })}
    </svg>
  );
}

function max(hours: OverviewHour[], key: 'requests' | 'errors'): number {
  return hours.reduce((top, hour) => Math.max(top, hour[key]), 0);
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
