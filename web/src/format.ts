const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/**
 * A zone offset as people read it: `UTC`, `UTC+1`, `UTC-3`, `UTC+5:30`. `offsetMinutes` is east of
 * UTC (the opposite sign of `Date#getTimezoneOffset`).
 */
export function zoneLabel(offsetMinutes: number): string {
  if (offsetMinutes === 0) return 'UTC';
  const sign = offsetMinutes > 0 ? '+' : '-';
  const hours = Math.floor(Math.abs(offsetMinutes) / 60);
  const minutes = Math.abs(offsetMinutes) % 60;
  return `UTC${sign}${hours}${minutes ? `:${pad(minutes)}` : ''}`;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Year to second and the zone's offset (`GMT+05:30`) in `timeZone` (the browser's when undefined). */
function zoneParts(d: Date, timeZone: string | undefined): Record<string, string> {
  const key = timeZone ?? '';
  let format = formatters.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'longOffset',
    });
    formatters.set(key, format);
  }
  return Object.fromEntries(format.formatToParts(d).map((part) => [part.type, part.value]));
}

/** `GMT`, `GMT+01:00`, `GMT-09:30` to minutes east of UTC. */
function offsetMinutes(name: string | undefined): number {
  const match = /([+-])(\d{1,2})(?::?(\d{2}))?/.exec(name ?? '');
  if (!match) return 0;
  return (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3] ?? 0));
}

/**
 * Local time to the millisecond with its zone, `2026-11-22 19:53:39.123 UTC+1`, or in lists
 * `19:53:39.123 UTC+1` for today; the ISO instant goes in a title. The offset is the one in force
 * at that instant (summer time included). `timeZone` (an IANA name) defaults to the browser's.
 */
export function formatTime(iso: string | null | undefined, short = false, now = new Date(), timeZone?: string): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = zoneParts(d, timeZone);
  const time = `${p.hour}:${p.minute}:${p.second}.${pad(d.getUTCMilliseconds(), 3)}`;
  const day = `${p.year}-${p.month}-${p.day}`;
  const n = zoneParts(now, timeZone);
  const today = `${n.year}-${n.month}-${n.day}`;
  const zone = zoneLabel(offsetMinutes(p.timeZoneName));
  return short && day === today ? `${time} ${zone}` : `${day} ${time} ${zone}`;
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
