import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { Api, errorText, isAbort, Me, Page, Tenant } from '../api';
import { clampPercent, formatTime } from '../format';

/** What every view receives: `path` is the hash after the view's name, split on `/` (`#/tenants/t1` → ['t1']). */
export interface ViewProps {
  api: Api;
  me: Me;
  tenants: Tenant[];
  path: string[];
}

export interface Loaded<T> {
  data: T | null;
  error: string | null;
  loading: boolean;
}

/** Runs `load` when `deps` change, aborting the previous run; the page never shows a stale answer. */
export function useLoad<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[]): Loaded<T> {
  const [state, setState] = useState<Loaded<T>>({ data: null, error: null, loading: true });
  useEffect(() => {
    const controller = new AbortController();
    setState((previous) => ({ ...previous, loading: true }));
    load(controller.signal).then(
      (data) => setState({ data, error: null, loading: false }),
      (error: unknown) => {
        if (!isAbort(error)) setState((previous) => ({ ...previous, error: errorText(error), loading: false }));
      },
    );
    return () => controller.abort();
    // The caller names what `load` depends on.
  }, deps);
  return state;
}

/** Calls `tick` every `ms` while `on` (auto-refresh of transactions and jobs). */
export function useInterval(tick: () => void, ms: number, on: boolean): void {
  useEffect(() => {
    if (!on) return;
    const timer = window.setInterval(tick, ms);
    return () => window.clearInterval(timer);
  }, [tick, ms, on]);
}

export function ErrorLine({ error }: { error: string | null }) {
  return error ? (
    <p class="error" role="alert">
      {error}
    </p>
  ) : null;
}

export function Pager({ page, onPage }: { page: Page<unknown> | null; onPage: (page: number) => void }) {
  if (!page) return null;
  const pages = Math.max(1, Math.ceil(page.total / page.pageSize));
  return (
    <nav class="pager" aria-label="Pages">
      <button type="button" disabled={page.page <= 1} onClick={() => onPage(page.page - 1)}>
        ‹ Previous
      </button>
      <span>
        Page {page.page} of {pages} · {page.total} in all
      </span>
      <button type="button" disabled={!page.hasNext} onClick={() => onPage(page.page + 1)}>
        Next ›
      </button>
    </nav>
  );
}

export function Progress({ value, label }: { value: number; label?: string }) {
  const percent = clampPercent(value);
  return (
    <span class="progress">
      <progress value={percent} max={100} aria-label={label ?? 'Done'} />
      <span class="percent">{percent}%</span>
    </span>
  );
}

/** A time; `short` (in lists) leaves today's date out. */
export function Time({ iso, short = false }: { iso: string | null | undefined; short?: boolean }) {
  return iso ? (
    <time dateTime={iso} title={iso}>
      {formatTime(iso, short)}
    </time>
  ) : (
    <span class="muted">—</span>
  );
}

/** A value that may be absent: the text itself, or a dash. */
export function Text({ value }: { value: string | number | null | undefined }) {
  return value === null || value === undefined || value === '' ? <span class="muted">—</span> : <>{value}</>;
}

export function Field({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    <label class="field">
      <span>{label}</span>
      {children}
    </label>
  );
}

/** A labelled select whose first option (`anyLabel`, value '') means "no filter". */
export function Choice(props: {
  label: string;
  name: string;
  value: string;
  anyLabel: string;
  options: readonly string[];
  onChange: (value: string) => void;
}) {
  return (
    <Field label={props.label}>
      <select name={props.name} value={props.value} onChange={(event) => props.onChange(event.currentTarget.value)}>
        <option value="">{props.anyLabel}</option>
        {props.options.map((option) => (
          <option key={option} value={option}>
            {option}
          </option>
        ))}
      </select>
    </Field>
  );
}

export function StatusBadge({ status }: { status: string }) {
  return <span class={`badge state-${status.toLowerCase()}`}>{status}</span>;
}

/**
 * A destructive action (revoke, roll back, purge, cancel): the first press asks, a second press on
 * "Confirm" acts, "Keep" or Escape backs out and returns focus to the button.
 */
export function ConfirmButton(props: {
  label: string;
  question: string;
  confirmLabel?: string;
  disabled?: boolean;
  onConfirm: () => Promise<void> | void;
}) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      await props.onConfirm();
      setAsking(false);
    } catch (failure) {
      setError(errorText(failure));
    } finally {
      setBusy(false);
    }
  };
  if (!asking) {
    return (
      <span class="confirm">
        <button type="button" class="danger" disabled={props.disabled} onClick={() => setAsking(true)}>
          {props.label}
        </button>
        <ErrorLine error={error} />
      </span>
    );
  }
  return (
    <span
      class="confirm asking"
      role="group"
      aria-label={props.question}
      onKeyDown={(event) => {
        if (event.key === 'Escape') setAsking(false);
      }}
    >
      <span>{props.question}</span>
      <button type="button" class="danger" disabled={busy} onClick={() => void confirm()} autoFocus>
        {props.confirmLabel ?? 'Confirm'}
      </button>
      <button type="button" disabled={busy} onClick={() => setAsking(false)}>
        Keep
      </button>
    </span>
  );
}
