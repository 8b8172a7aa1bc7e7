// The load scenarios of the SCIM benchmark: what each sends and how each answer is checked. Every
// SCIM scenario runs on the logged service and on its REQUEST_LOG=off twin; the baseline is a
// primary-key lookup on the bare Nest + TypeORM app.
import { randomInt } from 'node:crypto';
import type { Client } from 'pg';
import type { LoadRequest } from './load';
import { seededUserName } from './scim-seed';

/** The SCIM scenarios under load, each with its target as a share of the baseline's requests/s. */
export type Kind = 'eq' | 'post' | 'co' | 'page';

export interface KindSpec {
  kind: Kind;
  /** The short name in the load lines. */
  label: string;
  /** The name in the tables. */
  title: string;
  expected: number;
}

export const PAGE_SIZE = 100;
/** `co "userNNN"` takes NNN from this range: about 100 users each at 100,000. */
export const CO_PREFIXES = { min: 100, max: 999 };
/** Every SAMPLE_EVERY-th answer of a scenario is parsed in full; the others are only scanned. */
const SAMPLE_EVERY = 10;

export const KINDS: readonly KindSpec[] = [
  { kind: 'eq', label: 'eq', title: 'GET /Users?filter=userName eq', expected: 200 },
  { kind: 'post', label: 'POST', title: 'POST /Users', expected: 201 },
  { kind: 'co', label: 'co', title: `GET /Users?filter=userName co, page of ${PAGE_SIZE}`, expected: 200 },
  { kind: 'page', label: 'page', title: `GET /Users page of ${PAGE_SIZE}, random startIndex`, expected: 200 },
];

export type ServerName = 'service' | 'unlogged' | 'baseline';

export interface Scenario {
  /** `baseline`, `eq`, `eq unlogged`... */
  name: string;
  kind: Kind | 'baseline';
  server: ServerName;
  expected: number;
  /** Runs before each warm-up: reads what the checks compare with, when it may have changed. */
  prepare?: () => Promise<void>;
  next: () => LoadRequest;
}

/** What the scenarios need of the running bench. */
export interface ScenarioContext {
  users: number;
  /** The seeded users' ids, in creation order. */
  userIds: readonly string[];
  scimHeaders: Record<string, string>;
  /** Tells this run's names apart from any earlier run's. */
  run: string;
  db: Client;
  tenant: string;
}

const URN_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';

/** How many of users 1..N have a number that starts with `prefix`: the users `co "user<prefix>"` finds. */
export function prefixMatches(prefix: number, users: number): number {
  let count = 0;
  for (let low = prefix, width = 1; low <= users; low *= 10, width *= 10) {
    count += Math.min(low + width - 1, users) - low + 1;
  }
  return count;
}

export const eqPath = (n: number): string =>
  `/scim/v2/Users?filter=${encodeURIComponent(`userName eq "${seededUserName(n)}"`)}`;
export const coPath = (prefix: number): string =>
  `/scim/v2/Users?filter=${encodeURIComponent(`userName co "user${prefix}"`)}&count=${PAGE_SIZE}`;
export const pagePath = (startIndex: number): string => `/scim/v2/Users?startIndex=${startIndex}&count=${PAGE_SIZE}`;

const ITEMS_PER_PAGE = /"itemsPerPage":(\d+)/;

interface ListAnswer {
  totalResults?: number;
  itemsPerPage?: number;
  Resources?: { userName?: string }[];
}

/** What a list answer must hold. */
export interface ListExpectation {
  items: number;
  /** Checked when the answer is parsed in full. */
  total?: number;
  /** Every resource's userName must pass, when the answer is parsed in full. */
  userName?: (userName: string) => boolean;
}

/**
 * What is wrong with a list answer, or undefined. `full`: parse it and check every field; otherwise
 * only scan for its itemsPerPage, which costs the load generator next to nothing.
 */
export function listProblem(body: string, want: ListExpectation, full: boolean): string | undefined {
  if (!full) {
    const items = ITEMS_PER_PAGE.exec(body)?.[1];
    return items === String(want.items) ? undefined : `itemsPerPage ${items}, not ${want.items}`;
  }
  let page: ListAnswer;
  try {
    page = JSON.parse(body) as ListAnswer;
  } catch {
    return `not JSON: ${body.slice(0, 200)}`;
  }
  const resources = page.Resources ?? [];
  if (page.itemsPerPage !== want.items || resources.length !== want.items) {
    return `itemsPerPage ${page.itemsPerPage} and ${resources.length} resources, not ${want.items}`;
  }
  if (want.total !== undefined && page.totalResults !== want.total) {
    return `totalResults ${page.totalResults}, not ${want.total}`;
  }
  const stranger = want.userName && resources.find((resource) => !want.userName!(resource.userName ?? ''));
  return stranger ? `userName "${stranger.userName}" does not match` : undefined;
}

/** A check for a scenario's answers: the expected status is counted apart; every SAMPLE_EVERY-th is parsed. */
function listCheck(expected: number): (what: string, want: ListExpectation) => LoadRequest['check'] {
  let answers = 0;
  return (what, want) => (status, body) => {
    if (status !== expected) return undefined;
    answers += 1;
    const problem = listProblem(body, want, answers % SAMPLE_EVERY === 0);
    return problem && `${what}: ${problem}`;
  };
}

