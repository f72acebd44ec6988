/**
 * OpenTofu (or Terraform, when only that is installed) run by argv: never a
 * shell, always with a timeout, an output cap, no colour, no prompts
 * (TF_IN_AUTOMATION, TF_INPUT=0) and no calls home (CHECKPOINT_DISABLE).
 * Providers come from the offline filesystem mirror that
 * `grader/bin/setup-tofu.js` builds (TF_CLI_CONFIG_FILE), and the grader's
 * own `.terraform` data lives in a folder the caller owns (TF_DATA_DIR), so
 * grading never rewrites the learner's `.terraform/`. Results are parsed from
 * the JSON forms where the CLI has them: `validate -json`, `show -json`,
 * `test -json`.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { EnvironmentError } from '../errors.ts';
import { venvDir } from '../paths.ts';
import { findTool, type ProcessEvidence, type RunResult } from './process.ts';

/** Time and byte caps for each command. */
export const TOFU_LIMITS = {
  initTimeoutMs: 120_000,
  validateTimeoutMs: 60_000,
  planTimeoutMs: 180_000,
  applyTimeoutMs: 300_000,
  testTimeoutMs: 300_000,
  showTimeoutMs: 60_000,
  maxOutputBytes: 2 * 1024 * 1024,
} as const;

/** Where setup-tofu.js puts the provider mirror and the CLI configuration that points at it. */
export function tofuShareDir(): string {
  return join(venvDir(), 'share', 'mlops-lab-tofu');
}

/**
 * The CLI configuration tofu gets: the learner's TF_CLI_CONFIG_FILE when it
 * names a file that exists, else the offline mirror's from setup-tofu.js.
 */
export function tofuCliConfigFile(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.TF_CLI_CONFIG_FILE && existsSync(env.TF_CLI_CONFIG_FILE)) return env.TF_CLI_CONFIG_FILE;
  const file = join(tofuShareDir(), 'cli.tfrc');
  return existsSync(file) ? file : undefined;
}

export interface TofuProgram {
  /** `tofu`, or `terraform` when only Terraform is installed. */
  name: 'tofu' | 'terraform';
  path: string;
}

/** OpenTofu when it is installed (.venv/bin first, then PATH), else Terraform, else undefined. */
export async function findTofu(env: NodeJS.ProcessEnv = process.env): Promise<TofuProgram | undefined> {
  for (const name of ['tofu', 'terraform'] as const) {
    const path = await findTool(name, env);
    if (path) return { name, path };
  }
  return undefined;
}

/** Said in check output: which program graded the configuration. */
export function describeTofu(program: TofuProgram | undefined): string {
  if (!program) return 'neither `tofu` nor `terraform` is installed, so only the HCL was read (nothing was run)';
  return program.name === 'tofu' ? `OpenTofu (${program.path})` : `Terraform (${program.path}; OpenTofu is not installed)`;
}

/** The environment every tofu command gets. */
export function tofuEnv(options: {
  dataDir: string;
  env?: NodeJS.ProcessEnv;
  extra?: Record<string, string | undefined>;
}): Record<string, string | undefined> {
  const cliConfig = tofuCliConfigFile(options.env);
  return {
    TF_IN_AUTOMATION: '1',
    TF_INPUT: '0',
    NO_COLOR: '1',
    CHECKPOINT_DISABLE: '1',
    TF_DATA_DIR: options.dataDir,
    ...(cliConfig ? { TF_CLI_CONFIG_FILE: cliConfig } : {}),
    // Apply logs and crash logs stay off; a learner's TF_LOG would flood the output cap.
    TF_LOG: undefined,
    ...options.extra,
  };
}

/** One diagnostic from `validate -json` or a JSON log line. */
export interface TofuDiagnostic {
  severity: 'error' | 'warning';
  summary: string;
  detail: string;
  file: string | undefined;
  line: number | undefined;
}

export interface TofuValidation {
  valid: boolean;
  errorCount: number;
  diagnostics: TofuDiagnostic[];
}

