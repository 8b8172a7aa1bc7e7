/*
 * Masks every secret a request or its answer may carry, before a log row exists. Pure functions:
 * the capture middleware runs them on what it saw; nothing unmasked reaches the buffer.
 *
 * JSON is masked by a lenient scanner over the text rather than by parse-and-serialise, so a body
 * that is not valid JSON (a client's syntax error, or a body cut at the size limit) is masked by
 * the same rules, the stored text keeps the client's formatting, and the work is bounded by the
 * stored prefix whatever the size of the body.
 */

import { isSecretPath, nameWords, remembered, secretWordAt } from '../directory/secret-names';

/** What replaces a secret wherever one is found. */
export const MASK = '[REDACTED]';

/**
 * Names a log masks beyond the directory's rule, wherever they appear: what authenticates a
 * request (`authorization`, `cookie`, `client_assertion`, a session id, a JWT).
 */
const LOGGED_WORDS = new Set(['authorization', 'assertion', 'cookie', 'cookies', 'jwt', 'sessionid', 'samlresponse']);
const LOGGED_PAIRS = new Set(['session id', 'saml response']);

/** Whether a JSON key holds a secret in a logged body: the directory's rule, plus credentials of the request itself. */
export const isLoggedSecretName = remembered((name) => {
  const words = nameWords(name);
  return words.some(
    (word, index) =>
      secretWordAt(words, index) ||
      LOGGED_WORDS.has(word) ||
      LOGGED_PAIRS.has(`${word} ${words[index + 1]}`) ||
      // `auth` on its own or last (`X-Auth`), not `auth-tenant-id`.
      (word === 'auth' && index === words.length - 1),
  );
});

/**
 * Headers, query parameters and form fields carry secrets under shorter, vaguer names than
 * stored data does: `key`, `sig`, `code`, `session`, `X-Hub-Signature`, `Ocp-Apim-Subscription-Key`.
 */
const PARAMETER_WORDS = new Set([
  'pw',
  'sig',
  'signature',
  'signatures',
  'session',
  'sessid',
  'sid',
  'psk',
  'hmac',
  'ticket',
  'verifier',
]);
const PARAMETER_GLUED_ENDINGS = [
  'signature',
  'session',
  'sessionid',
  'sessid',
  'accesskey',
  'sharedkey',
  'subscriptionkey',
  'functionskey',
  'functionkey',
  'masterkey',
  'secretkey',
  'authkey',
  'hostkey',
];
/** A `key` that names no secret: `publicKey`, `Idempotency-Key`, `sortKey`. */
const HARMLESS_KEY_OWNERS = new Set([
  'public',
  'idempotency',
  'cache',
  'sort',
  'partition',
  'primary',
  'foreign',
  'object',
  'routing',
]);
/** A `code` that is a credential (`code`, `auth_code`, `device_code`), not `countryCode` or `statusCode`. */
const SECRET_CODE_OWNERS = new Set([
  'auth',
  'authorization',
  'authz',
  'verification',
  'verify',
  'device',
  'user',
  'access',
  'security',
  'recovery',
  'reset',
  'mfa',
  'otp',
  'sms',
  'email',
  'confirmation',
  'activation',
  'invite',
  'invitation',
  'login',
  'backup',
  'one',
]);

/** Whether a header, query parameter or form field name holds a secret (any case, any separator, decoded). */
export const isSecretParameterName = remembered((name) => {
  if (isLoggedSecretName(name)) return true;
  const words = nameWords(name);
  return words.some((word, index) => {
    const before = words[index - 1];
    const after = words[index + 1];
    if (word === 'key' || word === 'keys') {
      return !HARMLESS_KEY_OWNERS.has(before ?? '') && !['id', 'ids', 'type', 'name'].includes(after ?? '');
    }
    if (word === 'code') return before === undefined || SECRET_CODE_OWNERS.has(before);
    return PARAMETER_WORDS.has(word) || PARAMETER_GLUED_ENDINGS.some((ending) => word.endsWith(ending));
  });
});

/**
 * Whether a SCIM path names a secret attribute: `password`, `name.password`,
 * `urn:ietf:params:scim:schemas:core:2.0:User:password`, `x.credentials[type eq "a"].value`...
 */
export function isLoggedSecretPath(path: string): boolean {
  return isSecretPath(path, isLoggedSecretName);
}

/** Headers as Node gives them, for requests (`req.headers`) and answers (`res.getHeaders()`). */
export type HeaderValues = Record<string, string | string[] | number | undefined>;

