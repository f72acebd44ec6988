#!/usr/bin/env node
// `npm start`: builds the site when its sources changed since the last
// build, then starts the lab server (site, API, terminal) on 127.0.0.1:4321.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  process.stderr.write(`MLOps Lab needs Node.js 22.12 or newer; this is ${process.version}. Install Node 24 LTS and try again.\n`);
  process.exit(3);
}

const site = dirname(dirname(fileURLToPath(import.meta.url)));
const repo = dirname(site);
const builtEntry = join(site, 'dist', 'server', 'entry.mjs');

/** Newest modification time under a folder (skipping dependencies and outputs). */
function newest(path) {
  if (!existsSync(path)) return 0;
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  let latest = info.mtimeMs;
  for (const entry of readdirSync(path)) {
    if (entry === 'node_modules' || entry === 'dist' || entry === '.astro' || entry === 'server') continue;
    latest = Math.max(latest, newest(join(path, entry)));
  }
  return latest;
}

const sources = [join(site, 'src'), join(site, 'public'), join(site, 'astro.config.ts'), join(repo, 'content'), join(repo, 'labs')];
const builtAt = existsSync(builtEntry) ? statSync(builtEntry).mtimeMs : 0;
const stale = builtAt === 0 || sources.some((s) => newest(s) > builtAt);
if (stale || process.argv.includes('--build')) {
  process.stdout.write(builtAt === 0 ? 'Building the site (first start, about 10 s)…\n' : 'Sources changed since the last build; rebuilding the site…\n');
  const astro = join(repo, 'node_modules', 'astro', 'bin', 'astro.mjs');
  const build = spawnSync(process.execPath, [astro, 'build'], { cwd: site, stdio: ['ignore', 'ignore', 'inherit'] });
  if (build.status !== 0) {
    process.stderr.write('The site did not build; the errors are above. Fix them, or run `npm run build -w @mlops-lab/site` to see the full log.\n');
    process.exit(2);
  }
}

const stripTypes = process.features.typescript ? [] : ['--experimental-strip-types', '--no-warnings=ExperimentalWarning'];
const server = spawnSync(process.execPath, [...stripTypes, join(site, 'server', 'main.ts'), ...process.argv.slice(2).filter((a) => a !== '--build')], { stdio: 'inherit' });
process.exit(server.status ?? 1);
