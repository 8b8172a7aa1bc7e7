/**
 * PipelineDateRange: the presets and CUSTOM ranges of `createdOn` / `updatedOn` (seed 001), turned
 * into half-open [start, end) intervals of UTC instants. Days, weeks, months, quarters and years
 * are calendar units in the tenant's time zone, so every boundary is a local midnight, and a day
 * is 23 or 25 hours long when the clocks change. Pure: `now`, zone and locale are arguments.
 */

export const DATE_RANGE_PRESETS = [
  'TODAY',
  'YESTERDAY',
  'LAST_7_DAYS',
  'LAST_30_DAYS',
  'LAST_90_DAYS',
  'THIS_WEEK',
  'LAST_WEEK',
  'THIS_MONTH',
  'LAST_MONTH',
  'THIS_QUARTER',
  'LAST_QUARTER',
  'THIS_YEAR',
  'LAST_YEAR',
  'CUSTOM',
] as const;

export type DateRangePreset = (typeof DATE_RANGE_PRESETS)[number];
export type RelativePreset = Exclude<DateRangePreset, 'CUSTOM'>;

/** `start` / `end`: ISO date-times (with or without offset) or date-only values; `end` is inclusive. */
export type PresetOrCustom = { preset: RelativePreset } | { preset: 'CUSTOM'; start: string; end: string };

/** Half-open: `start <= t < end`. */
export interface DateInterval {
  start: Date;
  end: Date;
}

export const INVALID_PRESET_MESSAGE = `Invalid date range preset. Valid values are: ${DATE_RANGE_PRESETS.join(', ')}`;
export const INVALID_FORMAT_MESSAGE =
  'Invalid date range format. Expected PipelineDateRange JSON object or preset string.';

/** `PRESET`: a well-formed value naming no preset. `FORMAT`: anything else that is not a range. */
export class DateRangeError extends Error {
  constructor(readonly kind: 'PRESET' | 'FORMAT') {
    super(kind === 'PRESET' ? INVALID_PRESET_MESSAGE : INVALID_FORMAT_MESSAGE);
    this.name = 'DateRangeError';
  }
}

/**
 * A query value as a range: a preset name (any case), a JSON object string, or an object (the
 * extended query parser's `createdOn[preset]=CUSTOM&createdOn[start]=...`).
 */
export function parseDateRange(value: unknown): PresetOrCustom {
  if (typeof value === 'string') {
    const text = value.trim();
    if (!text.startsWith('{')) return fromObject({ preset: text });
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new DateRangeError('FORMAT');
    }
    return fromObject(parsed);
  }
  return fromObject(value);
}

function fromObject(value: unknown): PresetOrCustom {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new DateRangeError('FORMAT');
  const { preset, start, end } = value as Record<string, unknown>;
  if (typeof preset !== 'string') throw new DateRangeError('FORMAT');
  const name = preset.trim().toUpperCase();
  if (!isPreset(name)) throw new DateRangeError('PRESET');
  if (name !== 'CUSTOM') return { preset: name };
  if (typeof start !== 'string' || typeof end !== 'string') throw new DateRangeError('FORMAT');
  // Syntax now, so a bad value fails before anything is looked up; order needs the zone (resolve).
  parseDateValue(start);
  parseDateValue(end);
  return { preset: 'CUSTOM', start: start.trim(), end: end.trim() };
}

function isPreset(name: string): name is DateRangePreset {
  return (DATE_RANGE_PRESETS as readonly string[]).includes(name);
}

/** The interval `input` means at `now` for a tenant in `timeZone` (IANA) and `locale` (BCP 47). */
export function resolveDateRange(input: PresetOrCustom, now: Date, timeZone: string, locale: string): DateInterval {
  if (input.preset === 'CUSTOM') return resolveCustom(input.start, input.end, timeZone);
  const today = localDateOf(now.getTime(), timeZone);
  const [from, to] = presetDays(input.preset, today, locale);
  return { start: new Date(startOfDay(from, timeZone)), end: new Date(startOfDay(to, timeZone)) };
}

