#!/usr/bin/env node
// `npm run cluster:up | cluster:down | cluster:status` (see cluster/README.md).
import { parseBringupArgs, USAGE } from '../src/bringup/args.ts';
import { down, status, systemShell, up } from '../src/bringup/commands.ts';
import { isClusterError } from '../src/provision/errors.ts';

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  try {
    const args = parseBringupArgs(argv);
    const ctx = {
      env: process.env,
      platform: process.platform,
      shell: systemShell(),
      log: (line: string) => process.stdout.write(`${line}\n`),
    };
    if (args.action === 'up') return await up(args, ctx);
    if (args.action === 'down') return await down(args, ctx);
    return await status(args, ctx);
  } catch (error) {
    if (isClusterError(error)) {
      process.stderr.write(`error ${error.message}\nnext: ${error.nextStep}\n`);
      return error.kind === 'usage' ? 2 : 3;
    }
    process.stderr.write(
      `internal error ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\nThis is a bug in MLOps Lab; please report it with the command you ran.\n`,
    );
    return 2;
  }
}

process.exitCode = await main(process.argv.slice(2));