/** The scenario `spec` on the logged service or its unlogged twin. */
export function scimScenario(context: ScenarioContext, spec: KindSpec, server: 'service' | 'unlogged'): Scenario {
  const name = server === 'service' ? spec.label : `${spec.label} unlogged`;
  const base = { name, kind: spec.kind, server, expected: spec.expected };
  const check = listCheck(spec.expected);
  const headers = context.scimHeaders;
  switch (spec.kind) {
    case 'eq':
      return {
        ...base,
        next: () => {
          const n = 1 + randomInt(context.users);
          const userName = seededUserName(n);
          const want = { items: 1, total: 1, userName: (found: string) => found === userName };
          return { method: 'GET', path: eqPath(n), headers, check: check(`eq "${userName}"`, want) };
        },
      };
    case 'post': {
      // The logged and unlogged instances create users of their own: their userNames never collide.
      const tag = server === 'service' ? 'logged' : 'unlogged';
      const json = { ...headers, 'Content-Type': 'application/scim+json' };
      let created = 0;
      return {
        ...base,
        next: () => {
          created += 1;
          const userName = `new.${context.run}.${tag}.${created}@example.com`;
          // As Entra ID sends it.
          const user = {
            schemas: [URN_USER],
            externalId: `new-${context.run}-${tag}-${created}`,
            userName,
            active: true,
            displayName: `New User ${created}`,
            emails: [{ primary: true, type: 'work', value: userName }],
            meta: { resourceType: 'User' },
            name: { formatted: `New User ${created}`, familyName: `User ${created}`, givenName: 'New' },
          };
          return { method: 'POST', path: '/scim/v2/Users', headers: json, body: JSON.stringify(user) };
        },
      };
    }
    case 'co':
      return {
        ...base,
        next: () => {
          const prefix = CO_PREFIXES.min + randomInt(CO_PREFIXES.max - CO_PREFIXES.min + 1);
          const total = prefixMatches(prefix, context.users);
          const want = {
            items: Math.min(PAGE_SIZE, total),
            total,
            userName: (found: string) => found.startsWith(`user${prefix}`),
          };
          return { method: 'GET', path: coPath(prefix), headers, check: check(`co "user${prefix}"`, want) };
        },
      };
    case 'page': {
      // The POST scenarios add users between rounds, never during this one: the count holds for a run.
      let total = context.users;
      return {
        ...base,
        prepare: async () => {
          const counted = await context.db.query<{ n: string }>(
            'SELECT count(*) AS n FROM users WHERE tenant_id = $1',
            [context.tenant],
          );
          total = Number(counted.rows[0].n);
        },
        next: () => {
          // Within the seeded users, so that every page is full whatever was added since.
          const startIndex = 1 + randomInt(context.users - PAGE_SIZE + 1);
          const want = { items: PAGE_SIZE, total };
          return { method: 'GET', path: pagePath(startIndex), headers, check: check(`page at ${startIndex}`, want) };
        },
      };
    }
  }
}

/** The baseline: a primary-key lookup of a random seeded user on the bare app. */
export function baselineScenario(context: ScenarioContext): Scenario {
  return {
    name: 'baseline',
    kind: 'baseline',
    server: 'baseline',
    expected: 200,
    next: () => ({
      method: 'GET',
      path: `/baseline/users/${context.userIds[randomInt(context.users)]}`,
      headers: {},
    }),
  };
}

/**
 * How many seeded users each `co "userNNN"` finds, counted in the database and compared with
 * `prefixMatches`: throws when they differ. Answers the counts, e.g. `111 users for 899 of the 900
 * prefixes, 112 for 1 (100)`.
 */
export async function checkCoMatches(context: ScenarioContext): Promise<string> {
  const { rows } = await context.db.query<{ prefix: string; n: number }>(
    `SELECT substr(user_name, 5, 3) AS prefix, count(*)::int AS n
       FROM users WHERE tenant_id = $1 AND user_name ~ '^user[1-9][0-9]{2}' GROUP BY 1`,
    [context.tenant],
  );
  const counted = new Map(rows.map((row) => [Number(row.prefix), row.n]));
  const byCount = new Map<number, number[]>();
  for (let prefix = CO_PREFIXES.min; prefix <= CO_PREFIXES.max; prefix++) {
    const expected = prefixMatches(prefix, context.users);
    const found = counted.get(prefix) ?? 0;
    if (found !== expected) {
      throw new Error(`co "user${prefix}": ${found} seeded users match in the database, ${expected} expected`);
    }
    byCount.set(expected, [...(byCount.get(expected) ?? []), prefix]);
  }
  const prefixes = CO_PREFIXES.max - CO_PREFIXES.min + 1;
  return [...byCount.entries()]
    .sort(([, a], [, b]) => b.length - a.length)
    .map(([count, list], i) => {
      const few = list.length <= 3 ? ` (${list.join(', ')})` : '';
      const users = `${count} user${count === 1 ? '' : 's'}`;
      return i === 0
        ? `${users} for ${list.length} of the ${prefixes} prefixes${few}`
        : `${users} for ${list.length}${few}`;
    })
    .join(', ');
}