const AUTH_SCHEME = /^(Bearer|Basic|Digest|Negotiate|NTLM|SSWS|Token|HOBA|Mutual|AWS4-HMAC-SHA256)\s+\S/i;

/**
 * Header names lower-cased, multiple values joined; secret headers masked. An authorization
 * header keeps its scheme (`Bearer [REDACTED]`) so an operator still sees how the caller authenticated.
 */
export function redactHeaders(headers: HeaderValues): Record<string, string> {
  const redacted: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const text = Array.isArray(value) ? value.join(', ') : String(value);
    const lower = name.toLowerCase();
    if (!isSecretParameterName(lower)) redacted[lower] = text;
    else {
      const scheme = AUTH_SCHEME.exec(text);
      redacted[lower] = scheme ? `${scheme[1]} ${MASK}` : MASK;
    }
  }
  return redacted;
}

/**
 * A path with its query string; values of secret-looking parameters masked, the rest left as sent.
 * Pairs end at `&`, `;` or a further `?` (servers differ on which split pairs), so a secret hidden
 * behind one of them is masked too; `;name=value` parameters in the path likewise. A `filter` keeps
 * its shape, with the values it compares secret attributes to masked.
 */
export function redactUrl(url: string): string {
  const mark = url.indexOf('?');
  const path = mark < 0 ? url : url.slice(0, mark);
  const redactedPath = path.includes(';') ? path.replace(PATH_PARAMETER, redactPathParameter) : path;
  if (mark < 0) return redactedPath;
  const query = url
    .slice(mark + 1)
    .split(PAIR_SEPARATOR)
    .map((pair, index) => (index % 2 === 1 ? pair : redactPair(pair)))
    .join('');
  return `${redactedPath}?${query}`;
}

const PAIR_SEPARATOR = /([&;?])/;
const PATH_PARAMETER = /;([^;/=]*)=([^;/]*)/g;

function redactPathParameter(parameter: string, rawName: string): string {
  const name = decodeComponent(rawName);
  return name !== null && !isSecretParameterName(name) ? parameter : `;${rawName}=${MASK}`;
}

/** One `name=value` of a query string or form. */
function redactPair(pair: string): string {
  const eq = pair.indexOf('=');
  const rawName = eq < 0 ? pair : pair.slice(0, eq);
  const name = decodeComponent(rawName);
  // A name that does not decode could hide anything: its value goes, or the whole pair.
  if (name === null) return eq < 0 ? MASK : `${rawName}=${MASK}`;
  if (isSecretParameterName(name)) return eq < 0 ? pair : `${rawName}=${MASK}`;
  if (eq < 0 || name.trim().toLowerCase() !== 'filter') return pair;
  const value = decodeComponent(pair.slice(eq + 1));
  if (value === null) return `${rawName}=${MASK}`;
  const masked = maskFilterValues(value);
  return masked === value ? pair : `${rawName}=${encodeURIComponent(masked)}`;
}

const FORM_NAME = /^[A-Za-z0-9_.~\-[\]%+*]*$/;

/**
 * An `application/x-www-form-urlencoded` body with secret fields masked. A body that is not a
 * well-formed form (a name with odd characters, an escape that does not decode) is masked whole:
 * there is no telling where its secrets are. Pairs end at `&` or `;`.
 */
export function redactForm(text: string): string {
  if (text === '') return text;
  const parts = text.split(FORM_SEPARATOR);
  for (let index = 0; index < parts.length; index += 2) {
    const pair = parts[index];
    const eq = pair.indexOf('=');
    const rawName = eq < 0 ? pair : pair.slice(0, eq);
    const name = FORM_NAME.test(rawName) ? decodeComponent(rawName) : null;
    if (name === null || (eq >= 0 && decodeComponent(pair.slice(eq + 1)) === null)) return MASK;
    parts[index] = redactPair(pair);
  }
  return parts.join('');
}

const FORM_SEPARATOR = /([&;])/;

/**
 * Comparisons in a SCIM filter: an attribute path, an operator and a value (quoted, JSON-escaped
 * quoted as in an error message inside a JSON body, or bare as Entra ID sends them).
 */
// The look-behind starts the attribute only where a token starts: without it every position of
// a long token would be tried again to its end (quadratic in the text).
const COMPARISON =
  /(?<![^\s()[\]"\\])([^\s()[\]"\\]+)(\s+)(eq|ne|co|sw|ew|gt|ge|lt|le)(\s+)(\\"(?:[^"\\]|\\[^"])*(?:\\"|$)|"(?:[^"\\]|\\.)*(?:"|$)|[^\s()[\]"\\]+)/gi;
