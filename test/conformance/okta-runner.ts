import assert from 'node:assert';
import { randomBytes, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as vm from 'node:vm';
import { bodySnippet, ConformanceFailure, SuiteRun } from './conformance-result';

/**
 * A runner for Runscope (BlazeMeter API monitoring) test exports, as far as Okta's "SCIM 2.0 SPEC
 * Test" needs: request steps in order with `{{variable}}` substitution, their assertions and
 * variable extractions, and their scripts; pauses are skipped (they exist for Okta's hosted runner).
 * Anything else in a step (other step kinds, auth helpers, forms, before-scripts, an unknown
 * source or comparison) stops the run with an error rather than being passed over.
 */

export interface RunscopeAssertion {
  source: string;
  comparison: string;
  property?: string | null;
  value: string | null;
}

interface RunscopeVariable {
  source: string;
  name: string;
  property?: string | null;
}

interface RunscopeRequestStep {
  step_type: 'request';
  skipped?: boolean;
  note?: string;
  method: string;
  url: string;
  headers?: Record<string, string[]>;
  body?: string | null;
  auth?: Record<string, unknown>;
  form?: Record<string, unknown>;
  multipart_form?: unknown[];
  binary_body?: unknown;
  assertions?: RunscopeAssertion[];
  variables?: RunscopeVariable[];
  scripts?: string[];
  before_scripts?: string[];
}

interface RunscopeStep {
  step_type: string;
  skipped?: boolean;
}

export interface RunscopeTest {
  name: string;
  steps: RunscopeStep[];
}

/** What an assertion or a variable reads from. */
export interface CapturedResponse {
  status: number;
  headers: Headers;
  text: string;
  timeMs: number;
}

const isRequest = (step: RunscopeStep): step is RunscopeRequestStep => step.step_type === 'request';
const nonEmptyScripts = (scripts: string[] | undefined): string[] => (scripts ?? []).filter((script) => script.trim());

/** What the file holds: the request steps that run, and their assertions. */
export function countOktaSuite(test: RunscopeTest): { requests: number; assertions: number; scripts: number } {
  const requests = test.steps.filter((step) => !step.skipped && isRequest(step)) as RunscopeRequestStep[];
  return {
    requests: requests.length,
    assertions: requests.reduce((sum, step) => sum + (step.assertions?.length ?? 0), 0),
    scripts: requests.reduce((sum, step) => sum + nonEmptyScripts(step.scripts).length, 0),
  };
}

/** `{{name}}` from the run's variables; a name the run never defined is a runner error. */
export function substitute(template: string, variables: Record<string, string>, where: string): string {
  return template.replace(/\{\{\s*([\w.-]+)\s*\}\}/g, (_, name: string) => {
    if (!(name in variables)) throw new Error(`Okta suite: ${where} uses {{${name}}}, which the run does not define`);
    return variables[name];
  });
}

/** A Runscope JSON property path: `Resources[0].name.familyName`; empty means the whole body. */
export function readProperty(json: unknown, property: string | null | undefined): unknown {
  if (!property) return json;
  let current: unknown = json;
  for (const part of property.split('.')) {
    const match = /^([^[\]]*)((?:\[\d+\])*)$/.exec(part);
    if (!match) return undefined;
    const [, key, indexes] = match;
    if (key)
      current = current !== null && typeof current === 'object' ? (current as Record<string, unknown>)[key] : undefined;
    for (const index of indexes.match(/\d+/g) ?? []) {
      current = Array.isArray(current) ? current[Number(index)] : undefined;
    }
    if (current === undefined) return undefined;
  }
  return current;
}

/** Runscope compares as text: JSON `true` equals "true", `0` equals "0". */
const asText = (value: unknown): string | undefined =>
  value === undefined ? undefined : typeof value === 'string' ? value : JSON.stringify(value);

const isEmpty = (value: unknown): boolean =>
  value === undefined ||
  value === null ||
  value === '' ||
  (Array.isArray(value) && value.length === 0) ||
  (typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 0);

/** A JSON number, or text that is one; anything else (including "") is NaN, which no comparison accepts. */
const asNumber = (value: unknown): number =>
  typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;

/**
 * Whether an array or object holds a value. The Okta suite applies `has_value` once to a whole
 * error body (property "") for a URN that sits in its `schemas` array, so nested values count.
 */
function holdsValue(container: unknown, expected: string): boolean {
  const entries = Array.isArray(container)
    ? container
    : container !== null && typeof container === 'object'
      ? Object.values(container)
      : [];
  return entries.some((entry) => asText(entry) === expected || holdsValue(entry, expected));
}

/** One Runscope comparison; `expected` has had its variables substituted. */
export function compare(comparison: string, actual: unknown, expected: string | null): boolean {
  const text = asText(actual);
  const want = expected ?? '';
  switch (comparison) {
    case 'equal':
      return text !== undefined && text === want;
    case 'not_equal':
      return text !== want;
    case 'empty':
      return isEmpty(actual);
    case 'not_empty':
      return !isEmpty(actual);
    case 'contains':
      if (Array.isArray(actual)) return actual.some((entry) => asText(entry) === want);
      return text !== undefined && text.includes(want);
    case 'does_not_contain':
      return !compare('contains', actual, expected);
    // Strict: a JSON number (RFC 7644's integers), not a numeric string.
    case 'is_a_number':
      return typeof actual === 'number' && Number.isFinite(actual);
    case 'equal_number':
      return asNumber(actual) === Number(want);
    case 'is_less_than':
      return asNumber(actual) < Number(want);
    case 'is_less_than_or_equal':
      return asNumber(actual) <= Number(want);
    case 'is_greater_than':
      return asNumber(actual) > Number(want);
    case 'is_greater_than_or_equal':
      return asNumber(actual) >= Number(want);
    case 'has_key':
      return actual !== null && typeof actual === 'object' && Object.prototype.hasOwnProperty.call(actual, want);
    case 'has_value':
      return holdsValue(actual, want);
    case 'is_null':
      return actual === null;
    default:
      throw new Error(`Okta suite: the comparison "${comparison}" is not supported by this runner`);
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The value a Runscope source and property name in a response. */
export function readSource(response: CapturedResponse, source: string, property: string | null | undefined): unknown {
  switch (source) {
    case 'response_status':
      return response.status;
    case 'response_time':
      return response.timeMs;
    case 'response_size':
      return Buffer.byteLength(response.text);
    case 'response_text':
      return response.text;
    case 'response_headers':
      return response.headers.get(property ?? '') ?? undefined;
    case 'response_json':
      return readProperty(parseJson(response.text), property);
    default:
      throw new Error(`Okta suite: the assertion source "${source}" is not supported by this runner`);
  }
}

/** How an assertion is named in failures and deviations: as written in the suite, before substitution. */
export const assertionName = (assertion: RunscopeAssertion): string =>
  [
    assertion.source,
    assertion.source === 'response_json' ? (assertion.property ? assertion.property : '(body)') : assertion.property,
    assertion.comparison,
    assertion.value,
  ]
    .filter((part) => part !== null && part !== undefined && part !== '')
    .join(' ');

function checkSupported(step: RunscopeRequestStep, where: string): void {
  const unsupported = [
    step.auth && Object.keys(step.auth).length > 0 && 'auth',
    step.form && Object.keys(step.form).length > 0 && 'form',
    step.multipart_form && step.multipart_form.length > 0 && 'multipart_form',
    step.binary_body && 'binary_body',
    nonEmptyScripts(step.before_scripts).length > 0 && 'before_scripts',
  ].filter(Boolean);
  if (unsupported.length)
    throw new Error(`Okta suite: ${where} uses ${unsupported.join(', ')}, unsupported by this runner`);
}

async function send(
  step: RunscopeRequestStep,
  variables: Record<string, string>,
  where: string,
): Promise<CapturedResponse> {
  const headers = new Headers();
  for (const [name, values] of Object.entries(step.headers ?? {})) {
    headers.set(name, substitute(values.join(', '), variables, where));
  }
  // WHATWG URL parsing percent-encodes what the suite writes raw (`filter=userName eq "x"`).
  const url = new URL(substitute(step.url, variables, where));
  const body = step.body ? substitute(step.body, variables, where) : undefined;
  const started = performance.now();
  const response = await fetch(url, { method: step.method, headers, body, signal: AbortSignal.timeout(10_000) });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, timeMs: performance.now() - started };
}

/** Runscope scripts: `response`, `assert` (chai's assert API; node's covers what the suite calls), `log`, `variables`. */
function runScript(source: string, response: CapturedResponse, variables: Record<string, string>): void {
  const context = vm.createContext({
    response: {
      status: response.status,
      body: response.text,
      headers: Object.fromEntries(response.headers.entries()),
      response_time: response.timeMs,
    },
    assert,
    log: (): void => undefined,
    variables: {
      get: (name: string): string | undefined => variables[name],
      set: (name: string, value: unknown): void => {
        variables[name] = asText(value) ?? '';
      },
    },
  });
  new vm.Script(source).runInContext(context, { timeout: 5_000 });
}

/**
 * Runs the suite; `variables` are the run's initial ones (SCIMBaseURL, auth, the generated values).
 * Failed assertions are collected, not thrown; the variables end up holding what steps extracted.
 */
export async function runOktaSuite(
  file: string,
  variables: Record<string, string>,
): Promise<SuiteRun & { scripts: number }> {
  const test = JSON.parse(fs.readFileSync(file, 'utf8')) as RunscopeTest;
  const failures: ConformanceFailure[] = [];
  let requests = 0;
  let assertions = 0;
  let scripts = 0;
  for (const [index, step] of test.steps.entries()) {
    if (step.skipped || step.step_type === 'pause') continue;
    if (!isRequest(step))
      throw new Error(`Okta suite: step ${index + 1} is a "${step.step_type}" step, unsupported by this runner`);
    const request = step.note?.trim() || `${step.method} ${step.url}`;
    const where = `step ${index + 1} ("${request}")`;
    checkSupported(step, where);

    requests += 1;
    let response: CapturedResponse;
    try {
      response = await send(step, variables, where);
    } catch (error) {
      if (error instanceof Error && error.message.startsWith('Okta suite:')) throw error;
      const message = error instanceof Error ? error.message : String(error);
      failures.push({ suite: 'okta', request, assertion: '(request)', detail: message });
      response = { status: 0, headers: new Headers(), text: '', timeMs: 0 };
    }
    const answered = response.status ? `HTTP ${response.status} ${bodySnippet(response.text)}`.trim() : 'no response';

    for (const assertion of step.assertions ?? []) {
      assertions += 1;
      const actual = readSource(response, assertion.source, assertion.property);
      const expected = assertion.value === null ? null : substitute(assertion.value, variables, where);
      if (!compare(assertion.comparison, actual, expected)) {
        const got =
          assertion.source === 'response_time' ? `${Math.round(response.timeMs)} ms` : (asText(actual) ?? 'nothing');
        const wanted = expected === null ? '' : ` ${JSON.stringify(expected)}`;
        failures.push({
          suite: 'okta',
          request,
          assertion: assertionName(assertion),
          detail: `expected ${assertion.comparison}${wanted}, got ${got} [${answered}]`,
        });
      }
    }
    for (const variable of step.variables ?? []) {
      variables[variable.name] = asText(readSource(response, variable.source, variable.property)) ?? '';
    }
    for (const script of nonEmptyScripts(step.scripts)) {
      scripts += 1;
      try {
        runScript(script, response, variables);
      } catch (error) {
        const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        failures.push({ suite: 'okta', request, assertion: '(script)', detail: `${message} [${answered}]` });
      }
    }
  }
  const expected = countOktaSuite(test);
  return {
    suite: 'okta',
    requests,
    assertions,
    scripts,
    expected: { requests: expected.requests, assertions: expected.assertions },
    failures,
  };
}

/** The variables the Okta suite expects its runner to provide, generated afresh for each run. */
export function oktaVariables(scimBaseUrl: string, authorization: string): Record<string, string> {
  const token = (): string => randomBytes(5).toString('hex');
  const email = `okta.${token()}@example.com`;
  return {
    SCIMBaseURL: scimBaseUrl,
    auth: authorization,
    randomGivenName: `Given${token()}`,
    randomFamilyName: `Family${token()}`,
    randomEmail: email,
    randomUsername: email,
    randomUsernameCaps: email.toUpperCase(),
    InvalidUserEmail: `nobody.${token()}@example.com`,
    UserIdThatDoesNotExist: randomUUID(),
    randomGroupName: `Group ${token()}`,
  };
}
