import { watch } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { defineCommand } from 'citty';
import { ExitCode, UsageError, isEnvironmentCode } from '../../errors.ts';
import { findLab, type LoadedLab } from '../../lab/load.ts';
import { MARKER_FILE, readMarker, resolveWorkspace } from '../../lab/workspace.ts';
import { storeFile } from '../../paths.ts';
import { toJUnitXml } from '../../result/junit.ts';
import type { AttemptResult } from '../../result/schema.ts';
import { runLab } from '../../runner/run.ts';
import { ProgressStore } from '../../store/store.ts';
import { CommandExit } from '../exit.ts';
import { LiveLine, color, currentLearner, formatCheck, printJson, processOutput, summaryLine } from '../output.ts';

/** The exit code for an attempt: environment errors (3) before failures (1). */
export function exitCodeForAttempt(result: AttemptResult): number {
  if (result.checks.some((c) => c.status === 'error' && isEnvironmentCode(c.code))) return ExitCode.environment;
  if (result.checks.some((c) => c.status === 'error' && c.code === 'CHECK_CRASHED')) return ExitCode.usage;
  return result.status === 'pass' ? ExitCode.ok : ExitCode.checksFailed;
}

async function gradeOnce(lab: LoadedLab, dir: string, args: { json?: boolean; junit?: string }): Promise<number> {
  const marker = await readMarker(dir);
  const live = new LiveLine(processOutput);
  const human = !args.json;
  if (human) processOutput.out(`${color.bold(lab.manifest.title)} ${color.dim(`· ${lab.manifest.id} · ${dir}`)}\n`);
  let result: AttemptResult;
  try {
    result = await runLab({
      lab,
      workspaceDir: dir,
      learner: currentLearner(),
      source: 'cli',
      credit: marker?.solutionApplied ? 'solution' : 'learner',
      onCheckStart: (c) => live.start(c.id, c.title),
      onProgress: (id, note) => live.note(id, note),
      onCheckFinish: (c) => {
        live.finish(c.id);
        if (human) processOutput.out(formatCheck(c));
      },
    });
  } finally {
    live.clear();
  }
  await ProgressStore.open(storeFile()).appendAttempt(result);
  if (args.junit) await writeFile(resolve(args.junit), toJUnitXml(result));
  if (args.json) {
    printJson(processOutput, result);
  } else {
    processOutput.out(`\n${summaryLine(result)} ${color.dim(`· attempt ${result.attemptId.slice(0, 8)} saved`)}`);
    if (result.credit === 'solution') {
      processOutput.out(color.dim('This workspace has the reference solution applied: attempts count as solved by the solution, not as your pass.'));
    }
    if (result.status === 'pass') processOutput.out(color.green('Every check passes. Well done.'));
    else processOutput.out(`Stuck? ${color.cyan(`mlops-lab hint ${lab.manifest.id}`)}`);
  }
  return exitCodeForAttempt(result);
}

export default defineCommand({
  meta: { name: 'check', description: 'Grade a workspace and save the attempt.' },
  args: {
    lab: { type: 'positional', description: 'Lab id (default: the lab of the workspace in the current folder).', required: false },
    dir: { type: 'string', description: 'Workspace folder (default: the current folder if it is a workspace, else the lab default).' },
    json: { type: 'boolean', description: 'Print the attempt result as JSON.' },
    junit: { type: 'string', description: 'Also write a JUnit XML report to this file.' },
    watch: { type: 'boolean', description: 'Check again whenever a file in the workspace changes.' },
  },
  async run({ args }) {
    let labId = args.lab;
    if (!labId) {
      const marker = await readMarker(args.dir ? resolve(args.dir) : process.cwd());
      if (marker) labId = marker.labId;
    }
    if (!labId) {
      throw new UsageError('LAB_REQUIRED', 'Which lab? The current folder is not a lab workspace.', 'Run `mlops-lab check <lab> --dir <workspace>` (see `mlops-lab list`).');
    }
    const lab = await findLab(labId);
    const dir = await resolveWorkspace(lab, args.dir);
    let code = await gradeOnce(lab, dir, args);
    if (!args.watch) {
      if (code !== 0) throw new CommandExit(code);
      return;
    }
    processOutput.err(color.dim(`\nWatching ${dir} for changes (Ctrl-C to stop)…`));
    let timer: NodeJS.Timeout | undefined;
    let running = false;
    let again = false;
    const rerun = async (): Promise<void> => {
      if (running) {
        again = true;
        return;
      }
      running = true;
      do {
        again = false;
        processOutput.out('');
        code = await gradeOnce(lab, dir, args).catch((error: unknown) => {
          processOutput.err(color.red(String(error instanceof Error ? error.message : error)));
          return ExitCode.usage;
        });
      } while (again);
      running = false;
      processOutput.err(color.dim('Watching for changes…'));
    };
    const watcher = watch(dir, { recursive: true }, (_event, file) => {
      if (file === MARKER_FILE) return;
      clearTimeout(timer);
      timer = setTimeout(() => void rerun(), 300);
    });
    await new Promise<void>((resolvePromise) => {
      process.once('SIGINT', () => {
        watcher.close();
        clearTimeout(timer);
        resolvePromise();
      });
    });
    if (code !== 0) throw new CommandExit(code);
  },
});
