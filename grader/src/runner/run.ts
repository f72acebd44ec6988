import { randomUUID } from 'node:crypto';
import { DockerEvidence } from '../evidence/docker.ts';
import { WorkspaceFiles } from '../evidence/files.ts';
import { HttpEvidence } from '../evidence/http.ts';
import { KubeEvidence } from '../evidence/kube.ts';
import { MlflowEvidence } from '../evidence/mlflow.ts';
import { ProcessEvidence } from '../evidence/process.ts';
import { MlopsLabError } from '../errors.ts';
import { probeTools, type ToolStatus } from '../doctor/probes.ts';
import type { CheckContext, CheckOutcome, Evidence, WorkspaceInfo } from '../lab/context.ts';
import type { LoadedLab } from '../lab/load.ts';
import type { CheckDefinition, ToolId } from '../lab/schema.ts';
import { workspaceId } from '../lab/workspace.ts';
import { graderVersion } from '../version.ts';
import { RESULT_SCHEMA_VERSION, overallStatus, type AttemptResult, type CheckResult } from '../result/schema.ts';

export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_RETRY_DELAY_MS = 1_000;

export interface RunLabOptions {
  lab: LoadedLab;
  /** Real path of the workspace. */
  workspaceDir: string;
  learner: string;
  source: AttemptResult['source'];
  credit: AttemptResult['credit'];
  env?: NodeJS.ProcessEnv;
  /** Override evidence sources (tests point them at fixtures). */
  evidence?: Partial<Evidence>;
  signal?: AbortSignal;
  onCheckStart?: (check: { id: string; title: string }) => void;
  onCheckFinish?: (result: CheckResult) => void;
  onProgress?: (checkId: string, note: string) => void;
}

/** Builds the evidence sources for a workspace. */
export function createEvidence(workspaceDir: string, env: NodeJS.ProcessEnv = process.env, overrides: Partial<Evidence> = {}): Evidence {
  return {
    files: overrides.files ?? new WorkspaceFiles(workspaceDir),
    docker: overrides.docker ?? new DockerEvidence(env),
    http: overrides.http ?? new HttpEvidence(),
    kube: overrides.kube ?? new KubeEvidence(env),
    mlflow: overrides.mlflow ?? new MlflowEvidence({ env }),
    process: overrides.process ?? new ProcessEvidence(env),
  };
}

/**
 * Grades a workspace: runs the lab's checks as a graph (a check whose
 * prerequisite did not pass is skipped with the reason), with per-check
 * timeout and retries, bounded concurrency, and one evidence cache per run.
 */
