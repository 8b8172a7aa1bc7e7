import * as fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import * as newman from 'newman';
import { bodySnippet, ConformanceFailure, SuiteRun } from './conformance-result';

/**
 * Microsoft's SCIM test collection (AzureAD/SCIMReferenceCode, Postman v2.1) run by newman, read
 * from shared/conformance and changed only where the conformance README says: the "Get Token"
 * folder (the reference server's own development token route) is left out, and JMeter's
 * `${__UUID}` placeholders, which Postman would send literally, become fresh UUIDs (one per
 * occurrence: they are the externalIds of creates and of one PUT, and no test reads them back).
 */

/** The folder left out: it fetches a token from the reference server; the run gets a real one. */
export const SKIPPED_FOLDER = 'Get Token';

interface PostmanEvent {
  listen: string;
  script?: { exec?: string[] | string };
}

interface PostmanItem {
  id?: string;
  name: string;
  item?: PostmanItem[];
  request?: unknown;
  event?: PostmanEvent[];
}

interface PostmanCollection {
  info: { name: string; schema: string };
  item: PostmanItem[];
}

export interface MicrosoftSuiteOptions {
  /** The collection file, in shared/conformance. */
  file: string;
  protocol: 'http' | 'https';
  server: string;
  port: number;
  /** The SCIM base path without slashes around it, e.g. `scim/v2`. */
  api: string;
  /** The tenant's SCIM bearer secret. */
  token: string;
}

/** A request as the suite names it: folder path and name, with an ordinal where that repeats ("Get group by id" twice in one folder). */
interface PreparedRequest {
  id: string;
  label: string;
  assertions: number;
}

export interface PreparedCollection {
  collection: PostmanCollection;
  requests: PreparedRequest[];
  placeholdersReplaced: number;
}

const scriptSource = (event: PostmanEvent): string => {
  const exec = event.script?.exec ?? [];
  return Array.isArray(exec) ? exec.join('\n') : exec;
};

/** `pm.test(` calls in an item's test script: each is one assertion when the script runs through. */
const countTests = (item: PostmanItem): number =>
  (item.event ?? [])
    .filter((event) => event.listen === 'test')
    .reduce((sum, event) => sum + (scriptSource(event).match(/\bpm\.test\(/g) ?? []).length, 0);

/** JMeter functions (`${__UUID}`) in request text; only those the collection uses are known. */
function replacePlaceholders(value: unknown, onReplace: () => void): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{__(\w+)(?:\([^)]*\))?\}/g, (placeholder: string, fn: string) => {
      if (fn !== 'UUID') throw new Error(`Microsoft collection: no rewrite known for the placeholder ${placeholder}`);
      onReplace();
      return randomUUID();
    });
  }
  if (Array.isArray(value)) return value.map((entry) => replacePlaceholders(entry, onReplace));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([key, entry]) => [
        key,
        replacePlaceholders(entry, onReplace),
      ]),
    );
  }
  return value;
}

/** The collection as newman will run it, with a stable id and label for every request. */
export function prepareMicrosoftCollection(raw: string): PreparedCollection {
  const parsed = JSON.parse(raw) as PostmanCollection;
  if (!parsed.info?.schema?.includes('/v2.1.')) {
    throw new Error('Microsoft collection: expected a Postman v2.1 collection');
  }
  if (!parsed.item.some((item) => item.name === SKIPPED_FOLDER && item.item)) {
    throw new Error(`Microsoft collection: the "${SKIPPED_FOLDER}" folder to skip is not there any more`);
  }
  let placeholdersReplaced = 0;
  const collection = replacePlaceholders(
    { ...parsed, item: parsed.item.filter((item) => item.name !== SKIPPED_FOLDER) },
    () => (placeholdersReplaced += 1),
  ) as PostmanCollection;

  const found: { item: PostmanItem; path: string }[] = [];
  const walk = (items: PostmanItem[], folders: string[]): void => {
    for (const item of items) {
      if (item.item) walk(item.item, [...folders, item.name]);
      else found.push({ item, path: [...folders, item.name].join(' / ') });
    }
  };
  walk(collection.item, []);
  const total = new Map<string, number>();
  found.forEach(({ path }) => total.set(path, (total.get(path) ?? 0) + 1));
  const ordinal = new Map<string, number>();
  const requests = found.map(({ item, path }, index): PreparedRequest => {
    const nth = (ordinal.get(path) ?? 0) + 1;
    ordinal.set(path, nth);
    item.id = `ms-request-${index + 1}`;
    return { id: item.id, label: total.get(path)! > 1 ? `${path} (${nth})` : path, assertions: countTests(item) };
  });
  return { collection, requests, placeholdersReplaced };
}

function runNewman(options: newman.NewmanRunOptions): Promise<newman.NewmanRunSummary> {
  return new Promise((resolve, reject) => {
    newman.run(options, (err, summary) => (err ? reject(err) : resolve(summary)));
  });
}

export async function runMicrosoftSuite(
  options: MicrosoftSuiteOptions,
): Promise<SuiteRun & { placeholdersReplaced: number }> {
  const prepared = prepareMicrosoftCollection(fs.readFileSync(options.file, 'utf8'));
  const variable = (key: string, value: string): newman.NewmanVariable => ({
    key,
    value,
    type: 'default',
    enabled: true,
  });
  const summary = await runNewman({
    collection: prepared.collection,
    // The collection's scripts read and write pm.environment: its variables live there.
    environment: {
      name: 'conformance',
      values: [
        variable('Protocol', options.protocol),
        variable('Server', options.server),
        variable('Port', `:${options.port}`),
        variable('Api', options.api),
        variable('token', options.token),
      ],
    },
    timeoutRequest: 10_000,
    timeout: 50_000,
  });
  if (summary.error) throw new Error(`newman: ${summary.error.name}: ${summary.error.message}`);

  const labels = new Map(prepared.requests.map((request) => [request.id, request.label]));
  const failures: ConformanceFailure[] = [];
  let assertions = 0;
  for (const execution of summary.run.executions) {
    const request = labels.get(execution.item.id) ?? execution.item.name;
    const response = execution.response;
    const answered = response
      ? `HTTP ${response.code} ${bodySnippet(response.stream ? response.stream.toString('utf8') : '')}`.trim()
      : 'no response';
    const fail = (assertion: string, message: string): void => {
      failures.push({ suite: 'microsoft', request, assertion, detail: `${message} [${answered}]` });
    };
    if (execution.requestError) fail('(request)', execution.requestError.message);
    for (const script of [...(execution.prerequestScript ?? []), ...(execution.testScript ?? [])]) {
      fail('(script)', `${script.error.name}: ${script.error.message}`);
    }
    for (const result of execution.assertions ?? []) {
      assertions += 1;
      if (result.skipped) fail(result.assertion, 'skipped');
      else if (result.error) fail(result.assertion, result.error.message);
    }
  }
  return {
    suite: 'microsoft',
    requests: summary.run.executions.length,
    assertions,
    expected: {
      requests: prepared.requests.length,
      assertions: prepared.requests.reduce((sum, request) => sum + request.assertions, 0),
    },
    failures,
    placeholdersReplaced: prepared.placeholdersReplaced,
  };
}
