const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/**
 * Local time to the millisecond, `2026-11-22 19:53:39.123`, or in lists `19:53:39.123` for today;
 * the ISO instant goes in a title.
 */
export function formatTime(iso: string | null | undefined, short = false, now = new Date()): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
  const day = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  const today = `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
  return short && day === today ? time : `${day} ${time}`;
}

/** `datetime-local` input (local time) to an ISO instant; undefined when empty or invalid. */
export function localToIso(value: string): string | undefined {
  if (!value) return undefined;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/** An ISO instant to the value of a `datetime-local` input. */
export function isoToLocal(iso: string | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function statusClass(status: number): string {
  const family = Math.floor(status / 100);
  return family >= 1 && family <= 5 ? `status s${family}xx` : 'status';
}

export function formatDuration(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`;
}

export function clampPercent(value: number): number {
  return Number.isFinite(value) ? Math.min(100, Math.max(0, Math.round(value))) : 0;
}

/**
 * A logged body as text to show: JSON pretty-printed, anything else as it was stored. The result
 * is only ever put in a text node, so markup in it stays visible characters.
 */
export function prettyBody(body: string | null): { text: string; json: boolean } {
  if (body === null || body === '') return { text: '', json: false };
  try {
    return { text: JSON.stringify(JSON.parse(body), null, 2), json: true };
  } catch {
    return { text: body, json: false };
  }
}