/** `tofu plan -detailed-exitcode`: 0 no changes, 2 changes, 1 error. */
export interface TofuPlan {
  exitCode: number | null;
  outcome: 'no-changes' | 'changes' | 'error';
  /** Resource addresses with a change and its actions (`update`, `create`, `delete`), from `show -json` of the saved plan. */
  changes: { address: string; actions: string[] }[];
  /** The tail of stdout and stderr, for messages. */
  output: string;
}

export interface TofuTestRunResult {
  file: string;
  run: string;
  status: 'pass' | 'fail' | 'error' | 'skip';
  /** The messages tofu gave for a failed or errored run (assertion error messages, diagnostics). */
  messages: string[];
}

export interface TofuTestResult {
  exitCode: number | null;
  passed: number;
  failed: number;
  errored: number;
  skipped: number;
  runs: TofuTestRunResult[];
  /** Diagnostics that are not about one run (a file that does not load). */
  messages: string[];
  output: string;
}

function diagnosticFrom(raw: unknown): TofuDiagnostic | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const d = raw as { severity?: unknown; summary?: unknown; detail?: unknown; range?: { filename?: unknown; start?: { line?: unknown } } };
  return {
    severity: d.severity === 'warning' ? 'warning' : 'error',
    summary: typeof d.summary === 'string' ? d.summary : '',
    detail: typeof d.detail === 'string' ? d.detail : '',
    file: typeof d.range?.filename === 'string' ? d.range.filename : undefined,
    line: typeof d.range?.start?.line === 'number' ? d.range.start.line : undefined,
  };
}

/** `main.tf:12: Invalid value for variable (detail)`. */
export function formatDiagnostic(d: TofuDiagnostic): string {
  const where = d.file ? `${d.file}${d.line ? `:${d.line}` : ''}: ` : '';
  return `${where}${d.summary}${d.detail ? ` (${d.detail.replace(/\s+/g, ' ').trim()})` : ''}`;
}

/** Parses `validate -json` output; undefined when it is not that JSON. */
export function parseValidateJson(stdout: string): TofuValidation | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout);
  } catch {
    return undefined;
  }
  if (!parsed || typeof parsed !== 'object' || typeof (parsed as { valid?: unknown }).valid !== 'boolean') return undefined;
  const p = parsed as { valid: boolean; error_count?: number; diagnostics?: unknown[] };
  const diagnostics = (p.diagnostics ?? []).map(diagnosticFrom).filter((d): d is TofuDiagnostic => !!d);
  return { valid: p.valid, errorCount: p.error_count ?? diagnostics.filter((d) => d.severity === 'error').length, diagnostics };
}

/** JSON lines (the machine-readable UI of `test -json`), skipping lines that are not JSON objects. */
export function jsonLines(text: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (!t.startsWith('{')) continue;
    try {
      const v: unknown = JSON.parse(t);
      if (v && typeof v === 'object' && !Array.isArray(v)) out.push(v as Record<string, unknown>);
    } catch {
      // a partial line at the output cap
    }
  }
  return out;
}

