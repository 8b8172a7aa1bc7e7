import {
  findTextFault,
  jsonTooDeep,
  MAX_JSON_DEPTH,
  decodedBytesFault,
  percentDecodingFault,
  storable,
  hasUnstorableText,
} from './input-safety';

const bytes = (text: string): Buffer => Buffer.from(text, 'utf8');
const nested = (levels: number): string => '{"a":'.repeat(levels) + '1' + '}'.repeat(levels);

describe('jsonTooDeep', () => {
  it('allows MAX_JSON_DEPTH levels of arrays and objects and refuses one more', () => {
    expect(jsonTooDeep(bytes(nested(MAX_JSON_DEPTH)))).toBe(false);
    expect(jsonTooDeep(bytes(nested(MAX_JSON_DEPTH + 1)))).toBe(true);
    expect(jsonTooDeep(bytes('['.repeat(MAX_JSON_DEPTH + 1)))).toBe(true);
  });

  it('counts siblings once, not their sum', () => {
    const wide = `[${Array.from({ length: 1000 }, () => nested(10)).join(',')}]`;
    expect(jsonTooDeep(bytes(wide))).toBe(false);
  });

  it('skips brackets inside strings, escaped quotes included', () => {
    const text = JSON.stringify({ a: '['.repeat(100), b: '\\"[[[[', c: '"{{{{' });
    expect(jsonTooDeep(bytes(text))).toBe(false);
    expect(jsonTooDeep(bytes(`{"k\\"[[[[[[":1}`), 1)).toBe(false);
  });

  it('reads a million levels in linear time without recursion', () => {
    const started = Date.now();
    expect(jsonTooDeep(Buffer.alloc(2_000_000, '['))).toBe(true);
    expect(jsonTooDeep(bytes(`"${'['.repeat(2_000_000)}"`))).toBe(false);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('findTextFault', () => {
  it('finds NUL and unpaired surrogates in values and keys, with their path', () => {
    expect(findTextFault({ users: [{ ok: 'x' }, { externalId: 'a\u0000' }] })).toEqual({
      kind: 'unstorable',
      path: 'users.1.externalId',
    });
    expect(findTextFault({ a: { 'b\ud800': 1 } })).toEqual({ kind: 'unstorable', path: 'a.b\ufffd' });
    expect(findTextFault(['\udc00'])).toEqual({ kind: 'unstorable', path: '0' });
    expect(findTextFault('\u0000')).toEqual({ kind: 'unstorable', path: '' });
  });

  it('accepts paired surrogates, other controls and ordinary values', () => {
    expect(findTextFault({ emoji: '😀', tab: 'a\tb\u0001', n: 1, b: true, z: null })).toBeNull();
    expect(findTextFault(undefined)).toBeNull();
  });

  it('bounds depth without recursion', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(findTextFault(deep)).toEqual({ kind: 'depth' });
    let ok: unknown = 'leaf';
    for (let i = 0; i < MAX_JSON_DEPTH; i++) ok = { k: ok };
    expect(findTextFault(ok)).toBeNull();
  });
});

describe('storable', () => {
  it('drops NUL and replaces unpaired surrogates, keeping pairs', () => {
    expect(storable('a\u0000b\ud800c\udc00😀')).toBe('ab\ufffdc\ufffd😀');
    expect(hasUnstorableText(storable('\ud800\u0000\udfff'))).toBe(false);
  });
});

describe('percentDecodingFault', () => {
  it('answers as decoding every byte would, for any mix of characters and escapes', () => {
    const pieces = [
      'a',
      '/',
      '?',
      '=',
      '%',
      '%2',
      '%20',
      '%25',
      '%00',
      '%7f',
      '%7F',
      '%80',
      '%C3%A9',
      '%ED%A0%80',
      '%zz',
      '%0',
      '\x00',
      '\x7f',
      '\xe9',
      '\xff',
      'é',
      '€',
      '😀',
      '\ud800',
      '0',
      'f',
      'F',
    ];
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let run = 0; run < 5000; run++) {
      const text = Array.from(
        { length: 1 + Math.floor(random() * 12) },
        () => pieces[Math.floor(random() * pieces.length)],
      ).join('');
      expect([text, percentDecodingFault(text)]).toEqual([text, decodedBytesFault(text)]);
    }
    const long = `/scim/v2/Users?filter=${'userName%20eq%20%22a%22%20or%20'.repeat(600)}`;
    expect(percentDecodingFault(long)).toBeNull();
    expect(percentDecodingFault(`${long}%00`)).toBe('nul');
  });

  it.each([
    ['/scim/v2/Users/%ff', 'utf8'],
    ['/x?q=%ED%A0%80', 'utf8'],
    ['/x?q=%C0%80', 'utf8'],
    ['/x?createdBy=a%00b', 'nul'],
    ['/x?q=%e2%82', 'utf8'],
  ])('%s: %s', (text, fault) => {
    expect(percentDecodingFault(text)).toBe(fault);
  });

  it('accepts UTF-8, stray percent signs, and raw UTF-8 bytes read as Latin-1', () => {
    expect(percentDecodingFault('/x?name=Am%C3%A9lie&p=100%&q=%zz')).toBeNull();
    expect(percentDecodingFault(Buffer.from('/Amélie').toString('latin1'))).toBeNull();
    expect(percentDecodingFault('\xff')).toBe('utf8');
  });
});