/** First and last-exclusive local day of a relative preset. */
function presetDays(preset: RelativePreset, today: LocalDate, locale: string): [LocalDate, LocalDate] {
  const tomorrow = addDays(today, 1);
  const weekStart = addDays(today, -((isoWeekday(today) - firstDayOfWeek(locale) + 7) % 7));
  const monthStart: LocalDate = { year: today.year, month: today.month, day: 1 };
  const quarterStart: LocalDate = { year: today.year, month: today.month - ((today.month - 1) % 3), day: 1 };
  const yearStart: LocalDate = { year: today.year, month: 1, day: 1 };
  switch (preset) {
    case 'TODAY':
      return [today, tomorrow];
    case 'YESTERDAY':
      return [addDays(today, -1), today];
    case 'LAST_7_DAYS':
      return [addDays(today, -6), tomorrow];
    case 'LAST_30_DAYS':
      return [addDays(today, -29), tomorrow];
    case 'LAST_90_DAYS':
      return [addDays(today, -89), tomorrow];
    case 'THIS_WEEK':
      return [weekStart, addDays(weekStart, 7)];
    case 'LAST_WEEK':
      return [addDays(weekStart, -7), weekStart];
    case 'THIS_MONTH':
      return [monthStart, addMonths(monthStart, 1)];
    case 'LAST_MONTH':
      return [addMonths(monthStart, -1), monthStart];
    case 'THIS_QUARTER':
      return [quarterStart, addMonths(quarterStart, 3)];
    case 'LAST_QUARTER':
      return [addMonths(quarterStart, -3), quarterStart];
    case 'THIS_YEAR':
      return [yearStart, addMonths(yearStart, 12)];
    case 'LAST_YEAR':
      return [addMonths(yearStart, -12), yearStart];
  }
}

/** A date-only bound covers its whole local day; a date-time `end` includes its own millisecond. */
function resolveCustom(start: string, end: string, timeZone: string): DateInterval {
  const from = parseDateValue(start);
  const to = parseDateValue(end);
  const startMs = from.kind === 'date' ? startOfDay(from.date, timeZone) : instantOf(from, timeZone);
  const endMs = to.kind === 'date' ? startOfDay(addDays(to.date, 1), timeZone) : instantOf(to, timeZone) + 1;
  if (startMs >= endMs) throw new DateRangeError('FORMAT');
  return { start: new Date(startMs), end: new Date(endMs) };
}

// ---------------------------------------------------------------------------------------------
// First day of the week

const MONDAY = 1;
const SATURDAY = 6;
const SUNDAY = 7;
// CLDR weekData, for a runtime whose Intl.Locale has no week info.
const SUNDAY_REGIONS = new Set(
  (
    'AG AS BD BR BS BT BW BZ CA CO DM DO ET GT GU HK HN ID IL IN JM JP KE KH KR LA MH MM MO MT MX MZ NI NP ' +
    'PA PE PH PK PR PT PY SA SG SV TH TT TW UM US VE VI WS YE ZA ZW'
  ).split(' '),
);
const SATURDAY_REGIONS = new Set('AE AF BH DJ DZ EG IQ IR JO KW LY OM QA SD SY'.split(' '));

interface WeekInfo {
  firstDay?: number;
}
type LocaleWithWeekInfo = Intl.Locale & { getWeekInfo?: () => WeekInfo; weekInfo?: WeekInfo };

/** 1 = Monday ... 7 = Sunday, from the runtime's CLDR data when it has it (en-GB Monday, en-US Sunday). */
export function firstDayOfWeek(locale: string): number {
  let parsed: LocaleWithWeekInfo;
  try {
    parsed = new Intl.Locale(locale);
  } catch {
    return MONDAY;
  }
  const firstDay = (parsed.getWeekInfo?.() ?? parsed.weekInfo)?.firstDay;
  if (typeof firstDay === 'number' && firstDay >= 1 && firstDay <= 7) return firstDay;
  return fallbackFirstDay(parsed.maximize().region);
}

/** The first day of the week in a region (ISO 3166 code), Monday when unknown. */
export function fallbackFirstDay(region: string | undefined): number {
  const code = region?.toUpperCase() ?? '';
  if (SUNDAY_REGIONS.has(code)) return SUNDAY;
  if (SATURDAY_REGIONS.has(code)) return SATURDAY;
  return MONDAY;
}

// ---------------------------------------------------------------------------------------------
// Calendar arithmetic on local dates (proleptic Gregorian, done in UTC so no zone interferes)

interface LocalDate {
  year: number;
  month: number;
  day: number;
}

interface LocalDateTime extends LocalDate {
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
}

const DAY_MS = 86_400_000;

/** Milliseconds of a wall time read as UTC; setUTCFullYear keeps years 0-99 literal. */
function wallMs(t: LocalDateTime): number {
  const date = new Date(0);
  date.setUTCFullYear(t.year, t.month - 1, t.day);
  date.setUTCHours(t.hour, t.minute, t.second, t.millisecond);
  return date.getTime();
}

function dateOfWallMs(ms: number): LocalDate {
  const date = new Date(ms);
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() };
}

const midnight = (date: LocalDate): LocalDateTime => ({ ...date, hour: 0, minute: 0, second: 0, millisecond: 0 });

function addDays(date: LocalDate, days: number): LocalDate {
  return dateOfWallMs(wallMs(midnight(date)) + days * DAY_MS);
}

/** Only ever applied to the first of a month, so no day overflows. */
function addMonths(date: LocalDate, months: number): LocalDate {
  const index = date.year * 12 + (date.month - 1) + months;
  return { year: Math.floor(index / 12), month: (index % 12) + 1, day: date.day };
}

