/*
 * Masks every secret a request or its answer may carry, before a log row exists. Pure functions:
 * the capture middleware runs them on what it saw; nothing unmasked reaches the buffer.
 *
 * JSON is masked by a lenient scanner over the text rather than by parse-and-serialise, so a body
 * that is not valid JSON (a client's syntax error, or a body cut at the size limit) is masked by
 * the same rules, the stored text keeps the client's formatting, and the work is bounded by the
 * stored prefix whatever the size of the body.
 */

/** What replaces a secret wherever one is found. */
export const MASK = '[REDACTED]';

/** Name fragments (lower-case, without separators) that make a header, field or parameter secret. */
const SECRET_FRAGMENTS = [
  'password',
  'passwd',
  'passphrase',
  'secret',
  'token',
  'apikey',
  'authorization',
  'credential',
  'privatekey',
  'assertion',
  'cookie',
  'sessionid',
];
const SECRET_NAMES = new Set(['pwd', 'jwt', 'auth', 'otp']);
/** Names that contain a fragment above but never hold a secret. */
const NOT_SECRET = new Set(['credentialid', 'tokentype']);

/** Whether a header, JSON key, form field or query parameter name holds a secret (any case, any separator). */
export function isSecretName(name: string): boolean {
  const normalised = name.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (NOT_SECRET.has(normalised)) return false;
  return SECRET_NAMES.has(normalised) || SECRET_FRAGMENTS.some((fragment) => normalised.includes(fragment));
}

/**
 * Whether a SCIM PATCH `path` names a secret attribute: `password`,
 * `urn:ietf:params:scim:schemas:core:2.0:User:password`, `x.credentials[type eq "a"].value`...
 */
export function isSecretPath(path: string): boolean {
  return path
    .replace(/\[[^\]]*\]?/g, '')
    .split(/[:.]/)
    .some((segment) => segment !== '' && isSecretName(segment));
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
    if (!isSecretName(lower)) redacted[lower] = text;
    else {
      const scheme = AUTH_SCHEME.exec(text);
      redacted[lower] = scheme ? `${scheme[1]} ${MASK}` : MASK;
    }
  }
  return redacted;
}

/** A path with its query string; values of secret-looking parameters masked, the rest left as sent. */
export function redactUrl(url: string): string {
  const mark = url.indexOf('?');
  if (mark < 0) return url;
  const query = url
    .slice(mark + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const rawName = eq < 0 ? pair : pair.slice(0, eq);
      const name = decodeComponent(rawName);
      if (name !== null && !isSecretName(name)) return pair;
      // A name that does not decode could hide anything: its value goes, or the whole pair.
      if (eq < 0) return name === null ? MASK : pair;
      return `${rawName}=${MASK}`;
    })
    .join('&');
  return `${url.slice(0, mark)}?${query}`;
}

const FORM_NAME = /^[A-Za-z0-9_.~\-[\]%+*]*$/;

/**
 * An `application/x-www-form-urlencoded` body with secret fields masked. A body that is not a
 * well-formed form (a name with odd characters, an escape that does not decode) is masked whole:
 * there is no telling where its secrets are.
 */
export function redactForm(text: string): string {
  if (text === '') return text;
  const pairs: string[] = [];
  for (const pair of text.split('&')) {
    const eq = pair.indexOf('=');
    const rawName = eq < 0 ? pair : pair.slice(0, eq);
    const name = FORM_NAME.test(rawName) ? decodeComponent(rawName) : null;
    if (name === null || (eq >= 0 && decodeComponent(pair.slice(eq + 1)) === null)) return MASK;
    pairs.push(isSecretName(name) ? `${rawName}=${MASK}` : pair);
  }
  return pairs.join('&');
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
const SECRET_PATH_HINT = /"path"\s*:\s*"/i;

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
    if (!isSecretName(key) && !(inPatchOp && key.toLowerCase() === 'value')) {
      this.pos = end;
      return;
    }
    const valueStart = skipWhitespace(this.text, colon + 1);
    const valueEnd = valueEndAt(this.text, valueStart);
    this.out.push(this.text.slice(this.copiedTo, valueStart), JSON.stringify(MASK));
    this.copiedTo = valueEnd;
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
            if (isSecretPath(path)) return true;
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

const NAME_VALUE = /([\w.\-[\]%]+)(\s*=\s*)([^&\s"'<>,;]*)/g;
// A credential has a digit or a base64 symbol somewhere: "Basic information" is left alone.
const AUTH_VALUE = /\b(Bearer|Basic)(\s+)(?=[A-Za-z.~]*[0-9\-_+/=])[A-Za-z0-9\-._~+/]+=*/gi;
const AUTH_WORD = /bearer|basic/i;
const JWT = /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;

/**
 * The catch-all for free text (a body that is neither JSON nor a form, an error message):
 * `name=value` pairs with a secret-looking name, `Bearer`/`Basic` credentials and JWTs are masked.
 */
export function scrubText(text: string): string {
  // Each pattern needs a mark that a plain search finds far faster than the pattern itself.
  let scrubbed = text;
  if (scrubbed.includes('=')) {
    scrubbed = scrubbed.replace(NAME_VALUE, (pair, name: string, eq: string, value: string) =>
      value !== '' && isSecretName(name) ? `${name}${eq}${MASK}` : pair,
    );
  }
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
