#!/usr/bin/env node
// `npm start`'s prestart: runs `npm run build` only when the build is missing or older than one of
// its inputs, so that a warm restart starts at once instead of rebuilding everything.
//   node scripts/build-if-stale.js           build when stale, else say the build is up to date
//   node scripts/build-if-stale.js --stamp   record the inputs as built (`postbuild` runs this)
// The stamp holds the newest modification time among the inputs, directories included (adding,
// deleting or renaming a file changes its directory's time). A file saved while a build runs may
// be recorded as built: build by hand then (`npm run build`).
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
/** Everything `npm run build` reads (nest build: tsconfig.build.json; build:web: web/). */
const INPUTS = [
  'src',
  'migrations',
  'web',
  'tsconfig.json',
  'tsconfig.build.json',
  'nest-cli.json',
  'package.json',
  'package-lock.json',
];
/** What the service needs from the build: no stamp counts without them. */
const OUTPUTS = ['dist/src/main.js', 'dist/migrations/index.js', 'dist/web/index.html'];
const STAMP = path.join(ROOT, 'dist', '.build-stamp');
/** Tests are not compiled into dist: editing one does not make the build stale. */
const NOT_INPUT = /\.spec\.ts$/;

/** The newest mtime (ms) of `file` and, for a directory, of everything under it. */
function newest(file) {
  let stat;
  try {
    stat = fs.statSync(file);
  } catch {
    return 0; // an optional input that does not exist
  }
  let time = stat.mtimeMs;
  if (stat.isDirectory()) {
    for (const entry of fs.readdirSync(file)) {
      if (entry === 'node_modules' || NOT_INPUT.test(entry)) continue;
      time = Math.max(time, newest(path.join(file, entry)));
    }
  }
  return time;
}

const inputsTime = () => Math.max(...INPUTS.map((input) => newest(path.join(ROOT, input))));

function stampedTime() {
  if (!OUTPUTS.every((output) => fs.existsSync(path.join(ROOT, output)))) return null;
  try {
    return Number(JSON.parse(fs.readFileSync(STAMP, 'utf8')).inputsTime);
  } catch {
    return null;
  }
}

if (process.argv.includes('--stamp')) {
  fs.mkdirSync(path.dirname(STAMP), { recursive: true });
  fs.writeFileSync(STAMP, `${JSON.stringify({ inputsTime: inputsTime(), builtAt: new Date().toISOString() })}\n`);
  process.exit(0);
}

const built = stampedTime();
if (built !== null && inputsTime() <= built) {
  console.log('Build is up to date (nothing changed since the last npm run build): not rebuilding.');
  process.exit(0);
}
console.log(built === null ? 'No complete build yet: building.' : 'Sources changed since the last build: building.');
// Under npm, npm_execpath is npm's own script: run it with this node, whatever is first in PATH.
const npm = process.env.npm_execpath;
const result = npm
  ? spawnSync(process.execPath, [npm, 'run', 'build'], { cwd: ROOT, stdio: 'inherit' })
  : spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit', shell: process.platform === 'win32' });
process.exit(result.status ?? 1);
