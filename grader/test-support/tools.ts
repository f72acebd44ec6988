/**
 * Gating for tests that need a real tool (a Docker engine, an image, python3,
 * a CLI from the project venv).
 *
 * Usage, at the top level of a test file:
 *
 *   const docker = await toolGate('docker', probeDocker);
 *   describeWithTool(docker, 'lab 01 in a real container', () => { ... });
 *
 * Semantics, decided by {@link decideGate}:
 * - the tool is available: the tests run;
 * - it is missing and MLOPS_LAB_REQUIRE_ALL=1 (CI sets it): the tests are not
 *   skipped, they fail with "MLOPS_LAB_REQUIRE_ALL=1 and <tool> is missing:
 *   <reason>; <how to get it>";
 * - it is missing otherwise: the tests are skipped and the reason is printed
 *   once (console.warn), so a skip is reported, not hidden.
 *
 * In the failing case `toolGate` itself registers one failing test in the
 * calling file (when called where tests can be registered), so even
 * `describe.skipIf(!docker.available)(...)` cannot turn a required tool into a
 * silent skip. `describeWithTool` adds a failing `beforeAll` in front of the
 * suite's own hooks, so those never run against a missing tool.
 */
import { execFile } from 'node:child_process';
import { constants as fsConstants } from 'node:fs';
import { access } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { beforeAll, describe, test } from 'vitest';
import { venvDir } from '../src/paths.ts';
import { findComposeCli } from '../src/evidence/compose.ts';
import { ProcessEvidence } from '../src/evidence/process.ts';
import { RegistryEvidence } from '../src/evidence/registry.ts';

/** What a probe found out about a tool. */
export interface ProbeResult {
  available: boolean;
  /** Why the tool is not usable (shown in skip and failure messages). */
  reason?: string;
  /** How to get the tool (shown in skip and failure messages). */
  hint?: string;
  /** What was found when available: a version, a path, an image id. */
  detail?: string;
}

export type Probe = () => ProbeResult | Promise<ProbeResult>;

export type GateDecision =
  { action: 'run'; message?: undefined } | { action: 'skip'; message: string } | { action: 'fail'; message: string };

export interface ToolGate extends ProbeResult {
  tool: string;
  decision: GateDecision;
  /** True only when the tests should be skipped (missing and not required). */
  skip: boolean;
  /** Throws the failure or skip message unless the tool is available; for use inside tests and hooks. */
  assertAvailable(): void;
}

export type Env = Record<string, string | undefined>;

export const REQUIRE_ALL_VAR = 'MLOPS_LAB_REQUIRE_ALL';

/** Whether MLOPS_LAB_REQUIRE_ALL asks for every tool (1, true, yes; case-insensitive). */
export function requireAll(env: Env = process.env): boolean {
  const value = (env[REQUIRE_ALL_VAR] ?? '').trim().toLowerCase();
  return value === '1' || value === 'true' || value === 'yes';
}

/** The pure decision: run, skip (with a message to print) or fail (with the failure message). */
export function decideGate(probe: ProbeResult, env: Env = process.env, tool = 'a required tool'): GateDecision {
  if (probe.available) return { action: 'run' };
  const reason = probe.reason?.trim() || 'not found';
  const hint = probe.hint?.trim() || 'install it and make it available on PATH';
  if (requireAll(env)) {
    return { action: 'fail', message: `${REQUIRE_ALL_VAR}=1 and ${tool} is missing: ${reason}; ${hint}` };
  }
  return {
    action: 'skip',
    message: `${tool} is missing: ${reason}; ${hint}. Tests that need it are skipped (set ${REQUIRE_ALL_VAR}=1 to make this a failure).`,
  };
}

const warnedKey = Symbol.for('mlops-lab.test-support.tools.warned');
type WarnedRegistry = { [warnedKey]?: Set<string> };

function warnOnce(key: string, message: string): void {
  const registry = globalThis as WarnedRegistry;
  const warned = (registry[warnedKey] ??= new Set<string>());
  if (warned.has(key)) return;
  warned.add(key);
  console.warn(`[skip] ${message}`);
}

export interface ToolGateOptions {
  env?: Env;
  /** Overrides the probe's hint. */
  hint?: string;
  /** Register a failing test in the calling file when the tool is required but missing (default true). */
  registerFailingTest?: boolean;
}

/**
 * Runs the probe (a throwing probe counts as "missing") and decides.
 * Call it at the top level of a test file (top-level await).
 */
