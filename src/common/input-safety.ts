// Checks on untrusted text that every door shares: JSON depth, UTF-8, NUL and unpaired surrogates.
// All of them run in linear time without recursion, so a hostile body cannot exhaust the stack.
import { isUtf8 } from 'node:buffer';

/** The deepest nesting of arrays and objects a JSON body may have, on every route. */
export const MAX_JSON_DEPTH = 32;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPENERS = new Set([0x5b, 0x7b]);
const CLOSERS = new Set([0x5d, 0x7d]);

/**
 * Whether UTF-8 JSON text nests deeper than `limit`, read from the bytes before anything parses
 * them. Bytes inside strings are skipped: a multi-byte character never contains an ASCII byte.
 */
export function jsonTooDeep(bytes: Uint8Array, limit = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i];
    if (inString) {
      if (byte === BACKSLASH) i++;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) {
      inString = true;
    } else if (OPENERS.has(byte)) {
      if (++depth > limit) return true;
    } else if (CLOSERS.has(byte)) {
      depth--;
    }
  }
  return false;
}

/** NUL, which PostgreSQL text and jsonb refuse, or a UTF-16 surrogate without its pair. */
// eslint-disable-next-line no-control-regex -- finding NUL is the point
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const UNSTORABLE_ALL = new RegExp(UNSTORABLE.source, 'g');

export function hasUnstorableText(value: string): boolean {
  return UNSTORABLE.test(value);
}

/**
 * `value` as PostgreSQL can store it: unpaired surrogates replaced by U+FFFD, NUL removed (or
 * replaced by `nul`, where the log must show that something stood there).
 */
export function storable(value: string, nul = ''): string {
  return value.replace(UNSTORABLE_ALL, (char) => (char === '\u0000' ? nul : '\ufffd'));
}

export type TextFault = { kind: 'depth' } | { kind: 'unstorable'; path: string };

/** A value met by the walk below, with the way back to the root (paths are built only for a fault). */
interface Visit {
  value: unknown;
  depth: number;
  key: string;
  parent: Visit | null;
}

/**
 * The first NUL or unpaired surrogate in a parsed body (in a key or a string value), or nesting
 * deeper than `limit`. `path` names where it is (`users.0.externalId`).
 */
export function findTextFault(body: unknown, limit = MAX_JSON_DEPTH): TextFault | null {
  const stack: Visit[] = [{ value: body, depth: 0, key: '', parent: null }];
  while (stack.length > 0) {
    const visit = stack.pop()!;
    const { value, depth } = visit;
    if (typeof value === 'string') {
      if (hasUnstorableText(value)) return { kind: 'unstorable', path: pathOf(visit) };
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    if (depth + 1 > limit) return { kind: 'depth' };
    if (Array.isArray(value)) {
      for (let index = value.length - 1; index >= 0; index--) {
        stack.push({ value: value[index], depth: depth + 1, key: String(index), parent: visit });
      }
      continue;
    }
    const entries = Object.entries(value as Record<string, unknown>);
    for (let index = entries.length - 1; index >= 0; index--) {
      const [key, child] = entries[index];
      if (hasUnstorableText(key))
        return { kind: 'unstorable', path: pathOf({ ...visit, key: storable(key), parent: visit }) };
      stack.push({ value: child, depth: depth + 1, key, parent: visit });
    }
  }
  return null;
}

function pathOf(visit: Visit): string {
  const keys: string[] = [];
  for (let at: Visit | null = visit; at?.parent; at = at.parent) keys.push(at.key);
  return keys.reverse().join('.');
}

export type EncodingFault = 'utf8' | 'nul';

/**
 * Whether percent-decoding `text` (a URL, a form body, a header value) yields bytes that are not
 * UTF-8 (`%ff`, an encoded surrogate `%ED%A0%80`) or a NUL (`%00`). Characters not escaped stand
 * for their own byte, as Node reads request lines and headers as Latin-1.
 */
export function percentDecodingFault(text: string): EncodingFault | null {
  // Nearly every URL decodes to ASCII only: then no byte can break UTF-8, and only a NUL can be wrong.
  if (DECODES_TO_ASCII.test(text)) return text.includes('\0') || text.includes('%00') ? 'nul' : null;
  return decodedBytesFault(text);
}

/**
 * Text whose percent-decoding gives ASCII bytes only: characters below U+0080 other than `%`,
 * escapes `%00`-`%7F`, and a `%` not followed by two hex digits (which stands for itself). A NUL
 * in such text is a raw one or `%00`: a `%` cannot be the second or third character of an escape.
 */
const DECODES_TO_ASCII = /^(?:[^%\x80-\uffff]|%[0-7][0-9A-Fa-f]|%(?![0-9A-Fa-f]{2}))*$/;

/** `percentDecodingFault` the long way: decodes every byte, then checks them. */
export function decodedBytesFault(text: string): EncodingFault | null {
  const bytes = new Uint8Array(text.length * 3);
  let length = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x25 && i + 2 < text.length && isHex(text.charCodeAt(i + 1)) && isHex(text.charCodeAt(i + 2))) {
      bytes[length++] = parseInt(text.slice(i + 1, i + 3), 16);
      i += 2;
    } else if (code < 0x100) {
      bytes[length++] = code;
    } else {
      const char = String.fromCodePoint(text.codePointAt(i)!);
      length += Buffer.from(char, 'utf8').copy(bytes, length);
      i += char.length - 1;
    }
  }
  const decoded = bytes.subarray(0, length);
  if (decoded.includes(0)) return 'nul';
  return isUtf8(decoded) ? null : 'utf8';
}

/** Whether raw bytes are well-formed UTF-8 (surrogates and overlong forms are not). */
export function isWellFormedUtf8(bytes: Uint8Array): boolean {
  return isUtf8(bytes);
}

function isHex(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x46) || (code >= 0x61 && code <= 0x66);
}