export async function runLab(options: RunLabOptions): Promise<AttemptResult> {
  const { lab } = options;
  const manifest = lab.manifest;
  const env = options.env ?? process.env;
  const startedAt = new Date();
  const evidence = createEvidence(options.workspaceDir, env, options.evidence);
  const workspace: WorkspaceInfo = { dir: options.workspaceDir, id: workspaceId(options.workspaceDir) };
  const memo = new Map<string, Promise<unknown>>();
  // Run-level teardowns registered by checks (ctx.onRunEnd): a service the
  // checks started, a Prometheus they shared. Run last-in first-out after
  // every check finished, whatever the outcome.
  const teardowns: (() => Promise<void> | void)[] = [];

  // Probe every tool the checks use once, so a missing Docker is reported
  // as one clear environment error per check instead of N timeouts.
  const tools = new Set<ToolId>(manifest.checks.flatMap((c) => c.requires));
  const probes = await probeTools(tools, { docker: evidence.docker, kube: evidence.kube, process: evidence.process, env });

  const results = new Map<string, CheckResult>();
  const done = new Map<string, Promise<CheckResult>>();
  const limit = createLimiter(manifest.concurrency);

  const schedule = (check: CheckDefinition): Promise<CheckResult> => {
    const existing = done.get(check.id);
    if (existing) return existing;
    const promise = (async (): Promise<CheckResult> => {
      const prerequisites = await Promise.all(check.needs.map((id) => schedule(manifest.checks.find((c) => c.id === id)!)));
      const blocked = prerequisites.find((r) => r.status !== 'pass');
      let result: CheckResult;
      if (blocked) {
        result = {
          id: check.id,
          title: check.title,
          status: 'skip',
          message: `Skipped because "${blocked.id}" did not pass (${blocked.status}); fix that first.`,
          durationMs: 0,
        };
      } else {
        const missing = check.requires.map((t) => probes.get(t)).find((p): p is ToolStatus => p !== undefined && !p.ok);
        if (missing) {
          result = {
            id: check.id,
            title: check.title,
            status: 'error',
            message: `${missing.tool} is not ready: ${missing.detail}`,
            ...(missing.fix ? { hint: missing.fix } : {}),
            code: missing.code ?? 'TOOL_MISSING',
            durationMs: 0,
          };
        } else {
          result = await limit(() =>
            runCheck(check, {
              lab: { id: manifest.id, version: manifest.version },
              workspace,
              evidence,
              memo,
              teardowns,
              policy: {
                timeoutMs: check.timeoutMs ?? manifest.defaults.timeoutMs ?? DEFAULT_TIMEOUT_MS,
                retries: check.retries ?? manifest.defaults.retries ?? 0,
                retryDelayMs: check.retryDelayMs ?? manifest.defaults.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS,
              },
              signal: options.signal,
              onStart: () => options.onCheckStart?.({ id: check.id, title: check.title }),
              onProgress: (note) => options.onProgress?.(check.id, note),
            }),
          );
        }
      }
      results.set(check.id, result);
      options.onCheckFinish?.(result);
      return result;
    })();
    done.set(check.id, promise);
    return promise;
  };

  try {
    await Promise.all(manifest.checks.map(schedule));
  } finally {
    for (const teardown of teardowns.reverse()) {
      try {
        await teardown();
      } catch {
        // A teardown that fails must not hide the results; what it leaves is
        // labelled for the lab's cleanup.
      }
    }
  }
  const checks = manifest.checks.map((c) => results.get(c.id)!);
  const dockerProbe = probes.get('docker');
  const kubeProbe = probes.get('cluster');
  return {
    schemaVersion: RESULT_SCHEMA_VERSION,
    lab: { id: manifest.id, version: manifest.version },
    attemptId: randomUUID(),
    learner: options.learner,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    status: overallStatus(checks),
    credit: options.credit,
    source: options.source,
    environment: {
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
      ...(dockerProbe?.ok ? { docker: dockerProbe.detail.split(' ')[2] ?? dockerProbe.detail } : {}),
      ...(kubeProbe?.ok ? { kubernetes: kubeProbe.detail.replace(/^Kubernetes /, '') } : {}),
      grader: graderVersion,
    },
    checks,
  };
}

interface CheckRunSettings {
  lab: { id: string; version: string };
  workspace: WorkspaceInfo;
  evidence: Evidence;
  memo: Map<string, Promise<unknown>>;
  teardowns: (() => Promise<void> | void)[];
  policy: { timeoutMs: number; retries: number; retryDelayMs: number };
  signal: AbortSignal | undefined;
  onStart: () => void;
  onProgress: (note: string) => void;
}

/** Runs one check with its timeout and retries; never throws. */
export async function runCheck(check: CheckDefinition, settings: CheckRunSettings): Promise<CheckResult> {
  settings.onStart();
  const started = performance.now();
  let outcome: CheckOutcome & { code?: string } = { status: 'error', message: 'The check did not run.' };
  let tries = 0;
  for (let attempt = 0; attempt <= settings.policy.retries; attempt++) {
    tries++;
    if (attempt > 0) {
      settings.onProgress(`retry ${attempt}/${settings.policy.retries}`);
      await sleep(settings.policy.retryDelayMs, settings.signal);
    }
    outcome = await runOnce(check, settings);
    if (outcome.status === 'pass' || outcome.status === 'skip' || settings.signal?.aborted) break;
    if (outcome.status === 'error' && outcome.code && !RETRYABLE_CODES.has(outcome.code)) break;
  }
  const result: CheckResult = {
    id: check.id,
    title: check.title,
    status: outcome.status,
    message: outcome.message,
    durationMs: Math.round(performance.now() - started),
    tries,
  };
  if ('expected' in outcome && outcome.expected !== undefined) result.expected = outcome.expected;
  if ('actual' in outcome && outcome.actual !== undefined) result.actual = outcome.actual;
  if ('hint' in outcome && outcome.hint !== undefined) result.hint = outcome.hint;
  if (outcome.code !== undefined) result.code = outcome.code;
  if ('figures' in outcome && outcome.figures !== undefined && Object.keys(outcome.figures).length > 0) {
    result.figures = { ...outcome.figures };
  }
  return result;
}