const COMPARISON_HINT = /\s(eq|ne|co|sw|ew|gt|ge|lt|le)\s/i;

/**
 * A filter with the value masked wherever it is compared to a secret attribute
 * (`password eq "x"`, `urn:...:User:pwd sw "x"`, `credentials[value eq "x"]`), the rest as written.
 */
export function maskFilterValues(filter: string): string {
  if (!COMPARISON_HINT.test(filter)) return filter;
  return filter.replace(
    COMPARISON,
    (match, attribute: string, before: string, op: string, after: string, value: string, offset: number) => {
      const secret = isLoggedSecretPath(attribute) || isLoggedSecretPath(bracketOwner(filter, offset));
      if (!secret) return match;
      const quote = value.startsWith('\\"') ? '\\"' : value.startsWith('"') ? '"' : '';
      return `${attribute}${before}${op}${after}${quote}${MASK}${quote}`;
    },
  );
}

/** The attribute whose `[...]` filter encloses `offset` (`credentials` in `credentials[value eq "x"]`), or ''. */
function bracketOwner(filter: string, offset: number): string {
  // Looks back a bounded way: a text of many comparisons is not read again for each.
  const from = Math.max(0, offset - 4096);
  const window = filter.slice(from, offset);
  const open = from + window.lastIndexOf('[');
  if (open < from || from + window.lastIndexOf(']') > open) return '';
  let start = open;
  while (start > 0 && open - start < 512 && !' \t\r\n()[]"'.includes(filter[start - 1])) start--;
  return filter.slice(start, open);
}

function decodeComponent(text: string): string | null {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return null;
  }
}

/** SCIM PATCH operations sit at depth 2 (`{"Operations":[{...}]}`); deeper objects are treated conservatively. */
const MAX_PATCH_LOOKAHEAD_DEPTH = 8;
// A key may be JSON-escaped (`"p\u0061th"`): then every object is looked into.
const SECRET_PATH_HINT = /"path"\s*:\s*"|\\u/i;

/**
 * JSON text with the value under every secret-looking key masked (whatever its type, nested
 * objects and arrays included), and the `value` of every object whose `path` names a secret
 * attribute (SCIM PATCH). Lenient: text that is not valid JSON, or is cut short, is masked by
 * the same rules; an unterminated value under a secret key is masked to the end.
 */
export function redactJsonText(text: string): string {
  return new JsonRedactor(text).run();
}

class JsonRedactor {
  private readonly out: string[] = [];
  private pos = 0;
  private copiedTo = 0;
  /** Per open object: whether its `value` must be masked (its `path` names a secret). */
  private readonly objects: boolean[] = [];
  private readonly patchPaths: boolean;

  constructor(private readonly text: string) {
    this.patchPaths = SECRET_PATH_HINT.test(text);
  }

  run(): string {
    const { text } = this;
    while (this.pos < text.length) {
      const c = text[this.pos];
      if (c === '"') this.string();
      else if (c === '{') {
        this.objects.push(this.patchPaths && this.objectHasSecretPath(this.pos));
        this.pos++;
      } else if (c === '}') {
        this.objects.pop();
        this.pos++;
      } else this.pos++;
    }
    this.out.push(text.slice(this.copiedTo));
    return this.out.join('');
  }

  /** A string at `pos`: a key whose value must go, or anything else (left as it is). */
  private string(): void {
    const end = stringEnd(this.text, this.pos);
    const colon = skipWhitespace(this.text, end);
    if (this.text[colon] !== ':') {
      this.pos = end;
      return;
    }
    const key = decodeJsonString(this.text.slice(this.pos, end));
    const inPatchOp = this.objects.length > 0 && this.objects[this.objects.length - 1];
    const valueStart = skipWhitespace(this.text, colon + 1);
    if (key.toLowerCase() === 'filter' && this.text[valueStart] === '"') {
      this.filter(valueStart);
      return;
    }
    if (!isLoggedSecretName(key) && !(inPatchOp && key.toLowerCase() === 'value')) {
      this.pos = end;
      return;
    }
    const valueEnd = valueEndAt(this.text, valueStart);
    this.out.push(this.text.slice(this.copiedTo, valueStart), JSON.stringify(MASK));
    this.copiedTo = valueEnd;
    this.pos = valueEnd;
  }

  /** A `filter` string (a `.search` body): the values it compares secret attributes to are masked. */
  private filter(valueStart: number): void {
    const valueEnd = stringEnd(this.text, valueStart);
    const token = this.text.slice(valueStart, valueEnd);
    const filter = decodeJsonString(token);
    const masked = maskFilterValues(filter);
    if (masked !== filter) {
      this.out.push(this.text.slice(this.copiedTo, valueStart), JSON.stringify(masked));
      this.copiedTo = valueEnd;
    }
    this.pos = valueEnd;
  }

