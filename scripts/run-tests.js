#!/usr/bin/env node
// The test command (README: `npm test`). Runs jest with the flag PGlite needs to load inside
// jest's module sandbox (it imports Node built-ins dynamically). Extra arguments go to jest;
// `--smoke` runs the end-to-end smoke set only; `--faults` runs the fault tests
// (jest.faults.config.js: real processes, their own PostgreSQL and Redis, one test at a time).
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const args = process.argv.slice(2);
const smoke = args.includes('--smoke');
const faults = args.includes('--faults');
const jestArgs = args.filter((arg) => arg !== '--smoke' && arg !== '--faults');
if (smoke) jestArgs.push('--testPathPatterns', 'test/(app|auth|process)\\.e2e-spec\\.ts$');
const config = faults ? ['--config', 'jest.faults.config.js', '--runInBand'] : ['--maxWorkers=2'];

// Jest and its workers run on this very node (CI runs one suite with Node.js 24 first in PATH):
// the first line of the log says which.
console.log(`npm test: jest on Node.js ${process.version} (${process.execPath})`);
const result = spawnSync(process.execPath, [require.resolve('jest/bin/jest'), ...config, ...jestArgs], {
  stdio: 'inherit',
  cwd: path.resolve(__dirname, '..'),
  env: { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --experimental-vm-modules`.trim() },
});
process.exit(result.status ?? 1);