/** Summarises `tofu test -json` output: per-run status and the messages of failures. */
export function parseTestJson(stdout: string, exitCode: number | null): TofuTestResult {
  const runs = new Map<string, TofuTestRunResult>();
  const messages: string[] = [];
  let summary: { passed?: number; failed?: number; errored?: number; skipped?: number } | undefined;
  for (const line of jsonLines(stdout)) {
    const type = line.type;
    const run = line['test_run'] as { path?: string; run?: string; status?: string; progress?: string } | undefined;
    if (type === 'test_run' && run?.run && run.status) {
      const key = `${run.path ?? ''}::${run.run}`;
      const status = run.status === 'pass' ? 'pass' : run.status === 'fail' ? 'fail' : run.status === 'skip' ? 'skip' : 'error';
      const existing = runs.get(key);
      if (existing) existing.status = status;
      else runs.set(key, { file: run.path ?? '', run: run.run, status, messages: [] });
    } else if (type === 'diagnostic') {
      const diag = diagnosticFrom(line.diagnostic);
      const at = line['@testrun'] as string | undefined;
      const file = line['@testfile'] as string | undefined;
      if (!diag) continue;
      const text = formatDiagnostic(diag);
      if (at) {
        const key = `${file ?? ''}::${at}`;
        const entry = runs.get(key) ?? { file: file ?? '', run: at, status: 'error' as const, messages: [] };
        entry.messages.push(text);
        runs.set(key, entry);
      } else if (diag.severity === 'error') {
        messages.push(text);
      }
    } else if (type === 'test_summary') {
      summary = line['test_summary'] as typeof summary;
    }
  }
  const all = [...runs.values()];
  const count = (s: TofuTestRunResult['status']): number => all.filter((r) => r.status === s).length;
  return {
    exitCode,
    passed: summary?.passed ?? count('pass'),
    failed: summary?.failed ?? count('fail'),
    errored: summary?.errored ?? count('error'),
    skipped: summary?.skipped ?? count('skip'),
    runs: all,
    messages,
    output: '',
  };
}

function tail(result: RunResult, max = 4000): string {
  const text = `${result.stdout}\n${result.stderr}`.trim();
  return text.length > max ? `…${text.slice(-max)}` : text;
}

/**
 * Runs OpenTofu in one configuration folder with the grader's environment.
 * Construct it with `Tofu.create`, which finds the program.
 */
export class Tofu {
  readonly program: TofuProgram;
  readonly #process: ProcessEvidence;
  readonly #cwd: string;
  readonly #env: Record<string, string | undefined>;
  readonly #signal: AbortSignal | undefined;

  private constructor(
    program: TofuProgram,
    process: ProcessEvidence,
    cwd: string,
    env: Record<string, string | undefined>,
    signal?: AbortSignal,
  ) {
    this.program = program;
    this.#process = process;
    this.#cwd = cwd;
    this.#env = env;
    this.#signal = signal;
  }

  /**
   * Finds tofu (or terraform) and prepares to run it in `cwd`. Throws
   * EnvironmentError TOOL_MISSING when neither is installed.
   */
  static async create(options: {
    process: ProcessEvidence;
    cwd: string;
    dataDir: string;
    env?: NodeJS.ProcessEnv;
    extraEnv?: Record<string, string | undefined>;
    signal?: AbortSignal;
  }): Promise<Tofu> {
    const program = await findTofu(options.env);
    if (!program) {
      throw new EnvironmentError(
        'TOOL_MISSING',
        '`tofu` (OpenTofu) was not found in .venv/bin or on PATH, and neither was `terraform`.',
        'Run `npm run setup:tools -- --tofu` in the MLOps Lab folder (builds OpenTofu into .venv/bin), or install OpenTofu: https://opentofu.org/docs/intro/install/.',
      );
    }
    const env = tofuEnv({ dataDir: options.dataDir, env: options.env, extra: options.extraEnv });
    return new Tofu(program, options.process, options.cwd, env, options.signal);
  }

