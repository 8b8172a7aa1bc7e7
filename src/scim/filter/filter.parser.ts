import { AttributePath, CompareOperator, Filter, FilterValue, PatchPath, ScimFilterError } from './filter.types';

// A scannerless recursive-descent parser for RFC 7644 §3.4.2.2 filters and §3.5.2 PATCH paths.
// It reads the text directly rather than through a token stream because what a "token" is depends
// on where we are: after an operator a bare word such as `john@x.com` or `a(b` is a value, while
// elsewhere `(` opens a group.

/** Longer input is refused before parsing: a filter is a query, not a document. */
export const MAX_FILTER_LENGTH = 10_000;
/** Deeper nesting of `(`, `not (` and `[` is refused, so recursion can never exhaust the stack. */
export const MAX_FILTER_DEPTH = 50;

const COMPARE_OPERATORS: ReadonlySet<string> = new Set<CompareOperator>([
  'eq',
  'ne',
  'co',
  'sw',
  'ew',
  'gt',
  'ge',
  'lt',
  'le',
]);
const OPERATOR_LIST = 'eq, ne, co, sw, ew, gt, ge, lt, le or pr';

/** Characters of an attribute token: names, sub-attribute dots, URN colons and URN version dots. */
const ATTR_TOKEN_CHAR = /[A-Za-z0-9_\-$:.]/;
/** ATTRNAME (RFC 7643 §2.1) plus `$`, for `$ref`. */
const ATTR_NAME = /^[A-Za-z$][A-Za-z0-9_\-$]*$/;
/** A schema URN: `urn:` and at least one more non-empty segment. */
const SCHEMA_URN = /^urn(:[^:]+)+$/i;
const JSON_NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;
const INTEGER_LITERAL = /^-?\d+$/;

/** Parses a `filter` query parameter (or the body of a value path) into a Filter. Throws ScimFilterError. */
export function parseFilter(text: string): Filter {
  const parser = new Parser(text, 'filter');
  parser.skipWhitespace();
  if (parser.atEnd()) throw new ScimFilterError('Invalid filter: the filter is empty');
  const filter = parser.parseOr(false);
  parser.expectEnd("'and', 'or' or the end of the filter");
  return filter;
}

/** Parses a PATCH operation's `path`: `attrPath` or `attrPath[valFilter]` with an optional `.subAttr`. */
export function parsePatchPath(text: string): PatchPath {
  const parser = new Parser(text, 'path');
  parser.skipWhitespace();
  if (parser.atEnd()) throw new ScimFilterError('Invalid path: the path is empty');
  const path = parser.parseAttrPath();
  if (!parser.peek('[')) {
    parser.expectEnd("'[' or the end of the path");
    return { path };
  }
  const filter = parser.parseValueFilter(path);
  const subAttr = parser.peek('.') ? parser.parseSubAttr() : undefined;
  parser.expectEnd(subAttr === undefined ? "'.' or the end of the path" : 'the end of the path');
  return subAttr === undefined ? { path, filter } : { path, filter, subAttr };
}

class Parser {
  private pos = 0;
  private depth = 0;

  constructor(
    private readonly text: string,
    /** `filter` or `path`: names the kind of input in error messages. */
    private readonly what: string,
  ) {
    // Query parameters arrive untyped: a repeated `filter=` is an array, not a string.
    if (typeof text !== 'string') throw new ScimFilterError(`Invalid ${what}: expected a string`);
    if (text.length > MAX_FILTER_LENGTH) {
      throw new ScimFilterError(
        `Invalid ${what}: ${text.length} characters is longer than the maximum of ${MAX_FILTER_LENGTH}`,
      );
    }
  }

  // ---- logical structure --------------------------------------------------------------------

  /** orExpr = andExpr *("or" andExpr). Iterative, so long chains cost no stack. */
  parseOr(inBrackets: boolean): Filter {
    let left = this.parseAnd(inBrackets);
    while (this.acceptKeyword('or')) {
      left = { kind: 'logical', op: 'or', left, right: this.parseAnd(inBrackets) };
    }
    return left;
  }

  /** andExpr = unary *("and" unary): `and` binds tighter than `or`. */
  private parseAnd(inBrackets: boolean): Filter {
    let left = this.parseUnary(inBrackets);
    while (this.acceptKeyword('and')) {
      left = { kind: 'logical', op: 'and', left, right: this.parseUnary(inBrackets) };
    }
    return left;
  }

  /** unary = "not" "(" filter ")" / "(" filter ")" / attrExp / valuePath. */
  private parseUnary(inBrackets: boolean): Filter {
    this.skipWhitespace();
    if (this.peek('(')) return this.parseGroup(inBrackets);
    if (this.atNot()) {
      this.pos += 3;
      this.skipWhitespace();
      return { kind: 'not', filter: this.parseGroup(inBrackets) };
    }
    return this.parseAttrExpression(inBrackets);
  }