/** Errors that can clear up by themselves, so a retry is worth it. */
const RETRYABLE_CODES = new Set(['CHECK_TIMEOUT', 'HTTP_TIMEOUT', 'HTTP_UNREACHABLE', 'CLUSTER_TIMEOUT']);

async function runOnce(check: CheckDefinition, settings: CheckRunSettings): Promise<CheckOutcome & { code?: string }> {
  const controller = new AbortController();
  const signals = [controller.signal, ...(settings.signal ? [settings.signal] : [])];
  const signal = AbortSignal.any(signals);
  const ctx: CheckContext = {
    ...settings.evidence,
    lab: settings.lab,
    workspace: settings.workspace,
    signal,
    memo<T>(key: string, compute: () => Promise<T>): Promise<T> {
      let existing = settings.memo.get(key) as Promise<T> | undefined;
      if (!existing) {
        existing = compute();
        settings.memo.set(key, existing);
      }
      return existing;
    },
    progress: settings.onProgress,
    onRunEnd(teardown: () => Promise<void> | void): void {
      settings.teardowns.push(teardown);
    },
  };
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<CheckOutcome & { code?: string }>((resolvePromise) => {
    timer = setTimeout(() => {
      controller.abort();
      resolvePromise({
        status: 'error',
        code: 'CHECK_TIMEOUT',
        message: `The check did not finish within ${formatDuration(settings.policy.timeoutMs)}.`,
        hint: 'Something it waits for is slow or stuck; run the step by hand to see where.',
      });
    }, settings.policy.timeoutMs);
  });
  try {
    const run = Promise.resolve()
      .then(() => check.run(ctx))
      .then((outcome) => validateOutcome(outcome, check.id));
    return await Promise.race([run, timeout]);
  } catch (error) {
    return outcomeFromError(error);
  } finally {
    clearTimeout(timer);
  }
}

function validateOutcome(outcome: unknown, checkId: string): CheckOutcome {
  const o = outcome as Partial<CheckOutcome> | undefined;
  if (!o || !['pass', 'fail', 'error', 'skip'].includes(o.status as string) || typeof o.message !== 'string' || o.message.length === 0) {
    return {
      status: 'error',
      message: `The check "${checkId}" returned no status or message; this is a bug in the lab.`,
      hint: 'Report it to the lab author.',
    };
  }
  return o as CheckOutcome;
}

/** An exception inside a check becomes an `error` result that says what to do. */
export function outcomeFromError(error: unknown): CheckOutcome & { code?: string } {
  if (error instanceof MlopsLabError) {
    return { status: 'error', code: error.code, message: error.message, ...(error.nextStep ? { hint: error.nextStep } : {}) };
  }
  const message = error instanceof Error ? error.message : String(error);
  return {
    status: 'error',
    code: 'CHECK_CRASHED',
    message: `The check crashed: ${message}`,
    hint: 'This is likely a bug in the lab; run `mlops-lab doctor` and report it with the output of `mlops-lab check --json`.',
  };
}

function formatDuration(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolvePromise) => {
    const timer = setTimeout(resolvePromise, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolvePromise();
    }, { once: true });
  });
}

/** At most `n` tasks at a time, in arrival order. A finishing task hands its slot to the next in line. */
function createLimiter(n: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const queue: (() => void)[] = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (active >= n) await new Promise<void>((r) => queue.push(r));
    else active++;
    try {
      return await task();
    } finally {
      const resume = queue.shift();
      if (resume) resume();
      else active--;
    }
  };
}