export async function toolGate(tool: string, probe: Probe, options: ToolGateOptions = {}): Promise<ToolGate> {
  let result: ProbeResult;
  try {
    result = await probe();
  } catch (error) {
    result = { available: false, reason: `probe failed: ${errorText(error)}` };
  }
  if (options.hint) result = { ...result, hint: options.hint };
  const decision = decideGate(result, options.env ?? process.env, tool);

  if (decision.action === 'skip') warnOnce(`${tool}\0${decision.message}`, decision.message);
  if (decision.action === 'fail' && options.registerFailingTest !== false) {
    try {
      test(`requires ${tool} (${REQUIRE_ALL_VAR}=1)`, () => {
        throw new Error(decision.message);
      });
    } catch {
      // Not in a place where tests can be registered (inside a test or hook):
      // describeWithTool / assertAvailable still fail.
    }
  }

  return {
    ...result,
    tool,
    decision,
    skip: decision.action === 'skip',
    assertAvailable() {
      if (decision.action !== 'run') throw new Error(decision.message);
    },
  };
}

/**
 * `describe` gated on a tool: runs when available, is skipped when missing,
 * and fails (before any of the suite's own hooks run) when missing under
 * MLOPS_LAB_REQUIRE_ALL=1.
 */
export function describeWithTool(gate: ToolGate, name: string, fn: () => void): void {
  const gates = [gate];
  describeWithTools(gates, name, fn);
}

/** {@link describeWithTool} for a suite that needs several tools. */
export function describeWithTools(gates: ToolGate[], name: string, fn: () => void): void {
  const failing = gates.filter((g) => g.decision.action === 'fail');
  if (failing.length > 0) {
    describe(name, () => {
      beforeAll(() => {
        throw new Error(failing.map((g) => g.decision.message).join('\n'));
      });
      fn();
    });
    return;
  }
  if (gates.some((g) => g.skip)) {
    describe.skip(name, fn);
    return;
  }
  describe(name, fn);
}

// ---------------------------------------------------------------------------
// Probes

interface ExecOutcome {
  code: number | null;
  stdout: string;
  stderr: string;
  error?: NodeJS.ErrnoException & { killed?: boolean };
}

function run(cmd: string, args: string[], timeoutMs: number, env: Env = process.env): Promise<ExecOutcome> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: timeoutMs, env, encoding: 'utf8', maxBuffer: 4 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (!error) {
        resolve({ code: 0, stdout, stderr });
        return;
      }
      const err = error as NodeJS.ErrnoException & { killed?: boolean; code?: string | number };
      resolve({ code: typeof err.code === 'number' ? err.code : null, stdout, stderr, error: err });
    });
  });
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The last meaningful line of a command's stderr (docker prints the real error last). */
function lastLine(text: string): string {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return lines.at(-1) ?? '';
}

function failureReason(cmdline: string, outcome: ExecOutcome, timeoutMs: number): string {
  if (outcome.error?.code === 'ENOENT') return `\`${cmdline.split(' ')[0]}\` is not on PATH`;
  if (outcome.error?.killed) return `\`${cmdline}\` did not answer within ${timeoutMs / 1000} s`;
  const why = lastLine(outcome.stderr) || lastLine(outcome.stdout) || errorText(outcome.error);
  return `\`${cmdline}\` failed: ${why}`;
}

function dockerHostNote(env: Env): string {
  return env.DOCKER_HOST ? ` (DOCKER_HOST=${env.DOCKER_HOST})` : '';
}

export const DOCKER_HINT =
  'install Docker Engine (Debian: `apt-get install docker.io`) and start it, or point DOCKER_HOST at a running engine; ' +
  'CI (.ci/run) starts a private dockerd';

/** A Docker Engine answers `docker version` within 5 s (honours DOCKER_HOST). */
export async function probeDocker(env: Env = process.env): Promise<ProbeResult> {
  const timeoutMs = 5_000;
  const outcome = await run('docker', ['version', '--format', '{{.Server.Version}}'], timeoutMs, env);
  const version = outcome.stdout.trim();
  if (outcome.code === 0 && version) return { available: true, detail: `Docker Engine ${version}` };
  return {
    available: false,
    reason: `${failureReason('docker version', outcome, timeoutMs)}${dockerHostNote(env)}`,
    hint: DOCKER_HINT,
  };
}

/** The image `tag` is present in the engine (no pull is attempted). */
export function probeDockerImage(tag: string, env: Env = process.env): Probe {
  return async () => {
    const timeoutMs = 10_000;
    const outcome = await run('docker', ['image', 'inspect', '--format', '{{.Id}}', tag], timeoutMs, env);
    const id = outcome.stdout.trim();
    if (outcome.code === 0 && id) return { available: true, detail: id };
    const notFound = /no such image/i.test(outcome.stderr);
    return {
      available: false,
      reason: notFound
        ? `image ${tag} is not in the Docker engine${dockerHostNote(env)}`
        : `${failureReason(`docker image inspect ${tag}`, outcome, timeoutMs)}${dockerHostNote(env)}`,
      hint: notFound
        ? `\`docker pull ${tag}\`, or without a registry build a local stand-in with \`bash .ci/build-base-image.sh ${tag}\``
        : DOCKER_HINT,
    };
  };
}

export const PYTHON_HINT =
  'install Python 3.11 (Debian: `apt-get install python3 python3-venv`; others: https://www.python.org/downloads/)';

