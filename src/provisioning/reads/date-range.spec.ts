import {
  DATE_RANGE_PRESETS,
  DateRangeError,
  fallbackFirstDay,
  firstDayOfWeek,
  INVALID_FORMAT_MESSAGE,
  INVALID_PRESET_MESSAGE,
  parseDateRange,
  PresetOrCustom,
  RelativePreset,
  resolveDateRange,
} from './date-range';

const LONDON = 'Europe/London';
const NEW_YORK = 'America/New_York';
const AUCKLAND = 'Pacific/Auckland';

/** The interval as two ISO strings, for readable expectations. */
function range(input: PresetOrCustom | RelativePreset, now: string, timeZone = LONDON, locale = 'en-GB'): string[] {
  const preset = typeof input === 'string' ? { preset: input } : input;
  const { start, end } = resolveDateRange(preset, new Date(now), timeZone, locale);
  return [start.toISOString(), end.toISOString()];
}

const custom = (start: string, end: string): PresetOrCustom => ({ preset: 'CUSTOM', start, end });
const z = (text: string): string => new Date(text).toISOString();

function expectRangeError(run: () => unknown, kind: 'PRESET' | 'FORMAT'): void {
  let thrown: unknown;
  try {
    run();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(DateRangeError);
  expect((thrown as DateRangeError).kind).toBe(kind);
  expect((thrown as DateRangeError).message).toBe(kind === 'PRESET' ? INVALID_PRESET_MESSAGE : INVALID_FORMAT_MESSAGE);
}

describe('resolveDateRange', () => {
  describe('Europe/London, en-GB (weeks from Monday), an ordinary Wednesday in winter', () => {
    const now = '2024-03-13T12:00:00Z';

    it.each<[RelativePreset, string, string]>([
      ['TODAY', '2024-03-13T00:00:00Z', '2024-03-14T00:00:00Z'],
      ['YESTERDAY', '2024-03-12T00:00:00Z', '2024-03-13T00:00:00Z'],
      ['LAST_7_DAYS', '2024-03-07T00:00:00Z', '2024-03-14T00:00:00Z'],
      ['LAST_30_DAYS', '2024-02-13T00:00:00Z', '2024-03-14T00:00:00Z'],
      ['LAST_90_DAYS', '2023-12-15T00:00:00Z', '2024-03-14T00:00:00Z'],
      ['THIS_WEEK', '2024-03-11T00:00:00Z', '2024-03-18T00:00:00Z'],
      ['LAST_WEEK', '2024-03-04T00:00:00Z', '2024-03-11T00:00:00Z'],
      // April starts in BST: local midnight is 23:00 UTC the day before.
      ['THIS_MONTH', '2024-03-01T00:00:00Z', '2024-03-31T23:00:00Z'],
      ['LAST_MONTH', '2024-02-01T00:00:00Z', '2024-03-01T00:00:00Z'],
      ['THIS_QUARTER', '2024-01-01T00:00:00Z', '2024-03-31T23:00:00Z'],
      ['LAST_QUARTER', '2023-09-30T23:00:00Z', '2024-01-01T00:00:00Z'],
      ['THIS_YEAR', '2024-01-01T00:00:00Z', '2025-01-01T00:00:00Z'],
      ['LAST_YEAR', '2023-01-01T00:00:00Z', '2024-01-01T00:00:00Z'],
    ])('%s', (preset, start, end) => {
      expect(range(preset, now)).toEqual([z(start), z(end)]);
    });

    it('covers every preset but CUSTOM in the table above', () => {
      expect(DATE_RANGE_PRESETS.filter((preset) => preset !== 'CUSTOM')).toHaveLength(13);
    });

    it('gives the same answer at any instant of the local day', () => {
      for (const instant of ['2024-03-13T00:00:00Z', '2024-03-13T23:59:59.999Z']) {
        expect(range('TODAY', instant)).toEqual([z('2024-03-13T00:00:00Z'), z('2024-03-14T00:00:00Z')]);
      }
      expect(range('TODAY', '2024-03-14T00:00:00Z')).toEqual([z('2024-03-14T00:00:00Z'), z('2024-03-15T00:00:00Z')]);
    });
  });

  describe('Europe/London across the clock changes', () => {
    it('makes the spring-forward Sunday 23 hours long and ends that week at BST midnight', () => {
      const now = '2024-03-31T12:00:00Z';
      expect(range('TODAY', now)).toEqual([z('2024-03-31T00:00:00Z'), z('2024-03-31T23:00:00Z')]);
      expect(range('YESTERDAY', now)).toEqual([z('2024-03-30T00:00:00Z'), z('2024-03-31T00:00:00Z')]);
      expect(range('THIS_WEEK', now)).toEqual([z('2024-03-25T00:00:00Z'), z('2024-03-31T23:00:00Z')]);
    });

    it('counts the week after the change in BST', () => {
      const now = '2024-04-01T10:00:00Z';
      expect(range('TODAY', now)).toEqual([z('2024-03-31T23:00:00Z'), z('2024-04-01T23:00:00Z')]);
      expect(range('THIS_WEEK', now)).toEqual([z('2024-03-31T23:00:00Z'), z('2024-04-07T23:00:00Z')]);
      expect(range('LAST_WEEK', now)).toEqual([z('2024-03-25T00:00:00Z'), z('2024-03-31T23:00:00Z')]);
      expect(range('LAST_7_DAYS', now)).toEqual([z('2024-03-26T00:00:00Z'), z('2024-04-01T23:00:00Z')]);
    });

    it('makes the fall-back Sunday 25 hours long', () => {
      const now = '2024-10-27T12:00:00Z';
      expect(range('TODAY', now)).toEqual([z('2024-10-26T23:00:00Z'), z('2024-10-28T00:00:00Z')]);
      expect(range('THIS_WEEK', now)).toEqual([z('2024-10-20T23:00:00Z'), z('2024-10-28T00:00:00Z')]);
    });

    it('reads "today" on the local clock just after a BST midnight (still yesterday in UTC)', () => {
      const now = '2024-06-30T23:30:00Z'; // 00:30 on 1 July in London
      expect(range('TODAY', now)).toEqual([z('2024-06-30T23:00:00Z'), z('2024-07-01T23:00:00Z')]);
      expect(range('THIS_MONTH', now)).toEqual([z('2024-06-30T23:00:00Z'), z('2024-07-31T23:00:00Z')]);
      expect(range('LAST_MONTH', now)).toEqual([z('2024-05-31T23:00:00Z'), z('2024-06-30T23:00:00Z')]);
      expect(range('THIS_QUARTER', now)).toEqual([z('2024-06-30T23:00:00Z'), z('2024-09-30T23:00:00Z')]);
      expect(range('LAST_QUARTER', now)).toEqual([z('2024-03-31T23:00:00Z'), z('2024-06-30T23:00:00Z')]);
    });

    it('handles a leap day and the turn of the year', () => {
      expect(range('YESTERDAY', '2024-03-01T09:00:00Z')).toEqual([
        z('2024-02-29T00:00:00Z'),
        z('2024-03-01T00:00:00Z'),
      ]);
      expect(range('LAST_MONTH', '2024-01-15T09:00:00Z')).toEqual([
        z('2023-12-01T00:00:00Z'),
        z('2024-01-01T00:00:00Z'),
      ]);
      expect(range('LAST_QUARTER', '2024-02-15T09:00:00Z')).toEqual([
        z('2023-09-30T23:00:00Z'),
        z('2024-01-01T00:00:00Z'),
      ]);
      // 1 January 2024 is a Monday: last week is entirely in 2023.
      expect(range('LAST_WEEK', '2024-01-01T09:00:00Z')).toEqual([
        z('2023-12-25T00:00:00Z'),
        z('2024-01-01T00:00:00Z'),
      ]);
    });
  });

  describe('America/New_York', () => {
    it('starts en-US weeks on Sunday, on the 23-hour spring-forward Sunday', () => {
      const now = '2024-03-10T15:00:00Z'; // 11:00 EDT, Sunday 10 March
      expect(range('TODAY', now, NEW_YORK, 'en-US')).toEqual([z('2024-03-10T05:00:00Z'), z('2024-03-11T04:00:00Z')]);
      expect(range('THIS_WEEK', now, NEW_YORK, 'en-US')).toEqual([
        z('2024-03-10T05:00:00Z'),
        z('2024-03-17T04:00:00Z'),
      ]);
      expect(range('LAST_WEEK', now, NEW_YORK, 'en-US')).toEqual([
        z('2024-03-03T05:00:00Z'),
        z('2024-03-10T05:00:00Z'),
      ]);
    });

    it('starts en-GB weeks on Monday in the same zone at the same instant', () => {
      const now = '2024-03-10T15:00:00Z';
      expect(range('THIS_WEEK', now, NEW_YORK, 'en-GB')).toEqual([
        z('2024-03-04T05:00:00Z'),
        z('2024-03-11T04:00:00Z'),
      ]);
    });

    it('is still last year on New Year’s Eve evening, when UTC is already in the new year', () => {
      const now = '2024-01-01T03:00:00Z'; // 22:00 EST, Sunday 31 December 2023
      const at = (preset: RelativePreset): string[] => range(preset, now, NEW_YORK, 'en-US');
      expect(at('TODAY')).toEqual([z('2023-12-31T05:00:00Z'), z('2024-01-01T05:00:00Z')]);
      expect(at('YESTERDAY')).toEqual([z('2023-12-30T05:00:00Z'), z('2023-12-31T05:00:00Z')]);
      expect(at('LAST_30_DAYS')).toEqual([z('2023-12-02T05:00:00Z'), z('2024-01-01T05:00:00Z')]);
      expect(at('THIS_WEEK')).toEqual([z('2023-12-31T05:00:00Z'), z('2024-01-07T05:00:00Z')]);
      expect(at('THIS_MONTH')).toEqual([z('2023-12-01T05:00:00Z'), z('2024-01-01T05:00:00Z')]);
      expect(at('THIS_QUARTER')).toEqual([z('2023-10-01T04:00:00Z'), z('2024-01-01T05:00:00Z')]);
      expect(at('LAST_QUARTER')).toEqual([z('2023-07-01T04:00:00Z'), z('2023-10-01T04:00:00Z')]);
      expect(at('THIS_YEAR')).toEqual([z('2023-01-01T05:00:00Z'), z('2024-01-01T05:00:00Z')]);
      expect(at('LAST_YEAR')).toEqual([z('2022-01-01T05:00:00Z'), z('2023-01-01T05:00:00Z')]);
    });

    it('makes the fall-back Sunday 25 hours long', () => {
      expect(range('TODAY', '2024-11-03T12:00:00Z', NEW_YORK, 'en-US')).toEqual([
        z('2024-11-03T04:00:00Z'),
        z('2024-11-04T05:00:00Z'),
      ]);
    });
  });

  describe('Pacific/Auckland, en-NZ (ahead of UTC, southern-hemisphere summer time)', () => {
    it('is already tomorrow there, with every unit counted in NZDT', () => {
      const now = '2024-01-15T12:00:00Z'; // 01:00 NZDT, Tuesday 16 January
      const at = (preset: RelativePreset): string[] => range(preset, now, AUCKLAND, 'en-NZ');
      expect(at('TODAY')).toEqual([z('2024-01-15T11:00:00Z'), z('2024-01-16T11:00:00Z')]);
      expect(at('YESTERDAY')).toEqual([z('2024-01-14T11:00:00Z'), z('2024-01-15T11:00:00Z')]);
      expect(at('LAST_7_DAYS')).toEqual([z('2024-01-09T11:00:00Z'), z('2024-01-16T11:00:00Z')]);
      expect(at('THIS_WEEK')).toEqual([z('2024-01-14T11:00:00Z'), z('2024-01-21T11:00:00Z')]);
      expect(at('LAST_WEEK')).toEqual([z('2024-01-07T11:00:00Z'), z('2024-01-14T11:00:00Z')]);
      expect(at('THIS_MONTH')).toEqual([z('2023-12-31T11:00:00Z'), z('2024-01-31T11:00:00Z')]);
      expect(at('LAST_MONTH')).toEqual([z('2023-11-30T11:00:00Z'), z('2023-12-31T11:00:00Z')]);
      expect(at('THIS_QUARTER')).toEqual([z('2023-12-31T11:00:00Z'), z('2024-03-31T11:00:00Z')]);
      expect(at('LAST_QUARTER')).toEqual([z('2023-09-30T11:00:00Z'), z('2023-12-31T11:00:00Z')]);
      expect(at('THIS_YEAR')).toEqual([z('2023-12-31T11:00:00Z'), z('2024-12-31T11:00:00Z')]);
      expect(at('LAST_YEAR')).toEqual([z('2022-12-31T11:00:00Z'), z('2023-12-31T11:00:00Z')]);
    });

    it('ends summer time on a 25-hour Sunday and spans it in LAST_90_DAYS', () => {
      const now = '2024-04-07T00:00:00Z'; // 12:00 NZST, Sunday 7 April
      expect(range('TODAY', now, AUCKLAND, 'en-NZ')).toEqual([z('2024-04-06T11:00:00Z'), z('2024-04-07T12:00:00Z')]);
      expect(range('LAST_90_DAYS', now, AUCKLAND, 'en-NZ')).toEqual([
        z('2024-01-08T11:00:00Z'),
        z('2024-04-07T12:00:00Z'),
      ]);
    });

    it('counts winter months in NZST', () => {
      const now = '2024-07-01T00:00:00Z'; // 12:00 NZST, 1 July
      expect(range('THIS_MONTH', now, AUCKLAND, 'en-NZ')).toEqual([
        z('2024-06-30T12:00:00Z'),
        z('2024-07-31T12:00:00Z'),
      ]);
      expect(range('LAST_MONTH', now, AUCKLAND, 'en-NZ')).toEqual([
        z('2024-05-31T12:00:00Z'),
        z('2024-06-30T12:00:00Z'),
      ]);
    });
  });

  describe('zones whose clocks change at midnight (America/Santiago)', () => {
    it('starts a day whose midnight is skipped at the transition (01:00)', () => {
      expect(range('TODAY', '2024-09-08T15:00:00Z', 'America/Santiago', 'es-CL')).toEqual([
        z('2024-09-08T04:00:00Z'),
        z('2024-09-09T03:00:00Z'),
      ]);
    });

    it('gives the day before a repeated hour 25 hours', () => {
      expect(range('TODAY', '2024-04-06T15:00:00Z', 'America/Santiago', 'es-CL')).toEqual([
        z('2024-04-06T03:00:00Z'),
        z('2024-04-07T04:00:00Z'),
      ]);
    });
  });

  describe('CUSTOM', () => {
    const now = '2030-06-15T12:00:00Z'; // irrelevant to CUSTOM

    it('makes date-only values whole local days, end inclusive', () => {
      expect(range(custom('2024-01-01', '2024-01-31'), now)).toEqual([
        z('2024-01-01T00:00:00Z'),
        z('2024-02-01T00:00:00Z'),
      ]);
      // 31 March 2024 is the spring-forward day: the range ends at BST midnight.
      expect(range(custom('2024-03-01', '2024-03-31'), now)).toEqual([
        z('2024-03-01T00:00:00Z'),
        z('2024-03-31T23:00:00Z'),
      ]);
      expect(range(custom('2024-07-04', '2024-07-04'), now, NEW_YORK, 'en-US')).toEqual([
        z('2024-07-04T04:00:00Z'),
        z('2024-07-05T04:00:00Z'),
      ]);
      expect(range(custom('2024-01-01', '2024-01-01'), now, AUCKLAND, 'en-NZ')).toEqual([
        z('2023-12-31T11:00:00Z'),
        z('2024-01-01T11:00:00Z'),
      ]);
    });

    it('takes date-times with Z or an offset as instants, the end millisecond included', () => {
      expect(range(custom('2024-01-01T10:00:00Z', '2024-01-01T12:00:00Z'), now)).toEqual([
        z('2024-01-01T10:00:00.000Z'),
        z('2024-01-01T12:00:00.001Z'),
      ]);
      expect(range(custom('2024-01-01T10:00:00+02:00', '2024-01-01T10:00:00.250-0530'), now, AUCKLAND)).toEqual([
        z('2024-01-01T08:00:00.000Z'),
        z('2024-01-01T15:30:00.251Z'),
      ]);
      expect(range(custom('2024-01-01T10:00Z', '2024-01-01T10:00:00.123456789Z'), now)).toEqual([
        z('2024-01-01T10:00:00.000Z'),
        z('2024-01-01T10:00:00.124Z'),
      ]);
    });

    it('reads date-times without an offset on the tenant’s wall clock', () => {
      expect(range(custom('2024-07-04T09:00:00', '2024-07-04 17:30'), now, NEW_YORK, 'en-US')).toEqual([
        z('2024-07-04T13:00:00.000Z'),
        z('2024-07-04T21:30:00.001Z'),
      ]);
      // Skipped (spring) wall time: as far past the change as it would have been; repeated
      // (autumn) wall time: its first occurrence.
      expect(range(custom('2024-03-31T01:30:00', '2024-10-27T01:30:00'), now)).toEqual([
        z('2024-03-31T01:30:00.000Z'),
        z('2024-10-27T00:30:00.001Z'),
      ]);
    });

    it('mixes a date-only start with a date-time end', () => {
      expect(range(custom('2024-01-01', '2024-01-01T00:00:00Z'), now)).toEqual([
        z('2024-01-01T00:00:00.000Z'),
        z('2024-01-01T00:00:00.001Z'),
      ]);
    });

    it('refuses a start after the end, and malformed or impossible dates', () => {
      const invalid: [string, string][] = [
        ['2024-02-01', '2024-01-31'],
        ['2024-01-01T12:00:00Z', '2024-01-01T11:59:59Z'],
        ['2024-01-02T00:00:00Z', '2024-01-01'],
        ['2023-02-29', '2023-03-01'],
        ['2024-13-01', '2024-12-01'],
        ['2024-04-31', '2024-05-01'],
        ['2024-00-10', '2024-01-01'],
        ['2024-01-01T24:00:00Z', '2024-01-02'],
        ['2024-01-01T10:60:00Z', '2024-01-02'],
        ['2024-01-01T10:00:00+25:00', '2024-01-02'],
        ['24-01-01', '2024-01-02'],
        ['2024/01/01', '2024-01-02'],
        ['yesterday', 'today'],
        ['', '2024-01-02'],
        ['1704067200000', '2024-01-02'],
      ];
      for (const [start, end] of invalid) {
        expectRangeError(() => range(custom(start, end), now), 'FORMAT');
      }
    });
  });
});

describe('parseDateRange', () => {
  it('takes preset names in any case, with surrounding spaces', () => {
    expect(parseDateRange('TODAY')).toEqual({ preset: 'TODAY' });
    expect(parseDateRange(' last_7_days ')).toEqual({ preset: 'LAST_7_DAYS' });
    for (const preset of DATE_RANGE_PRESETS.filter((name) => name !== 'CUSTOM')) {
      expect(parseDateRange(preset)).toEqual({ preset });
    }
  });

  it('takes a PipelineDateRange JSON object', () => {
    expect(parseDateRange('{"preset":"LAST_7_DAYS"}')).toEqual({ preset: 'LAST_7_DAYS' });
    expect(parseDateRange('{"preset":"CUSTOM","start":"2024-01-01","end":"2024-01-31"}')).toEqual({
      preset: 'CUSTOM',
      start: '2024-01-01',
      end: '2024-01-31',
    });
    // A relative preset ignores bounds it does not need.
    expect(parseDateRange('{"preset":"TODAY","start":"x"}')).toEqual({ preset: 'TODAY' });
  });

  it('takes the object the extended query parser makes of createdOn[preset]=...', () => {
    expect(parseDateRange({ preset: 'CUSTOM', start: '2024-01-01T00:00:00Z', end: '2024-01-02' })).toEqual({
      preset: 'CUSTOM',
      start: '2024-01-01T00:00:00Z',
      end: '2024-01-02',
    });
  });

  it('answers PRESET for a value that names no preset', () => {
    for (const value of ['BOGUS', 'LAST_8_DAYS', '', '"TODAY"', '[1]', '{"preset":"NEXT_WEEK"}']) {
      expectRangeError(() => parseDateRange(value), 'PRESET');
    }
  });

  it('answers FORMAT for broken JSON, objects without a preset, and CUSTOM without valid bounds', () => {
    for (const value of [
      '{bad json',
      '{"preset":"CUSTOM"',
      '{}',
      '{"preset":5}',
      '{"start":"2024-01-01","end":"2024-01-31"}',
      'CUSTOM',
      '{"preset":"CUSTOM"}',
      '{"preset":"CUSTOM","start":"2024-01-01"}',
      '{"preset":"CUSTOM","start":"2024-01-01","end":20240131}',
      '{"preset":"CUSTOM","start":"2024-01-01","end":"soon"}',
      '{"preset":"CUSTOM","start":"2024-02-30","end":"2024-03-01"}',
    ]) {
      expectRangeError(() => parseDateRange(value), 'FORMAT');
    }
    for (const value of [null, 7, ['TODAY'], { preset: ['TODAY', 'YESTERDAY'] }]) {
      expectRangeError(() => parseDateRange(value), 'FORMAT');
    }
  });
});

describe('first day of the week', () => {
  it('follows the locale', () => {
    expect(firstDayOfWeek('en-GB')).toBe(1);
    expect(firstDayOfWeek('de-DE')).toBe(1);
    expect(firstDayOfWeek('en-US')).toBe(7);
    expect(firstDayOfWeek('en-CA')).toBe(7);
    expect(firstDayOfWeek('ja-JP')).toBe(7);
    expect(firstDayOfWeek('pt-BR')).toBe(7);
  });

  it('falls back to Monday for a tag the runtime cannot read', () => {
    expect(firstDayOfWeek('not a locale!')).toBe(1);
  });

  it('knows the regions that start on Sunday or Saturday when Intl has no week info', () => {
    for (const region of ['US', 'CA', 'JP', 'BR', 'MX', 'PH', 'IL', 'us']) expect(fallbackFirstDay(region)).toBe(7);
    for (const region of ['EG', 'AE']) expect(fallbackFirstDay(region)).toBe(6);
    for (const region of ['GB', 'DE', 'NZ', 'FR', undefined]) expect(fallbackFirstDay(region)).toBe(1);
  });

  it('uses the fallback when Intl.Locale has neither getWeekInfo nor weekInfo', () => {
    const prototype = Intl.Locale.prototype as unknown as Record<string, unknown>;
    const saved = ['getWeekInfo', 'weekInfo'].map(
      (name) => [name, Object.getOwnPropertyDescriptor(prototype, name)] as const,
    );
    try {
      for (const [name] of saved) Object.defineProperty(prototype, name, { value: undefined, configurable: true });
      expect((new Intl.Locale('en-US') as unknown as Record<string, unknown>).weekInfo).toBeUndefined();
      expect(firstDayOfWeek('en-US')).toBe(7);
      expect(firstDayOfWeek('en')).toBe(7); // maximised to en-Latn-US
      expect(firstDayOfWeek('en-GB')).toBe(1);
      expect(range('THIS_WEEK', '2024-03-10T15:00:00Z', NEW_YORK, 'en-US')).toEqual([
        z('2024-03-10T05:00:00Z'),
        z('2024-03-17T04:00:00Z'),
      ]);
    } finally {
      for (const [name, descriptor] of saved) {
        if (descriptor) Object.defineProperty(prototype, name, descriptor);
        else delete prototype[name];
      }
    }
  });
});
