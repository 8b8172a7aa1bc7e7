/*
 * The one rule for what counts as a secret by its name. The directory drops such values at every
 * door (SCIM, partner sync, provisioning items) before anything is validated or stored, and the
 * request log masks them (with wider names of its own for headers and query parameters).
 *
 * Names are judged by their words, not by substrings: `passport`, `pinned` or `secretary` are not
 * secrets, while `userPassword`, `client_secret`, `x-api-key` and `PIN` are. The rule errs on the
 * side of dropping: an attribute lost is a nuisance, a password kept is a breach.
 */

/** A word that makes a name secret by itself (`pwd`, `clientSecret`, `pin_code`). */
const SECRET_WORDS = new Set([
  'password',
  'passwords',
  'passwd',
  'pwd',
  'pass',
  'passcode',
  'passphrase',
  'secret',
  'secrets',
  'token',
  'tokens',
  'credential',
  'credentials',
  'pin',
  'otp',
  'totp',
  'hotp',
  'apikey',
  'privatekey',
  'signingkey',
]);
/** Two words that together name a secret (`private_key`, `apiKey`, `Signing-Key`). */
const SECRET_PAIRS = new Set(['private key', 'private keys', 'api key', 'api keys', 'signing key', 'signing keys']);
/**
 * Endings that make a glued, one-case word secret (`userpassword`, `clientsecret`, `apitokens`):
 * only at the end, so `secretary` and `tokenizer` are left alone.
 */
const GLUED_ENDINGS = [
  'password',
  'passwd',
  'pwd',
  'passcode',
  'passphrase',
  'secret',
  'token',
  'credential',
  'apikey',
  'privatekey',
  'signingkey',
];
/** What a glued word may carry after its secret (`passwordhash`, `secretkey`). */
const GLUED_TAILS = new Set(['', 's', 'hash', 'digest', 'salt', 'value', 'values', 'key', 'keys', 'data']);
/**
 * A word after a secret word that makes the name describe the secret rather than hold it:
 * `tokenType`, `credentialId`, `password_expires_at`.
 */
const QUALIFIERS = new Set([
  'type',
  'types',
  'id',
  'ids',
  'kind',
  'expiry',
  'expires',
  'expiration',
  'ttl',
  'lifetime',
  'url',
  'uri',
  'endpoint',
  'policy',
  'length',
  'format',
  'count',
  'last',
  'changed',
  'updated',
  'created',
  'required',
]);

/**
 * A name decoded the ways a client may hide it: JSON `\u0061` escapes, URL `%61` escapes,
 * compatibility forms (`ｐａｓｓｗｏｒｄ`) and invisible format characters (`pass\u200Bword`).
 */