/** python3 (or MLOPS_LAB_PYTHON) runs. */
export async function probePython(env: Env = process.env): Promise<ProbeResult> {
  const python = env.MLOPS_LAB_PYTHON || 'python3';
  const timeoutMs = 10_000;
  const outcome = await run(python, ['--version'], timeoutMs, env);
  const version = (outcome.stdout || outcome.stderr).trim();
  if (outcome.code === 0 && version) return { available: true, detail: version };
  return { available: false, reason: failureReason(`${python} --version`, outcome, timeoutMs), hint: PYTHON_HINT };
}

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Where `name` would run from: <repo>/.venv/bin first, then PATH; undefined when nowhere. */
export async function findVenvTool(name: string, env: Env = process.env): Promise<string | undefined> {
  const venvBin = join(venvDir(), process.platform === 'win32' ? 'Scripts' : 'bin');
  const candidates = [
    join(venvBin, name),
    ...(env.PATH ?? '')
      .split(delimiter)
      .filter(Boolean)
      .map((d) => join(d, name)),
  ];
  for (const candidate of candidates) {
    if (await isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** An executable `name` (mlflow, dvc, ...) in <repo>/.venv/bin or on PATH; `detail` is its path. */
export function probeVenvTool(name: string, env: Env = process.env): Probe {
  return async () => {
    const path = await findVenvTool(name, env);
    if (path) return { available: true, detail: path };
    return {
      available: false,
      reason: `\`${name}\` is neither in ${join(venvDir(), 'bin')} nor on PATH`,
      hint: 'run `npm run setup:tools` (creates .venv from labs/requirements-tools.txt)',
    };
  };
}

/** How to get the programs the serving, monitoring and IaC labs run. */
const PROGRAM_HINTS: Record<string, string> = {
  prometheus: 'install Debian\'s `prometheus` package (`sudo apt-get install prometheus`; ships promtool too)',
  promtool: 'install Debian\'s `prometheus` package (`sudo apt-get install prometheus`)',
  alertmanager: 'install Debian\'s `prometheus-alertmanager` package (`sudo apt-get install prometheus-alertmanager`)',
  helm: 'run `bash cluster/scripts/setup-helm.sh` (builds Helm v3.22.0 from the Go module proxy into .venv/bin; needs Go)',
  tofu: 'run `npm run setup:tools -- --tofu` (builds OpenTofu from the Go module proxy into .venv/bin) or install OpenTofu',
};

/** Other names a program goes by (Debian installs Alertmanager as `prometheus-alertmanager`). */
const PROGRAM_ALIASES: Record<string, string[]> = { alertmanager: ['prometheus-alertmanager'] };

/** A program found the way the grader finds it: .venv/bin first, then PATH (under its own name, then its aliases). */
export function probeProgram(name: string, env: Env = process.env): Probe {
  return async () => {
    for (const candidate of [name, ...(PROGRAM_ALIASES[name] ?? [])]) {
      const path = await findVenvTool(candidate, env);
      if (path) return { available: true, detail: path };
    }
    return {
      available: false,
      reason: `\`${name}\` is neither in ${join(venvDir(), 'bin')} nor on PATH`,
      hint: PROGRAM_HINTS[name] ?? `install ${name} and put it on PATH`,
    };
  };
}

/** A message and next step from the grader's own errors (they carry `nextStep`). */
function errorParts(error: unknown): { reason: string; hint?: string } {
  const nextStep = (error as { nextStep?: unknown } | null)?.nextStep;
  return { reason: errorText(error), ...(typeof nextStep === 'string' ? { hint: nextStep } : {}) };
}

/** A Docker registry answers the Registry HTTP API v2 at MLOPS_LAB_REGISTRY (default 127.0.0.1:5000). */
export async function probeRegistry(env: Env = process.env): Promise<ProbeResult> {
  try {
    const registry = new RegistryEvidence(env as NodeJS.ProcessEnv);
    const { apiVersion } = await registry.ping();
    return { available: true, detail: `${apiVersion} at ${registry.address}` };
  } catch (error) {
    return { available: false, ...errorParts(error) };
  }
}

/** Docker Compose runs: the `docker compose` plugin, else `docker-compose`. */
export async function probeCompose(env: Env = process.env): Promise<ProbeResult> {
  try {
    const cli = await findComposeCli(new ProcessEvidence(env as NodeJS.ProcessEnv));
    return { available: true, detail: `${cli.display} ${cli.version}` };
  } catch (error) {
    return { available: false, ...errorParts(error) };
  }
}

/** The probes by name, for `toolGate('docker', probes.docker)`. */
export const probes = {
  docker: () => probeDocker(),
  dockerImage: (tag: string) => probeDockerImage(tag),
  python: () => probePython(),
  venvTool: (name: string) => probeVenvTool(name),
  registry: () => probeRegistry(),
  compose: () => probeCompose(),
};