  /** Runs one subcommand (argv, never a shell). */
  async run(args: readonly string[], timeoutMs: number): Promise<RunResult> {
    const result = await this.#process.run(this.program.path, args, {
      cwd: this.#cwd,
      env: this.#env,
      timeoutMs,
      maxOutputBytes: TOFU_LIMITS.maxOutputBytes,
      signal: this.#signal,
    });
    if (result.timedOut) {
      throw new EnvironmentError(
        'TOFU_TIMEOUT',
        `\`${this.program.name} ${args[0]}\` did not finish within ${Math.round(timeoutMs / 1000)} s and was stopped. Last output: ${tail(result, 600) || '(none)'}`,
        `Run \`${this.program.name} ${args.join(' ')}\` yourself to see where it waits (a provider that cannot reach the cluster is the usual cause).`,
      );
    }
    return result;
  }

  /** `init` without prompts; `-lockfile=readonly` when the folder has a lock file (grading never rewrites it). */
  async init(options: { lockfileReadonly?: boolean; backend?: boolean } = {}): Promise<{ ok: boolean; output: string }> {
    const args = ['init', '-input=false', '-no-color'];
    if (options.lockfileReadonly) args.push('-lockfile=readonly');
    if (options.backend === false) args.push('-backend=false');
    const result = await this.run(args, TOFU_LIMITS.initTimeoutMs);
    return { ok: result.exitCode === 0, output: tail(result) };
  }

  /** `validate -json`. */
  async validate(): Promise<TofuValidation & { output: string }> {
    const result = await this.run(['validate', '-json', '-no-color'], TOFU_LIMITS.validateTimeoutMs);
    const parsed = parseValidateJson(result.stdout);
    if (!parsed) {
      return {
        valid: false,
        errorCount: 1,
        diagnostics: [
          { severity: 'error', summary: 'validate did not produce JSON', detail: tail(result, 600), file: undefined, line: undefined },
        ],
        output: tail(result),
      };
    }
    return { ...parsed, output: tail(result) };
  }

  /**
   * `plan -detailed-exitcode -out=<planFile>`, then `show -json <planFile>`
   * for the changed resources.
   */
  async plan(options: { planFile: string; varFiles?: string[]; vars?: Record<string, string>; refresh?: boolean }): Promise<TofuPlan> {
    const args = ['plan', '-input=false', '-no-color', '-detailed-exitcode', `-out=${options.planFile}`, '-lock-timeout=10s'];
    for (const f of options.varFiles ?? []) args.push(`-var-file=${f}`);
    for (const [k, v] of Object.entries(options.vars ?? {})) args.push('-var', `${k}=${v}`);
    if (options.refresh === false) args.push('-refresh=false');
    const result = await this.run(args, TOFU_LIMITS.planTimeoutMs);
    const outcome = result.exitCode === 0 ? 'no-changes' : result.exitCode === 2 ? 'changes' : 'error';
    let changes: TofuPlan['changes'] = [];
    if (outcome === 'changes') changes = await this.planChanges(options.planFile);
    return { exitCode: result.exitCode, outcome, changes, output: tail(result) };
  }

  /** The resource changes of a saved plan (`show -json`), without no-op and read entries. */
  async planChanges(planFile: string): Promise<TofuPlan['changes']> {
    const shown = await this.run(['show', '-json', '-no-color', planFile], TOFU_LIMITS.showTimeoutMs);
    if (shown.exitCode !== 0 || shown.truncated) return [];
    try {
      const json = JSON.parse(shown.stdout) as { resource_changes?: { address?: string; change?: { actions?: string[] } }[] };
      return (json.resource_changes ?? [])
        .map((rc) => ({ address: rc.address ?? '?', actions: rc.change?.actions ?? [] }))
        .filter((c) => !(c.actions.length === 1 && (c.actions[0] === 'no-op' || c.actions[0] === 'read')));
    } catch {
      return [];
    }
  }

  /** `apply -auto-approve` (what solve does; checks do not apply). */
  async apply(options: { varFiles?: string[] } = {}): Promise<{ ok: boolean; output: string }> {
    const args = ['apply', '-input=false', '-no-color', '-auto-approve', '-lock-timeout=10s'];
    for (const f of options.varFiles ?? []) args.push(`-var-file=${f}`);
    const result = await this.run(args, TOFU_LIMITS.applyTimeoutMs);
    return { ok: result.exitCode === 0, output: tail(result) };
  }

  /** `test -json`, optionally only some files (`-filter`) and another test folder. */
  async test(options: { filter?: string[]; testDirectory?: string } = {}): Promise<TofuTestResult> {
    const args = ['test', '-json', '-no-color'];
    if (options.testDirectory) args.push(`-test-directory=${options.testDirectory}`);
    for (const f of options.filter ?? []) args.push(`-filter=${f}`);
    const result = await this.run(args, TOFU_LIMITS.testTimeoutMs);
    const parsed = parseTestJson(result.stdout, result.exitCode);
    return { ...parsed, output: tail(result) };
  }
}