export function decodeName(name: string): string {
  let text = name;
  if (text.includes('\\')) {
    text = text.replace(/\\u([0-9a-fA-F]{4})/g, (_match, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  }
  if (text.includes('%')) {
    try {
      text = decodeURIComponent(text);
    } catch {
      // Not URL-encoded after all: judged as written.
    }
  }
  return text.normalize('NFKC').replace(/\p{Cf}/gu, '');
}

/** The lower-case words of a name: camelCase, PascalCase, ACRONYMWords, snake_case, kebab-case, dots, digits. */
export function nameWords(name: string): string[] {
  return (
    decodeName(name)
      .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
      // A lookahead, not `([A-Z]+)([A-Z][a-z])`: that backtracks over a long upper-case run (quadratic).
      .replace(/([A-Z])(?=[A-Z][a-z])/g, '$1 ')
      .replace(/([A-Za-z])([0-9])/g, '$1 $2')
      .replace(/([0-9])([A-Za-z])/g, '$1 $2')
      .toLowerCase()
      .split(/[^a-z0-9]+/)
      .filter((word) => word !== '')
  );
}

/** Whether a word, standing where it stands, says "secret". Exported for the request log's wider rule. */
export function secretWordAt(words: readonly string[], index: number): boolean {
  const word = words[index];
  const next = words[index + 1];
  if (next !== undefined && SECRET_PAIRS.has(`${word} ${next}`)) {
    return !QUALIFIERS.has(words[index + 2] ?? '');
  }
  if (SECRET_WORDS.has(word)) return next === undefined || !QUALIFIERS.has(next);
  if (!GLUED_ENDINGS.some((ending) => gluedSecret(word, ending))) return false;
  return next === undefined || !QUALIFIERS.has(next);
}

function gluedSecret(word: string, ending: string): boolean {
  const at = word.indexOf(ending);
  return at >= 0 && GLUED_TAILS.has(word.slice(at + ending.length));
}

const MAX_REMEMBERED = 10_000;
/** Longer names are judged every time: the memory stays small whatever a client sends. */
const MAX_REMEMBERED_LENGTH = 200;

/**
 * A name rule that remembers its verdicts: every stored document and every logged body asks about
 * the same few names again and again. A client inventing endless names only costs the judging again.
 */
export function remembered(rule: (name: string) => boolean): (name: string) => boolean {
  const known = new Map<string, boolean>();
  return (name) => {
    const cached = known.get(name);
    if (cached !== undefined) return cached;
    const verdict = rule(name);
    if (name.length > MAX_REMEMBERED_LENGTH) return verdict;
    if (known.size >= MAX_REMEMBERED) known.clear();
    known.set(name, verdict);
    return verdict;
  };
}

/** Whether a name (an attribute, a JSON key, a field) holds a secret, by its words. */
export const isSecretName = remembered((name) => {
  const words = nameWords(name);
  return words.some((_word, index) => secretWordAt(words, index));
});

/**
 * Whether an attribute path names a secret: `password`, `name.password`, `password.value`,
 * `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:pwd`, `x.credentials[type eq "a"].value`.
 * A URN's own segments (`...:2.0:User`) are not attribute names; only what follows the last `:` is.
 * `isSecret` widens the rule for the request log.
 */
export function isSecretPath(path: string, isSecret: (name: string) => boolean = isSecretName): boolean {
  let rule = pathRules.get(isSecret);
  if (!rule) pathRules.set(isSecret, (rule = remembered((text) => judgePath(text, isSecret))));
  return rule(path);
}

const pathRules = new WeakMap<(name: string) => boolean, (path: string) => boolean>();

function judgePath(path: string, isSecret: (name: string) => boolean): boolean {
  const decoded = decodeName(path);
  const attribute = decoded.replace(/\[[^\]]*\]?/g, '');
  const colon = attribute.lastIndexOf(':');
  const tail = /^urn:/i.test(attribute) && colon >= 0 ? attribute.slice(colon + 1) : attribute;
  return tail.split(/[.:]/).some((segment) => segment !== '' && isSecret(segment));
}

/**
 * A JSON value with every member under a secret-looking key removed, at any depth (arrays
 * included). Iterative, so no body is deep enough to overflow the stack; the input is not changed.
 * Keys are judged as paths, so `urn:acme:...:User:clientSecret` and `sso.clientSecret` go too.
 */
export function withoutSecrets<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  const root: unknown = Array.isArray(value) ? [] : {};
  const work: [source: object, target: Record<string, unknown> | unknown[]][] = [
    [value, root as Record<string, unknown>],
  ];
  while (work.length > 0) {
    const [source, target] = work.pop()!;
    const entries = Array.isArray(source) ? source.entries() : Object.entries(source);
    for (const [key, item] of entries) {
      if (!Array.isArray(source) && isSecretPath(String(key))) continue;
      let copy: unknown = item;
      if (typeof item === 'object' && item !== null) {
        copy = Array.isArray(item) ? [] : {};
        work.push([item, copy as Record<string, unknown>]);
      }
      if (Array.isArray(target)) target.push(copy);
      else defineMember(target, String(key), copy);
    }
  }
  return root as T;
}

/** `__proto__` sent as a JSON key is data, not a prototype to replace. */
function defineMember(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else target[key] = value;
}