/** 1 = Monday ... 7 = Sunday. */
function isoWeekday(date: LocalDate): number {
  return new Date(wallMs(midnight(date))).getUTCDay() || 7;
}

function daysInMonth(year: number, month: number): number {
  return dateOfWallMs(wallMs(midnight(addMonths({ year, month, day: 1 }, 1))) - DAY_MS).day;
}

// ---------------------------------------------------------------------------------------------
// Time zones

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      calendar: 'gregory',
      numberingSystem: 'latn',
      hourCycle: 'h23',
      era: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The wall clock in `timeZone` at an instant, to the second. */
function localDateTimeOf(epochMs: number, timeZone: string): LocalDateTime {
  const fields: Record<string, number> = {};
  let bc = false;
  for (const part of formatterFor(timeZone).formatToParts(epochMs)) {
    if (part.type === 'era') bc = part.value.startsWith('B');
    else if (part.type !== 'literal') fields[part.type] = Number(part.value);
  }
  return {
    year: bc ? 1 - fields.year : fields.year,
    month: fields.month,
    day: fields.day,
    hour: fields.hour,
    minute: fields.minute,
    second: fields.second,
    millisecond: 0,
  };
}

function localDateOf(epochMs: number, timeZone: string): LocalDate {
  const { year, month, day } = localDateTimeOf(epochMs, timeZone);
  return { year, month, day };
}

/** The zone's UTC offset at an instant, in milliseconds (local = UTC + offset). */
function offsetAt(epochMs: number, timeZone: string): number {
  const wholeSecond = Math.floor(epochMs / 1000) * 1000;
  return wallMs(localDateTimeOf(wholeSecond, timeZone)) - wholeSecond;
}

/**
 * The instant a wall time happens in `timeZone`. Of the offsets in force a day either side (no
 * zone changes twice within two days), keep those that map back to the same wall time; in a
 * fall-back overlap take the earlier instant. A wall time skipped by a spring-forward gap maps to
 * the same distance past the transition (so a skipped midnight starts the day at the transition),
 * as Temporal's "compatible" disambiguation does.
 */
function zonedToUtc(local: LocalDateTime, timeZone: string): number {
  const wall = wallMs(local);
  const before = offsetAt(wall - DAY_MS, timeZone);
  const after = offsetAt(wall + DAY_MS, timeZone);
  const valid = [wall - before, wall - after].filter((candidate) => offsetAt(candidate, timeZone) === wall - candidate);
  return valid.length > 0 ? Math.min(...valid) : wall - before;
}

function startOfDay(date: LocalDate, timeZone: string): number {
  return zonedToUtc(midnight(date), timeZone);
}

// ---------------------------------------------------------------------------------------------
// CUSTOM bounds

type DateValue =
  { kind: 'date'; date: LocalDate } | { kind: 'dateTime'; local: LocalDateTime; offsetMs: number | null }; // null: the tenant's zone

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(?:([Zz])|([+-])(\d{2}):?(\d{2}))?$/;

/** An ISO 8601 calendar date, or date and time with an optional offset; anything else is FORMAT. */
function parseDateValue(text: string): DateValue {
  const value = text.trim();
  const dateOnly = DATE_ONLY.exec(value);
  if (dateOnly) {
    return { kind: 'date', date: checkedDate(Number(dateOnly[1]), Number(dateOnly[2]), Number(dateOnly[3])) };
  }
  const match = DATE_TIME.exec(value);
  if (!match) throw new DateRangeError('FORMAT');
  const [, year, month, day, hour, minute, second, fraction, zulu, sign, offsetHours, offsetMinutes] = match;
  const local: LocalDateTime = {
    ...checkedDate(Number(year), Number(month), Number(day)),
    hour: Number(hour),
    minute: Number(minute),
    second: second === undefined ? 0 : Number(second),
    millisecond: fraction === undefined ? 0 : Number(fraction.padEnd(3, '0').slice(0, 3)),
  };
  if (local.hour > 23 || local.minute > 59 || local.second > 59) throw new DateRangeError('FORMAT');
  let offsetMs: number | null = null;
  if (zulu) offsetMs = 0;
  if (sign) {
    if (Number(offsetHours) > 23 || Number(offsetMinutes) > 59) throw new DateRangeError('FORMAT');
    offsetMs = (sign === '-' ? -1 : 1) * (Number(offsetHours) * 60 + Number(offsetMinutes)) * 60_000;
  }
  return { kind: 'dateTime', local, offsetMs };
}

function checkedDate(year: number, month: number, day: number): LocalDate {
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) throw new DateRangeError('FORMAT');
  return { year, month, day };
}

/** A date-time without an offset is a wall time in the tenant's zone. */
function instantOf(value: { local: LocalDateTime; offsetMs: number | null }, timeZone: string): number {
  return value.offsetMs === null ? zonedToUtc(value.local, timeZone) : wallMs(value.local) - value.offsetMs;
}
