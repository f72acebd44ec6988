#!/usr/bin/env node
// Launcher for the mlops-lab CLI. The CLI is TypeScript that Node runs
// directly (type stripping, unflagged since Node 22.18); on 22.12-22.17
// the flag is needed, so the launcher re-runs itself with it.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  process.stderr.write(`mlops-lab needs Node.js 22.12 or newer; this is ${process.version}.\nInstall Node 24 LTS (https://nodejs.org or \`nvm install 24\`) and try again.\n`);
  process.exit(3);
}
if (!process.features.typescript) {
  const result = spawnSync(process.execPath, ['--experimental-strip-types', '--no-warnings=ExperimentalWarning', fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(result.status ?? 1);
}
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