  private parseGroup(inBrackets: boolean): Filter {
    this.expectChar('(');
    this.enter();
    const inner = this.parseOr(inBrackets);
    this.skipWhitespace();
    this.expectChar(')');
    this.depth--;
    return inner;
  }

  /**
   * `not` starts a negation only when a `(` follows; otherwise it may be an attribute that happens
   * to be called `not` (`not eq 1`). Anything else is the RFC-forbidden `not x eq 1`.
   */
  private atNot(): boolean {
    const word = this.wordAt(this.pos);
    if (word.toLowerCase() !== 'not') return false;
    const charAfter = this.text[this.pos + 3];
    if (charAfter !== undefined && ATTR_TOKEN_CHAR.test(charAfter)) return false; // `note`, `not_x`
    const after = this.skipWhitespaceFrom(this.pos + 3);
    if (this.text[after] === '(') return true;
    const next = this.wordAt(after).toLowerCase();
    // `not [x pr]` is a value path on an attribute called `not`, as `emails [x pr]` is one on `emails`.
    if (next === 'pr' || COMPARE_OPERATORS.has(next) || this.text[after] === '[') return false;
    throw this.error("'(' after 'not' (the RFC requires parentheses: not (filter))", after);
  }

  /** attrExp = attrPath "pr" / attrPath compareOp compValue; valuePath = attrPath "[" valFilter "]". */
  private parseAttrExpression(inBrackets: boolean): Filter {
    const path = this.parseAttrPath();
    this.skipWhitespace();
    if (this.peek('[')) {
      if (inBrackets) throw this.error('a comparison (a value filter cannot contain another "[")');
      return { kind: 'valuePath', path, filter: this.parseValueFilter(path) };
    }
    const operatorAt = this.pos;
    const operator = this.readOperatorWord();
    if (operator === 'pr') return { kind: 'present', path };
    if (!COMPARE_OPERATORS.has(operator)) {
      throw this.error(`an operator (${OPERATOR_LIST})`, operatorAt);
    }
    this.skipWhitespace();
    const { value, quoted } = this.parseValue(operator);
    return { kind: 'compare', op: operator as CompareOperator, path, value, quoted };
  }

  /** "[" valFilter "]" after the attribute `path`; the paths inside stay relative to one element. */
  parseValueFilter(path: AttributePath): Filter {
    if (path.subAttr !== undefined) {
      throw this.error(`'[' after the attribute name '${path.name}', not after its sub-attribute '${path.subAttr}'`);
    }
    this.expectChar('[');
    this.enter();
    this.skipWhitespace();
    if (this.peek(']')) throw this.error('a filter inside "[...]"');
    const filter = this.parseOr(true);
    this.skipWhitespace();
    this.expectChar(']');
    this.depth--;
    return filter;
  }

  // ---- attribute paths ----------------------------------------------------------------------

  /** attrPath = [URI ":"] ATTRNAME *1subAttr, case kept as written. */
  parseAttrPath(): AttributePath {
    const start = this.pos;
    while (this.pos < this.text.length && ATTR_TOKEN_CHAR.test(this.text[this.pos])) this.pos++;
    const token = this.text.slice(start, this.pos);
    if (token === '') throw this.error('an attribute name', start);

    let uri: string | undefined;
    let rest = token;
    if (/^urn:/i.test(token)) {
      // The URN's own segments contain colons and dots (`...:2.0:User`): only the last colon ends it.
      const lastColon = token.lastIndexOf(':');
      uri = token.slice(0, lastColon);
      rest = token.slice(lastColon + 1);
      if (!SCHEMA_URN.test(uri)) throw this.error('a schema URN followed by ":" and an attribute name', start);
    } else if (token.includes(':')) {
      throw this.error('an attribute name (only a "urn:" schema prefix may contain ":")', start + token.indexOf(':'));
    }

    const restAt = start + token.length - rest.length;
    const [name, subAttr, ...extra] = rest.split('.');
    if (!ATTR_NAME.test(name)) throw this.error('an attribute name', restAt);
    if (subAttr === undefined) return uri === undefined ? { name } : { uri, name };
    if (!ATTR_NAME.test(subAttr) || extra.length > 0) {
      throw this.error('one sub-attribute name after "."', restAt + name.length + 1);
    }
    return uri === undefined ? { name, subAttr } : { uri, name, subAttr };
  }

