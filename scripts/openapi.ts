// The API contract as committed files, the way migrations are:
//   npm run openapi        writes openapi/openapi.json (the document) and openapi/api.d.ts (its types)
//   npm run openapi:check  CI: regenerates both in memory, fails when the committed files differ,
//                          then lints openapi/openapi.json with Redocly (openapi/redocly.yaml)
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import openapiTS, { astToString, COMMENT_HEADER } from 'openapi-typescript';
import { openApiDocument } from '../src/openapi/openapi.document';

const ROOT = path.resolve(__dirname, '..');
const DOCUMENT_FILE = 'openapi/openapi.json';
const TYPES_FILE = 'openapi/api.d.ts';
const REDOCLY_CONFIG = 'openapi/redocly.yaml';

/** The committed files' contents, from the code: the same bytes on every machine. */
async function generate(): Promise<Record<string, string>> {
  const json = JSON.stringify(openApiDocument(), null, 2) + '\n';
  // openapi-typescript receives its own copy: it must not see (or change) the built object.
  // defaultNonNullable: false, because `required` says what is always there: by default a property
  // with a `default` becomes required, and a request item in components.schemas (a department's
  // `active`) would then have to be sent although the server supplies it.
  const ast = await openapiTS(JSON.parse(json) as Parameters<typeof openapiTS>[0], { defaultNonNullable: false });
  const types =
    COMMENT_HEADER.replace(' */', ' * Regenerate with `npm run openapi` (scripts/openapi.ts).\n */') + astToString(ast);
  return { [DOCUMENT_FILE]: json, [TYPES_FILE]: types };
}

function write(files: Record<string, string>): void {
  for (const [file, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(ROOT, file)), { recursive: true });
    fs.writeFileSync(path.join(ROOT, file), content);
    console.log(`wrote ${file}`);
  }
}

/** The files whose committed content is not what the code generates. */
function drifted(files: Record<string, string>): string[] {
  return Object.entries(files)
    .filter(([file, content]) => {
      const full = path.join(ROOT, file);
      return !fs.existsSync(full) || fs.readFileSync(full, 'utf8') !== content;
    })
    .map(([file]) => file);
}

/**
 * Fields the generated types make `Record<string, never>`: an object schema with neither properties
 * nor `additionalProperties`, which no client value can satisfy (how the old document typed nullable
 * strings). The two top-level aliases openapi-typescript always writes are not fields.
 */
function unusableTypes(types: string): number {
  const fields = types.split('\n').filter((line) => /^\s+\S.*: Record<string, never>/.test(line));
  for (const field of fields) console.error(`openapi/api.d.ts: no value can have this type: ${field.trim()}`);
  return fields.length;
}

interface LintReport {
  totals: { errors: number; warnings: number; ignored: number };
  problems: {
    ruleId: string;
    severity: string;
    message: string;
    location: { pointer?: string; source?: { ref?: string } }[];
  }[];
}

/** Redocly's lint of the committed document; every finding is printed, and any finding fails. */
function lint(): boolean {
  const cli = require.resolve('@redocly/cli/bin/cli.js');
  const result = spawnSync(
    process.execPath,
    [cli, 'lint', DOCUMENT_FILE, `--config=${REDOCLY_CONFIG}`, '--format=json', '--max-problems=1000'],
    {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  const start = result.stdout.indexOf('{');
  let report: LintReport;
  try {
    report = JSON.parse(result.stdout.slice(start)) as LintReport;
  } catch {
    console.error(`redocly lint gave no report (exit ${String(result.status)}):\n${result.stdout}\n${result.stderr}`);
    return false;
  }
  for (const problem of report.problems) {
    const where = problem.location.map((location) => location.pointer ?? '').join(', ');
    console.log(`${problem.severity} ${problem.ruleId}: ${problem.message}\n    at ${where}`);
  }
  const { errors, warnings } = report.totals;
  console.log(`redocly lint ${DOCUMENT_FILE} (${REDOCLY_CONFIG}): ${errors} errors, ${warnings} warnings`);
  return errors === 0 && warnings === 0 && result.status === 0;
}

async function main(): Promise<number> {
  const files = await generate();
  if (!process.argv.includes('--check')) {
    write(files);
    return 0;
  }
  const stale = drifted(files);
  if (stale.length > 0) {
    console.error(
      `${stale.join(' and ')} ${stale.length > 1 ? 'differ' : 'differs'} from what the code generates: run npm run openapi`,
    );
  } else {
    console.log(`${DOCUMENT_FILE} and ${TYPES_FILE} match the code.`);
  }
  const unusable = unusableTypes(files[TYPES_FILE]);
  const clean = lint();
  return stale.length === 0 && unusable === 0 && clean ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