  /** Whether the object opening at `open` has a member `"path": "<secret attribute>"`. */
  private objectHasSecretPath(open: number): boolean {
    // Deeper than any PATCH operation: assume the worst rather than scan again at every level.
    if (this.objects.length >= MAX_PATCH_LOOKAHEAD_DEPTH) return true;
    const { text } = this;
    let depth = 0;
    for (let i = open + 1; i < text.length;) {
      const c = text[i];
      if (c === '"') {
        const end = stringEnd(text, i);
        const colon = skipWhitespace(text, end);
        if (depth === 0 && text[colon] === ':' && decodeJsonString(text.slice(i, end)).toLowerCase() === 'path') {
          const valueStart = skipWhitespace(text, colon + 1);
          if (text[valueStart] === '"') {
            const path = decodeJsonString(text.slice(valueStart, stringEnd(text, valueStart)));
            if (isLoggedSecretPath(path)) return true;
          }
        }
        i = end;
      } else {
        if (c === '{' || c === '[') depth++;
        else if (c === '}' || c === ']') {
          if (depth === 0) return false;
          depth--;
        }
        i++;
      }
    }
    return false;
  }
}

function skipWhitespace(text: string, from: number): number {
  let i = from;
  while (i < text.length && (text[i] === ' ' || text[i] === '\n' || text[i] === '\r' || text[i] === '\t')) i++;
  return i;
}

/** The index after the string opening at `open` (the text's end when it is unterminated). */
function stringEnd(text: string, open: number): number {
  for (let i = open + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i + 1;
  }
  return text.length;
}

/** The index after the value starting at `start`: a string, an object or array (brackets balanced), or a bare word. */
function valueEndAt(text: string, start: number): number {
  const first = text[start];
  if (first === '"') return stringEnd(text, start);
  if (first === '{' || first === '[') {
    let depth = 0;
    for (let i = start; i < text.length;) {
      const c = text[i];
      if (c === '"') {
        i = stringEnd(text, i);
        continue;
      }
      if (c === '{' || c === '[') depth++;
      else if (c === '}' || c === ']') {
        depth--;
        if (depth === 0) return i + 1;
      }
      i++;
    }
    return text.length;
  }
  let i = start;
  while (i < text.length && !',}] \n\r\t'.includes(text[i])) i++;
  return i;
}

function decodeJsonString(token: string): string {
  try {
    return JSON.parse(token) as string;
  } catch {
    return token.replace(/^"|"$/g, '');
  }
}

const NAME_VALUE = /(?<![\w.\-[\]%])([\w.\-[\]%]+)(\s*=\s*)([^&\s"'<>,;]*)/g;
// A credential has a digit or a base64 symbol somewhere: "Basic information" is left alone.
const AUTH_VALUE = /\b(Bearer|Basic)(\s+)(?=[A-Za-z.~]*[0-9\-_+/=])[A-Za-z0-9\-._~+/]+=*/gi;
const AUTH_WORD = /bearer|basic/i;
const JWT = /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;

/**
 * The catch-all for free text (a body that is neither JSON nor a form, an error message):
 * `name=value` pairs with a secret-looking name, `Bearer`/`Basic` credentials, JWTs and values a
 * filter compares secret attributes to (an error message quoting the filter) are masked.
 */
export function scrubText(text: string): string {
  // Each pattern needs a mark that a plain search finds far faster than the pattern itself.
  let scrubbed = text;
  if (scrubbed.includes('=')) {
    scrubbed = scrubbed.replace(NAME_VALUE, (pair, name: string, eq: string, value: string) =>
      value !== '' && isSecretParameterName(name) ? `${name}${eq}${MASK}` : pair,
    );
  }
  scrubbed = maskFilterValues(scrubbed);
  if (AUTH_WORD.test(scrubbed)) {
    scrubbed = scrubbed.replace(AUTH_VALUE, (_match, scheme: string, space: string) => `${scheme}${space}${MASK}`);
  }
  return scrubbed.includes('eyJ') ? scrubbed.replace(JWT, MASK) : scrubbed;
}

const FORM_TYPE = /^application\/x-www-form-urlencoded\b/i;

/** A body's text with its secrets masked, by its content type: forms field by field, anything else as JSON and free text. */
export function redactBody(text: string, contentType: string | undefined): string {
  if (FORM_TYPE.test(contentType ?? '')) return redactForm(text);
  return scrubText(redactJsonText(text));
}