  /** "." subAttr after a PATCH path's value filter. */
  parseSubAttr(): string {
    this.expectChar('.');
    const start = this.pos;
    while (this.pos < this.text.length && /[A-Za-z0-9_\-$]/.test(this.text[this.pos])) this.pos++;
    const name = this.text.slice(start, this.pos);
    if (!ATTR_NAME.test(name)) throw this.error('a sub-attribute name', start);
    return name;
  }

  // ---- operators and values -----------------------------------------------------------------

  /** The operator word, lower-cased; it must end where the value (or the expression) begins. */
  private readOperatorWord(): string {
    const start = this.pos;
    const word = this.wordAt(start);
    const end = start + word.length;
    const next = this.text[end];
    if (word === '' || !(next === undefined || next === '"' || next === ')' || next === ']' || /\s/.test(next))) {
      throw this.error(`an operator (${OPERATOR_LIST})`, start);
    }
    this.pos = end;
    return word.toLowerCase();
  }

  /** compValue: a JSON string, true/false/null, a JSON number, or (leniently) any bare word. */
  private parseValue(operator: string): { value: FilterValue; quoted: boolean } {
    if (this.peek('"')) return { value: this.parseJsonString(), quoted: true };
    const start = this.pos;
    while (this.pos < this.text.length && !/[\s)\]]/.test(this.text[this.pos])) this.pos++;
    const word = this.text.slice(start, this.pos);
    if (word === '') throw this.error(`a value after '${operator}'`, start);
    return { value: bareWordValue(word), quoted: false };
  }

  private parseJsonString(): string {
    const start = this.pos;
    let end = start + 1;
    while (end < this.text.length && this.text[end] !== '"') end += this.text[end] === '\\' ? 2 : 1;
    if (end >= this.text.length) throw this.error(`a closing '"' for the string that starts at position ${start + 1}`);
    this.pos = end + 1;
    try {
      return JSON.parse(this.text.slice(start, end + 1)) as string;
    } catch {
      throw this.error('a valid JSON string (check the escapes: \\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)', start);
    }
  }

  // ---- scanning helpers ---------------------------------------------------------------------

  /** Consumes `and`/`or` (any case) if it comes next as a whole word. */
  private acceptKeyword(keyword: 'and' | 'or'): boolean {
    const at = this.skipWhitespaceFrom(this.pos);
    const word = this.wordAt(at);
    if (word.toLowerCase() !== keyword) return false;
    const next = this.text[at + word.length];
    if (next !== undefined && ATTR_TOKEN_CHAR.test(next)) return false;
    this.pos = at + word.length;
    return true;
  }

  private enter(): void {
    this.depth++;
    if (this.depth > MAX_FILTER_DEPTH) {
      throw new ScimFilterError(
        `Invalid ${this.what}: nesting deeper than ${MAX_FILTER_DEPTH} levels at position ${this.pos + 1}`,
      );
    }
  }

  private wordAt(at: number): string {
    return /^[A-Za-z]*/.exec(this.text.slice(at, at + 64))?.[0] ?? '';
  }

  skipWhitespace(): void {
    this.pos = this.skipWhitespaceFrom(this.pos);
  }

  private skipWhitespaceFrom(at: number): number {
    while (at < this.text.length && /\s/.test(this.text[at])) at++;
    return at;
  }

  atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  peek(char: string): boolean {
    return this.text[this.pos] === char;
  }

  private expectChar(char: string): void {
    if (!this.peek(char)) throw this.error(`'${char}'`);
    this.pos++;
  }

  expectEnd(expected: string): void {
    this.skipWhitespace();
    if (!this.atEnd()) throw this.error(expected);
  }

  /** "Invalid filter: expected X at position N, found 'Y'" with a 1-based position. */
  private error(expected: string, at = this.pos): ScimFilterError {
    const found = at >= this.text.length ? 'the end of the input' : `'${this.text.slice(at, at + 20)}'`;
    return new ScimFilterError(`Invalid ${this.what}: expected ${expected} at position ${at + 1}, found ${found}`);
  }
}

/**
 * Types a bare word: true/false/null in any case, a JSON number, else the word itself as a string
 * (`externalId eq jyoung`). An integer too large for a double stays a string so no digit is lost,
 * and so does a number beyond a double's range (`1e400`, `1e-400`), which would read as Infinity or 0.
 */
function bareWordValue(word: string): FilterValue {
  const lower = word.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  if (lower === 'null') return null;
  if (!JSON_NUMBER.test(word)) return word;
  const number = Number(word);
  if (INTEGER_LITERAL.test(word) && !Number.isSafeInteger(number)) return word;
  const underflow = number === 0 && /[1-9]/.test(word.split(/[eE]/)[0]);
  return Number.isFinite(number) && !underflow ? number : word;
}
