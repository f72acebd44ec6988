/**
 * How the IaC labs run OpenTofu for grading: in a copy of the learner's
 * configuration (only the .tf, .tfvars, .hcl files, read through the
 * workspace's capped, symlink-safe reader) or in the workspace itself when
 * the state matters, always with the grader's own TF_DATA_DIR in a temp
 * folder that the run's teardown removes, so grading never touches the
 * learner's `.terraform/`.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { EvidenceError, Tofu, describeTofu, findTofu, type CheckContext, type LabHookContext } from '@mlops-lab/grader/authoring';

/** Files a configuration copy holds; everything else (state, .terraform/, binaries) stays behind. */
const CONFIG_FILE = /(\.tf|\.tfvars|\.hcl|\.tftest\.hcl|\.tf\.json)$/;
const MAX_COPY_FILES = 200;

type RunContext = Pick<CheckContext, 'memo' | 'onRunEnd' | 'files' | 'process' | 'signal' | 'workspace'>;

/** A temp folder that lives until the grading run ends. */
export async function runTempDir(ctx: Pick<CheckContext, 'onRunEnd'>, prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `mlops-lab-${prefix}-`));
  ctx.onRunEnd(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * Copies the configuration files under `fromDir` (workspace-relative) into
 * `toDir`, keeping their relative paths. `.terraform/` and state files are
 * left out.
 */
export async function copyConfig(ctx: Pick<CheckContext, 'files'>, fromDir: string, toDir: string): Promise<string[]> {
  const listed = await ctx.files.list(fromDir, {
    maxEntries: 2_000,
    skip: (p) => p.split('/').some((s) => s === '.terraform' || s === '.git'),
  });
  const wanted = listed.filter((f) => CONFIG_FILE.test(f.path));
  if (wanted.length > MAX_COPY_FILES) {
    throw new EvidenceError(
      'HCL_TOO_MANY_FILES',
      `${fromDir}/ holds ${wanted.length} configuration files; the grader copies at most ${MAX_COPY_FILES}.`,
      'Remove generated or copied files from the folder.',
    );
  }
  const copied: string[] = [];
  for (const file of wanted) {
    const relPath = fromDir === '.' ? file.path : posix.relative(fromDir, file.path);
    const text = await ctx.files.readText(file.path, { maxBytes: 256 * 1024 });
    const target = join(toDir, relPath);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, text);
    copied.push(relPath);
  }
  return copied;
}

export interface GradingTofu {
  tofu: Tofu;
  /** Where tofu runs: a copy of the configuration, or the workspace folder itself. */
  dir: string;
  /** Said in check output: OpenTofu or Terraform, and where. */
  program: string;
}

/**
 * OpenTofu for a copy of `configDir`, initialised once per grading run
 * (`init -backend=false`: providers from the offline mirror, no state).
 * Returns the init failure as text instead of throwing, so a check can say it.
 */
export function copiedConfigTofu(ctx: RunContext, configDir: string): Promise<GradingTofu & { initError: string | undefined }> {
  return ctx.memo(`iac:copy:${configDir}`, async () => {
    const root = await runTempDir(ctx, 'tofu');
    const dir = join(root, 'config');
    await mkdir(dir, { recursive: true });
    await copyConfig(ctx, configDir, dir);
    const tofu = await Tofu.create({ process: ctx.process, cwd: dir, dataDir: join(root, 'data'), signal: ctx.signal });
    const init = await tofu.init({ backend: false });
    return { tofu, dir, program: describeTofu(tofu.program), initError: init.ok ? undefined : init.output };
  });
}

/**
 * OpenTofu in the workspace folder `configDir` itself (its backend and
 * state), with the grader's own data folder; `init` once per run, never
 * rewriting the learner's lock file.
 */
export function workspaceTofu(ctx: RunContext, configDir: string): Promise<GradingTofu & { initError: string | undefined }> {
  return ctx.memo(`iac:workspace:${configDir}`, async () => {
    const root = await runTempDir(ctx, 'tofu');
    const dir = join(ctx.workspace.dir, configDir);
    const tofu = await Tofu.create({ process: ctx.process, cwd: dir, dataDir: join(root, 'data'), signal: ctx.signal });
    const hasLock = await ctx.files.exists(posix.join(configDir, '.terraform.lock.hcl'));
    const init = await tofu.init({ lockfileReadonly: hasLock });
    return { tofu, dir, program: describeTofu(tofu.program), initError: init.ok ? undefined : init.output };
  });
}

/** The last lines of tofu output, for `actual`. */
export function lastLines(text: string, lines = 12): string {
  return text.trim().split('\n').filter(Boolean).slice(-lines).join('\n');
}

/** What a learner does in a terminal: `tofu <args>` in a workspace folder (the learner's own `.terraform/`). */
export async function learnerTofu(ctx: LabHookContext, configDir: string, args: string[]): Promise<string> {
  const program = await findTofu();
  if (!program) throw new Error('tofu is not installed: run `npm run setup:tools -- --tofu`');
  const tofu = await Tofu.create({
    process: ctx.process,
    cwd: join(ctx.workspace.dir, configDir),
    dataDir: join(ctx.workspace.dir, configDir, '.terraform'),
    signal: ctx.signal,
  });
  const result = await tofu.run(args, 300_000);
  if (result.exitCode !== 0)
    throw new Error(`tofu ${args.join(' ')} failed (${result.exitCode}): ${lastLines(`${result.stdout}\n${result.stderr}`, 30)}`);
  ctx.log(`tofu ${args[0]}: ok`);
  return result.stdout;
}
