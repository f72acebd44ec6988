import { renderUsage, runCommand, type CommandDef } from 'citty';
import { ExitCode, MlopsLabError, UsageError, exitCodeFor } from '../errors.ts';
import { graderVersion } from '../version.ts';
import { CommandExit } from './exit.ts';
import { color, processOutput } from './output.ts';

/** One command per file, loaded on demand so `mlops-lab list` stays fast. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each command has its own args type
const COMMANDS: Record<string, () => Promise<{ default: CommandDef<any> }>> = {
  list: () => import('./commands/list.ts'),
  start: () => import('./commands/start.ts'),
  check: () => import('./commands/check.ts'),
  hint: () => import('./commands/hint.ts'),
  solve: () => import('./commands/solve.ts'),
  reset: () => import('./commands/reset.ts'),
  progress: () => import('./commands/progress.ts'),
  doctor: () => import('./commands/doctor.ts'),
  cluster: () => import('./commands/cluster.ts'),
  report: () => import('./commands/report.ts'),
  sync: () => import('./commands/sync.ts'),
};

const DESCRIPTIONS: Record<string, string> = {
  list: 'List the labs',
  start: "Copy a lab's starter into a workspace",
  check: 'Grade a workspace and save the attempt',
  hint: 'Show hints for what has not passed',
  solve: 'Apply the reference solution (no credit)',
  reset: 'Restore the starter and remove what the lab created',
  progress: 'Show progress per lab and stage',
  doctor: 'Check this machine and say how to make each lab ready',
  cluster: 'Provision or remove a learner on Kubernetes',
  report: 'Write your verified capstone report (Markdown and JSON)',
  sync: 'Send your attempts to your mentor server',
};

function mainUsage(): string {
  const rows = Object.keys(COMMANDS).map((name) => `  ${color.cyan(name.padEnd(10))} ${DESCRIPTIONS[name]}`);
  return [
    `${color.bold('mlops-lab')} ${graderVersion} — hands-on MLOps labs, graded on what really runs`,
    '',
    'Usage: mlops-lab <command> [options]',
    '',
    'Commands:',
    ...rows,
    '',
    `Run ${color.cyan('mlops-lab <command> --help')} for a command's options.`,
    `Exit codes: 0 all checks pass · 1 some fail · 2 usage or lab error · 3 environment not ready.`,
  ].join('\n');
}

/** Runs the CLI and returns the exit code; the only place errors are printed. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  try {
    if (!name || name === '--help' || name === '-h' || name === 'help') {
      processOutput.out(mainUsage());
      return name ? ExitCode.ok : ExitCode.usage;
    }
    if (name === '--version' || name === '-v') {
      processOutput.out(graderVersion);
      return ExitCode.ok;
    }
    const load = COMMANDS[name];
    if (!load) {
      throw new UsageError('COMMAND_UNKNOWN', `Unknown command "${name}".`, `Commands: ${Object.keys(COMMANDS).join(', ')}. See \`mlops-lab --help\`.`);
    }
    const command = (await load()).default;
    if (rest.includes('--help') || rest.includes('-h')) {
      processOutput.out(await renderUsage(command));
      return ExitCode.ok;
    }
    await runCommand(command, { rawArgs: rest });
    return ExitCode.ok;
  } catch (error) {
    if (error instanceof CommandExit) return error.exitCode;
    if (error instanceof MlopsLabError) {
      processOutput.err(`${color.red('error')} ${error.message}`);
      if (error.nextStep) processOutput.err(`${color.cyan('next:')} ${error.nextStep}`);
      return exitCodeFor(error);
    }
    const code = (error as { code?: string } | undefined)?.code;
    if ((typeof code === 'string' && (code.startsWith('E_') || code === 'EARG')) || (error as Error | undefined)?.name === 'CLIError') {
      // citty's own argument errors (missing positional, unknown command).
      processOutput.err(`${color.red('error')} ${(error as Error).message}`);
      processOutput.err(`${color.cyan('next:')} see \`mlops-lab ${name} --help\``);
      return ExitCode.usage;
    }
    processOutput.err(`${color.red('internal error')} ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    processOutput.err('This is a bug in MLOps Lab; please report it with the command you ran.');
    return ExitCode.usage;
  }
}
