import type { ComponentChildren } from 'preact';
import { useEffect, useId, useLayoutEffect, useRef, useState } from 'preact/hooks';
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
 * A destructive action (revoke, roll back, purge, cancel): the first press asks, focus moves to
 * "Confirm", a second press acts; "Keep" or Escape backs out and returns focus to the button.
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
  const trigger = useRef<HTMLButtonElement>(null);
  const confirmButton = useRef<HTMLButtonElement>(null);
  /** Set when the question closes, so the trigger gets focus back once it is rendered again. */
  const returnFocus = useRef(false);
  // Before the next key press: a Tab right after Enter must already start from Confirm.
  useLayoutEffect(() => {
    if (asking) confirmButton.current?.focus();
    else if (returnFocus.current) {
      returnFocus.current = false;
      trigger.current?.focus();
    }
  }, [asking]);
  const close = () => {
    returnFocus.current = true;
    setAsking(false);
  };
  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      await props.onConfirm();
      close();
    } catch (failure) {
      setError(errorText(failure));
    } finally {
      setBusy(false);
    }
  };
  if (!asking) {
    return (
      <span class="confirm">
        <button
          type="button"
          class="danger"
          ref={trigger}
          disabled={props.disabled}
          onClick={() => {
            setError(null);
            setAsking(true);
          }}
        >
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
        if (event.key === 'Escape') {
          event.stopPropagation();
          close();
        }
      }}
    >
      <span>{props.question}</span>
      <button type="button" class="danger" ref={confirmButton} disabled={busy} onClick={() => void confirm()}>
        {props.confirmLabel ?? 'Confirm'}
      </button>
      <button type="button" disabled={busy} onClick={close}>
        Keep
      </button>
      <ErrorLine error={error} />
    </span>
  );
}

/**
 * A modal dialog (native `<dialog>`, opened with showModal): the rest of the page is inert while
 * it is open, so Tab stays inside; Escape or the close button closes it; focus goes to the first
 * control inside (or `initialFocus`) and back to whatever had it before.
 */
export function Dialog(props: {
  open: boolean;
  title: string;
  onClose: () => void;
  children: ComponentChildren;
  /** A CSS selector inside the dialog for the control to focus first. */
  initialFocus?: string;
  closeLabel?: string;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const opener = useRef<Element | null>(null);
  useLayoutEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (props.open && !dialog.open) {
      opener.current = document.activeElement;
      dialog.showModal();
      const first = props.initialFocus
        ? dialog.querySelector<HTMLElement>(props.initialFocus)
        : dialog.querySelector<HTMLElement>(
            '.dialog-body input, .dialog-body select, .dialog-body textarea, .dialog-body button',
          );
      first?.focus();
    } else if (!props.open && dialog.open) {
      dialog.close();
    }
  }, [props.open]);
  useEffect(() => {
    const dialog = ref.current;
    return () => {
      // Closed by its owner unmounting: still give focus back.
      if (dialog?.open) dialog.close();
    };
  }, []);
  return (
    <dialog
      ref={ref}
      class="dialog"
      aria-labelledby={titleId}
      onClose={() => {
        const back = opener.current;
        opener.current = null;
        if (back instanceof HTMLElement && back.isConnected) back.focus();
        if (props.open) props.onClose();
      }}
    >
      <header class="dialog-head">
        <h2 id={titleId}>{props.title}</h2>
        <button type="button" class="dialog-close" aria-label={props.closeLabel ?? 'Close'} onClick={props.onClose}>
          ×
        </button>
      </header>
      <div class="dialog-body">{props.children}</div>
    </dialog>
  );
}

/**
 * The keyboard way into a table row that opens a record: a real link in the row's first cell. The
 * row may still open on a click anywhere (`openRow`), but Tab and Enter reach it through this link.
 */
export function RowLink({ href, children, title }: { href: string; children: ComponentChildren; title?: string }) {
  return (
    <a class="row-link" href={href} title={title}>
      {children}
    </a>
  );
}

/**
 * A row that expands in place (jobs): a button with `aria-expanded`, for the keyboard and screen
 * readers. Its name is its visible text followed by `label` (read by screen readers only), so
 * speech users can say what they see.
 */
export function RowToggle(props: { open: boolean; onToggle: () => void; label: string; children: ComponentChildren }) {
  return (
    <button
      type="button"
      class="row-toggle"
      aria-expanded={props.open}
      onClick={(event) => {
        event.stopPropagation();
        props.onToggle();
      }}
    >
      {props.children}
      <span class="sr-only"> {props.label}</span>
    </button>
  );
}

/**
 * `onClick` for a `<tr>` that opens `href`: a click anywhere on the row follows it, except on a
 * link, button or field inside (they act themselves) and when the operator selected text.
 */
export function openRow(href: string): (event: MouseEvent) => void {
  return (event) => {
    const target = event.target as Element | null;
    if (target?.closest('a, button, input, select, textarea, label, summary')) return;
    if ((window.getSelection()?.toString() ?? '') !== '') return;
    window.location.hash = href;
  };
}

/** A tenant as a person reads it: its name when the signed-in operator's tenant list has it, else its id. */
export function tenantLabel(tenants: readonly Tenant[], tenantId: string | null | undefined): string {
  if (!tenantId) return '';
  return tenants.find((tenant) => tenant.id === tenantId)?.name ?? tenantId;
}
