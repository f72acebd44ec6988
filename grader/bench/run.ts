/**
 * npm run bench [-- --runs N] [--write]
 *
 * Grading latency of docker/01-containerise-model-api on a solved, warm
 * workspace, next to the same nine checks written as a shell-script grader
 * (docker-01-verify.sh). Every variant runs in the same bench, interleaved
 * run by run, so machine noise (other builds, a busy engine) hits all alike:
 *   (a) `mlops-lab check … --json` as a process: what a learner waits for;
 *   (b) docker-01-verify.sh as a process: the shell-script baseline;
 *   (c) runLab() in this process: the engine without Node start-up;
 *   (d) `mlops-lab --version`: Node start-up and the CLI entry alone;
 *   (e) importing the `check` command's modules in a fresh process.
 * Prints a table; --write puts it, with the machine, into BENCHMARKS.md.
 * Exit codes: 0 done, 1 a variant did not pass, 2 usage, 3 Docker not ready.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import {
  DockerEvidence,
  LABEL_WORKSPACE,
  MlopsLabError,
  applySolution,
  cleanupLab,
  createWorkspace,
  findLab,
  removeWorkspace,
  repoRoot,
  runLab,
  workspaceId,
  type AttemptResult,
  type LoadedLab,
} from '../src/index.ts';
import { BENCHMARKS_FILE, BenchExit, errorText, parseRuns, runBench, sectionMarkers, writeBenchmarkSection } from './benchmarks-file.ts';

const LAB_ID = 'docker/01-containerise-model-api';
const BASE_IMAGE = 'python:3.11-slim-bookworm';
const CLI = join(repoRoot, 'grader', 'bin', 'mlops-lab.js');
const VERIFY_SCRIPT = join(repoRoot, 'grader', 'bench', 'docker-01-verify.sh');
const GNU_TIME = '/usr/bin/time';
const MIN_RUNS_FOR_WRITE = 10;
const { start: SECTION_START, end: SECTION_END } = sectionMarkers('docker-01');

const execFileAsync = promisify(execFile);

type Variant = 'cli' | 'bash' | 'engine' | 'startup' | 'imports';

interface Sample {
  wallMs: number;
  /** Peak RSS in KiB, from GNU time (only for the process variants). */
  maxRssKb?: number;
  /** Milliseconds per check id, as the variant reported them. */
  checks?: Record<string, number>;
  /** (e) only: whether the `check` command's imports pulled in the Kubernetes client. */
  loadsKube?: boolean;
}

interface ProcessRun {
  wallMs: number;
  exitCode: number;
  stdout: string;
  stderr: string;
  maxRssKb?: number;
}

interface Machine {
  date: string;
  nproc: string;
  memory: string;
  cpu: string;
  os: string;
  kernel: string;
  node: string;
  dockerEngine: string;
  dockerCli: string;
  cliBuilder: string;
  rssTool: string;
}

interface Stats {
  median: number;
  p90: number;
  min: number;
  max: number;
}

async function main(): Promise<number> {
  let values: { runs?: string; write?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      options: {
        runs: { type: 'string', default: '15' },
        write: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    process.stderr.write(`${errorText(error)}\nUsage: npm run bench [-- --runs N] [--write]\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(
      'Usage: npm run bench [-- --runs N] [--write]\n  --runs N   measured runs per variant (default 15)\n  --write    update BENCHMARKS.md\n',
    );
    return 0;
  }
  const runs = parseRuns(values.runs, Boolean(values.write), MIN_RUNS_FOR_WRITE);

  const docker = new DockerEvidence(process.env);
  const machine = await describeMachine(docker);
  const lab = await findLab(LAB_ID);
  const samples = await measure(lab, docker, runs);
  const report = renderReport(samples, machine, runs);
  process.stdout.write(`\n${report.text}\n`);
  if (values.write) {
    await writeBenchmarkSection('docker-01', report.markdown, log);
    process.stdout.write(`\nUpdated ${BENCHMARKS_FILE}.\n`);
  }
  return 0;
}

/** What this machine is, and whether it can run the bench at all (else exit 3). */
async function describeMachine(docker: DockerEvidence): Promise<Machine> {
  let dockerEngine: string;
  try {
    dockerEngine = await docker.version();
  } catch (error) {
    if (error instanceof MlopsLabError) throw new BenchExit(3, `${error.message}${error.nextStep ? `\n${error.nextStep}` : ''}`);
    throw error;
  }
  const dockerCli = await output('docker', ['version', '--format', '{{.Client.Version}}']).catch((error: unknown) => {
    throw new BenchExit(3, `The docker CLI does not run (${errorText(error)}); the shell-script variant needs it on PATH.`);
  });
  if (!(await docker.inspectImage(BASE_IMAGE))) {
    // Without it the first build would pull (or fail offline) and nothing would be warm.
    throw new BenchExit(
      3,
      `The base image ${BASE_IMAGE} is not in the engine: \`docker pull ${BASE_IMAGE}\` (offline: .ci/build-base-image.sh ${BASE_IMAGE}).`,
    );
  }
  // Without the buildx plugin, `docker build` uses the classic builder while
  // the grader asks the engine for BuildKit: the two cache differently.
  const buildx = await output('docker', ['buildx', 'version']).then(
    (v) => `BuildKit (${v.split('\n')[0]})`,
    () => 'classic builder (no buildx plugin)',
  );
  const cpuinfo = await readFile('/proc/cpuinfo', 'utf8').catch(() => '');
  const osRelease = await readFile('/etc/os-release', 'utf8').catch(() => '');
  const free = await output('free', ['-h']).catch(() => '');
  return {
    date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
    nproc: await output('nproc', []).catch(() => 'unknown'),
    memory: describeMemory(free),
    cpu: /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? 'unknown',
    os: /^PRETTY_NAME="?([^"\n]+)"?$/m.exec(osRelease)?.[1] ?? 'unknown',
    kernel: release(),
    node: process.version,
    dockerEngine,
    dockerCli,
    cliBuilder: buildx,
    rssTool: (await gnuTimeWorks())
      ? `GNU time (${GNU_TIME} -f %M: the kernel's ru_maxrss of the waited-for process)`
      : 'not measured: GNU time is missing (apt-get install -y time)',
  };
}

/**
 * Sets up a solved workspace, warms every variant once, then measures them
 * interleaved. Whatever happens, removes the workspace and everything it
 * made in Docker before returning or throwing.
 */
async function measure(lab: LoadedLab, docker: DockerEvidence, runs: number): Promise<Record<Variant, Sample[]>> {
  const tmp = await mkdtemp(join(tmpdir(), 'mlops-lab-bench-'));
  const home = join(tmp, 'home');
  await mkdir(home);
  const env = { ...process.env, MLOPS_LAB_HOME: home, NO_COLOR: '1' };
  const controller = new AbortController();
  const onSigint = (): void => controller.abort();
  process.once('SIGINT', onSigint);
  let dir: string | undefined;
  let bashTag: string | undefined;
  let imagesBefore = new Set<string>();
  const bashBuildIds: string[] = [];
  try {
    log('setting up a solved workspace (builds the image with the grader)…');
    dir = (await createWorkspace(lab, join(tmp, 'workspace'))).dir;
    await applySolution(lab, dir, { env, signal: controller.signal });
    bashTag = `mlops-lab-bench/docker-01-verify:${workspaceId(dir)}`;

    // The script's `docker build` may leave untagged intermediate images
    // (classic builder); note what exists now so cleanup removes only ours.
    imagesBefore = new Set(await dockerLines(['images', '-aq', '--no-trunc']));
    log('priming the shell script’s build cache…');
    await primeBashBuild(dir, bashTag, bashBuildIds);

    const variants: Record<Variant, () => Promise<Sample>> = {
      cli: () => runCli(dir!, env, controller.signal),
      bash: () => runBash(dir!, bashTag!, env, controller.signal),
      engine: () => runEngine(lab, dir!, env, controller.signal),
      startup: () => runStartup(env, controller.signal),
      imports: () => runImports(env, controller.signal),
    };
    const order = Object.keys(variants) as Variant[];
    log('warm-up: one unmeasured run of each variant…');
    for (const v of order) await variants[v]();

    const samples: Record<Variant, Sample[]> = { cli: [], bash: [], engine: [], startup: [], imports: [] };
    for (let i = 0; i < runs; i++) {
      // Rotate the order so no variant always runs right after the same one.
      const rotated = [...order.slice(i % order.length), ...order.slice(0, i % order.length)];
      for (const v of rotated) {
        if (controller.signal.aborted) throw new BenchExit(130, 'Interrupted; nothing was written.');
        samples[v].push(await variants[v]());
      }
      log(`run ${i + 1}/${runs}: ${order.map((v) => `${v} ${fmtMs(samples[v].at(-1)!.wallMs)}`).join(' · ')}`);
    }
    return samples;
  } catch (error) {
    // An abort makes the running variant fail in its own way; say what happened.
    if (controller.signal.aborted) throw new BenchExit(130, 'Interrupted; nothing was written.');
    throw error;
  } finally {
    process.off('SIGINT', onSigint);
    await cleanup({ lab, docker, dir, bashTag, bashBuildIds, imagesBefore, tmp });
  }
}

/** (a) The learner's command, as a process. */
async function runCli(dir: string, env: NodeJS.ProcessEnv, signal: AbortSignal): Promise<Sample> {
  const run = await timedProcess(process.execPath, [CLI, 'check', LAB_ID, '--dir', dir, '--json'], env, signal);
  let result: AttemptResult | undefined;
  try {
    result = JSON.parse(run.stdout) as AttemptResult;
  } catch {
    // Reported below with the output.
  }
  if (run.exitCode !== 0 || result?.status !== 'pass') {
    throw new BenchExit(
      1,
      `mlops-lab check did not pass on the solved workspace (exit ${run.exitCode}):\n${failedChecks(result) || run.stderr || run.stdout}`,
    );
  }
  return { wallMs: run.wallMs, maxRssKb: run.maxRssKb, checks: Object.fromEntries(result.checks.map((c) => [c.id, c.durationMs])) };
}

/** (b) The shell-script grader, as a process. */
async function runBash(dir: string, tag: string, env: NodeJS.ProcessEnv, signal: AbortSignal): Promise<Sample> {
  const run = await timedProcess('bash', [VERIFY_SCRIPT, dir, tag], { ...env, VERIFY_TIMINGS: '1' }, signal);
  const lines = run.stdout.trim().split('\n');
  const checks: Record<string, number> = {};
  for (const line of lines) {
    const [status, id, ms] = line.split(' ');
    if (status === 'PASS' && id) checks[id] = Number(ms);
  }
  if (run.exitCode !== 0 || Object.keys(checks).length !== 9) {
    throw new BenchExit(1, `docker-01-verify.sh did not pass on the solved workspace (exit ${run.exitCode}):\n${run.stdout}${run.stderr}`);
  }
  return { wallMs: run.wallMs, maxRssKb: run.maxRssKb, checks };
}

/** (c) The engine alone: same grading, no process start, no progress store. */
async function runEngine(lab: LoadedLab, dir: string, env: NodeJS.ProcessEnv, signal: AbortSignal): Promise<Sample> {
  const started = performance.now();
  const result = await runLab({ lab, workspaceDir: dir, learner: 'bench', source: 'cli', credit: 'solution', env, signal });
  const wallMs = performance.now() - started;
  if (result.status !== 'pass') throw new BenchExit(1, `runLab did not pass on the solved workspace:\n${failedChecks(result)}`);
  return { wallMs, checks: Object.fromEntries(result.checks.map((c) => [c.id, c.durationMs])) };
}

/** (d) Node start-up plus the CLI entry, for scale. */
async function runStartup(env: NodeJS.ProcessEnv, signal: AbortSignal): Promise<Sample> {
  const run = await timedProcess(process.execPath, [CLI, '--version'], env, signal);
  if (run.exitCode !== 0) throw new BenchExit(1, `mlops-lab --version failed: ${run.stderr}`);
  return { wallMs: run.wallMs, maxRssKb: run.maxRssKb };
}

/**
 * (e) How long a fresh Node process takes to import the `check` command's
 * module graph, timed inside that process; a resolve hook notes whether the
 * Kubernetes client is part of it (the heaviest dependency the grader has).
 */
async function runImports(env: NodeJS.ProcessEnv, signal: AbortSignal): Promise<Sample> {
  const checkCommand = pathToFileURL(join(repoRoot, 'grader', 'src', 'cli', 'commands', 'check.ts')).href;
  const code = [
    "import { registerHooks } from 'node:module';",
    'let loadsKube = false;',
    "registerHooks({ resolve(specifier, context, next) { if (specifier.startsWith('@kubernetes/client-node')) loadsKube = true; return next(specifier, context); } });",
    'const started = performance.now();',
    `await import(${JSON.stringify(checkCommand)});`,
    'process.stdout.write(JSON.stringify({ ms: performance.now() - started, loadsKube }));',
  ].join('\n');
  const run = await timedProcess(process.execPath, ['--input-type=module', '-e', code], env, signal);
  if (run.exitCode !== 0) throw new BenchExit(1, `importing the check command failed: ${run.stderr}`);
  const { ms, loadsKube } = JSON.parse(run.stdout) as { ms: number; loadsKube: boolean };
  return { wallMs: ms, loadsKube };
}

function failedChecks(result: AttemptResult | undefined): string {
  return (result?.checks ?? [])
    .filter((c) => c.status !== 'pass')
    .map((c) => `  ${c.status} ${c.id}: ${c.message}`)
    .join('\n');
}

/** `free -h`'s Mem line as "23Gi total, 22Gi available". */
function describeMemory(free: string): string {
  const [header, mem] = ['total', 'Mem:'].map((start) =>
    free
      .split('\n')
      .find((l) => l.trim().startsWith(start))
      ?.trim()
      .split(/\s+/),
  );
  if (!header || !mem) return 'unknown';
  const column = (name: string): string | undefined => mem[header.indexOf(name) + 1];
  return `${column('total') ?? '?'} total, ${column('available') ?? '?'} available`;
}

let rssAvailable: boolean | undefined;

/** GNU time, not a shell builtin or BSD time: -f %M must print a number. */
async function gnuTimeWorks(): Promise<boolean> {
  if (rssAvailable === undefined) {
    const report = existsSync(GNU_TIME)
      ? await execFileAsync(GNU_TIME, ['-f', '%M', 'true']).then(
          (r) => r.stderr,
          () => '',
        )
      : '';
    rssAvailable = /^\d+$/.test(report.trim());
  }
  return rssAvailable;
}

/**
 * Runs a process and measures its wall time from spawn to exit. Under GNU
 * time the peak RSS comes from the kernel (wait4's ru_maxrss), which counts
 * the whole life of the process, unlike sampling /proc. GNU time wraps every
 * measured process alike, so its small cost is on every side.
 */
async function timedProcess(command: string, args: string[], env: NodeJS.ProcessEnv, signal: AbortSignal): Promise<ProcessRun> {
  const rssFile = (await gnuTimeWorks()) ? join(env.MLOPS_LAB_HOME ?? tmpdir(), 'maxrss.txt') : undefined;
  const [file, argv] = rssFile ? [GNU_TIME, ['-f', '%M', '-o', rssFile, command, ...args]] : [command, args];
  // A run whose GNU time wrote nothing must not report the previous run's figure.
  if (rssFile) await rm(rssFile, { force: true });
  const started = performance.now();
  const child = spawn(file, argv, { env, stdio: ['ignore', 'pipe', 'pipe'], signal });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exitCode = await new Promise<number>((resolvePromise, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolvePromise(code ?? 1));
  });
  const wallMs = performance.now() - started;
  let maxRssKb: number | undefined;
  if (rssFile) {
    // When the command fails, GNU time writes "Command exited with…" first.
    const last = (await readFile(rssFile, 'utf8').catch(() => '')).trim().split('\n').at(-1);
    maxRssKb = last && /^\d+$/.test(last) ? Number(last) : undefined;
  }
  return { wallMs, exitCode, stdout, stderr, maxRssKb };
}

/**
 * Builds the script's image once, unmeasured and verbose, and collects into
 * `ids` what the classic builder printed for each step: the cache every
 * later `docker build -q` of the script reuses, and what cleanup removes
 * (collected even when the build fails half-way). With BuildKit there are
 * none: its cache is not images.
 */
async function primeBashBuild(dir: string, tag: string, ids: string[]): Promise<void> {
  const collect = (out: { stdout?: unknown; stderr?: unknown }): void => {
    for (const m of `${String(out.stdout ?? '')}\n${String(out.stderr ?? '')}`.matchAll(/---> ([0-9a-f]{12,64})\b/g)) ids.push(m[1]!);
  };
  try {
    collect(await execFileAsync('docker', ['build', '--force-rm', '-t', tag, dir], { maxBuffer: 16 * 1024 * 1024, timeout: 600_000 }));
  } catch (error) {
    collect(error as { stdout?: unknown; stderr?: unknown });
    throw new BenchExit(1, `docker build of the solved workspace failed: ${errorText(error)}`);
  }
}

interface CleanupState {
  lab: LoadedLab;
  docker: DockerEvidence;
  dir: string | undefined;
  bashTag: string | undefined;
  bashBuildIds: string[];
  imagesBefore: Set<string>;
  tmp: string;
}

/** Removes everything the bench made; reports (never throws) what could not be removed. */
async function cleanup(state: CleanupState): Promise<void> {
  const { lab, docker, dir, bashTag } = state;
  const problems: string[] = [];
  const attempt = async (what: string, fn: () => Promise<unknown>): Promise<void> => {
    try {
      await fn();
    } catch (error) {
      problems.push(`${what}: ${errorText(error)}`);
    }
  };
  if (bashTag && (await imageExists(bashTag))) {
    // The script removes its container itself, unless it was killed mid-check.
    await attempt('containers of the script', async () => {
      const ids = await dockerLines(['ps', '-aq', '--filter', `ancestor=${bashTag}`]);
      if (ids.length > 0) await execFileAsync('docker', ['rm', '-f', ...ids]);
    });
    await attempt(`image ${bashTag}`, () => execFileAsync('docker', ['rmi', bashTag]));
  }
  // Intermediate images of the script's builds, latest step first so each is
  // a leaf when its turn comes; never one that existed before the bench, and
  // never a tagged one (the base image shows up in the build output too).
  const all = await dockerLines(['images', '-aq', '--no-trunc']).catch(() => [] as string[]);
  const ours = [...new Set(state.bashBuildIds)]
    .reverse()
    .map((short) => all.find((full) => full.startsWith(`sha256:${short}`)))
    .filter((full): full is string => full !== undefined && !state.imagesBefore.has(full));
  for (const id of ours) {
    const tags = await output('docker', ['image', 'inspect', '--format', '{{len .RepoTags}}', id]).catch(() => undefined);
    if (tags === '0') await execFileAsync('docker', ['rmi', id]).catch(() => undefined);
  }
  if (dir) {
    await attempt('grader containers and images', () => cleanupLab(lab, dir));
    await attempt('workspace', () => removeWorkspace(dir));
    const left = await docker.listLabelled({ [LABEL_WORKSPACE]: workspaceId(dir) }).catch(() => undefined);
    if (left && left.containers.length + left.images.length > 0) {
      problems.push(`still labelled with the workspace: ${left.containers.length} containers, ${left.images.length} images`);
    }
  }
  if (bashTag && (await imageExists(bashTag))) problems.push(`${bashTag} is still there`);
  const after = new Set(await dockerLines(['images', '-aq', '--no-trunc']).catch(() => [] as string[]));
  const leftover = ours.filter((id) => after.has(id));
  if (leftover.length > 0) problems.push(`intermediate images still there: ${leftover.map((id) => id.slice(7, 19)).join(' ')}`);
  await attempt('temporary folder', () => rm(state.tmp, { recursive: true, force: true }));
  if (problems.length > 0) log(`cleanup left something behind:\n  ${problems.join('\n  ')}`);
  else log('cleaned up: workspace, grader image, script image and its intermediate images removed.');
}

async function imageExists(ref: string): Promise<boolean> {
  return await execFileAsync('docker', ['image', 'inspect', ref]).then(
    () => true,
    () => false,
  );
}

async function dockerLines(args: string[]): Promise<string[]> {
  return (await output('docker', args)).split('\n').filter(Boolean);
}

async function output(file: string, args: string[]): Promise<string> {
  const { stdout } = await execFileAsync(file, args, { timeout: 60_000 });
  return stdout.trim();
}

// ---- report ---------------------------------------------------------------

function stats(values: number[]): Stats {
  const s = [...values].sort((x, y) => x - y);
  const n = s.length;
  const mid = Math.floor(n / 2);
  return {
    median: n % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2,
    // Nearest rank: with 15 runs, the 14th fastest.
    p90: s[Math.max(0, Math.ceil(0.9 * n) - 1)]!,
    min: s[0]!,
    max: s[n - 1]!,
  };
}

function fmtMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`;
}

function fmtMiB(kb: number): string {
  return `${(kb / 1024).toFixed(1)} MiB`;
}

function ratio(x: number, y: number): string {
  return `${(x / y).toFixed(2)}×`;
}

function renderReport(samples: Record<Variant, Sample[]>, machine: Machine, runs: number): { text: string; markdown: string } {
  const wall = (v: Variant): Stats => stats(samples[v].map((s) => s.wallMs));
  const rss = (v: Variant): Stats | undefined => {
    const values = samples[v].map((s) => s.maxRssKb).filter((x): x is number => x !== undefined);
    return values.length === samples[v].length ? stats(values) : undefined;
  };
  const bashWall = wall('bash');
  const bashRss = rss('bash');
  const header = ['metric', 'median', 'p90', 'min', 'max', 'grader/bash (median)', 'grader/bash (p90)'];
  const rows: string[][] = [];
  const addWall = (label: string, v: Variant): void => {
    const s = wall(v);
    const vsBash = v === 'cli' || v === 'engine';
    rows.push([
      label,
      fmtMs(s.median),
      fmtMs(s.p90),
      fmtMs(s.min),
      fmtMs(s.max),
      vsBash ? ratio(s.median, bashWall.median) : '',
      vsBash ? ratio(s.p90, bashWall.p90) : '',
    ]);
  };
  addWall('(a) wall: mlops-lab check --json (process)', 'cli');
  addWall('(b) wall: docker-01-verify.sh (process)', 'bash');
  addWall('(c) wall: runLab() in-process', 'engine');
  addWall('(d) wall: mlops-lab --version (Node start-up only)', 'startup');
  addWall('(e) import of the check command’s modules, fresh process', 'imports');
  const cliRss = rss('cli');
  if (cliRss && bashRss) {
    const r = (label: string, s: Stats, vs?: Stats): string[] => [
      label,
      fmtMiB(s.median),
      fmtMiB(s.p90),
      fmtMiB(s.min),
      fmtMiB(s.max),
      vs ? ratio(s.median, vs.median) : '',
      vs ? ratio(s.p90, vs.p90) : '',
    ];
    rows.push(r('(a) peak RSS: mlops-lab check (one Node process)', cliRss, bashRss));
    rows.push(r('(b) peak RSS: largest process of the script (bash or a docker CLI call)', bashRss));
    const startupRss = rss('startup');
    if (startupRss) rows.push(r('(d) peak RSS: mlops-lab --version', startupRss));
  }

  // Where the time goes, per check: the grader's checks overlap (up to 4 at
  // once, after the build), the script's run one after another.
  const ids = Object.keys(samples.cli[0]?.checks ?? {});
  const perCheckMedian = (variant: 'cli' | 'bash' | 'engine', id: string): number =>
    stats(samples[variant].map((s) => s.checks?.[id] ?? 0)).median;
  const perCheck = ids.map((id) => [
    id,
    fmtMs(perCheckMedian('cli', id)),
    fmtMs(perCheckMedian('engine', id)),
    fmtMs(perCheckMedian('bash', id)),
  ]);
  const checkHeader = ['check', 'grader CLI (a)', 'engine (c)', 'script (b)'];

  const a = wall('cli').median;
  const c = wall('engine').median;
  const d = wall('startup').median;
  const e = wall('imports').median;
  const loadsKube = samples.imports.some((s) => s.loadsKube);
  const inspectIds = ['image-runs-as-non-root', 'image-has-healthcheck', 'final-image-under-size-budget'];
  const scriptInspect = stats(inspectIds.map((id) => perCheckMedian('bash', id))).median;
  const explanation = [
    `Most of both runs is \`container-reports-healthy\` (grader ${fmtMs(perCheckMedian('cli', 'container-reports-healthy'))}, script ${fmtMs(perCheckMedian('bash', 'container-reports-healthy'))}): ` +
      'starting the container, then waiting for Docker’s health probe, which first runs one interval (1 s) after start and starts python3 in the container; ' +
      'when the API is not listening yet, the next probe is another second later.',
    `The warm \`image-builds\` is next (grader ${fmtMs(perCheckMedian('cli', 'image-builds'))}: .dockerignore walk, tar of the build context and BuildKit’s cache check of each step, then an image inspect; ` +
      `script ${fmtMs(perCheckMedian('bash', 'image-builds'))}: the docker CLI sends the context to ${machine.cliBuilder.startsWith('BuildKit') ? 'BuildKit' : 'the classic builder, whose cache is intermediate images'}), ` +
      `while the static Dockerfile checks take milliseconds and each \`docker image inspect\` costs the script about ${fmtMs(scriptInspect)} (a CLI start plus one API call).`,
    `The CLI process adds ${fmtMs(a - c)} over the in-process engine (a − c): Node start-up and the CLI entry (${fmtMs(d)}, d), ` +
      `importing the \`check\` command’s modules (${fmtMs(e)}, e${loadsKube ? '; they include @kubernetes/client-node, loaded for every lab, Docker labs too' : ''}), ` +
      'and the rest is loading the lab, the engine’s first (cold) run in a fresh process and saving the attempt to the progress store.',
  ].join(' ');

  const title = `${LAB_ID}, solved workspace, warm image; ${runs} measured runs per variant, interleaved`;
  const text = [
    title,
    '',
    textTable(header, rows),
    '',
    textTable(checkHeader, perCheck),
    '',
    `Peak RSS: ${machine.rssTool}.`,
    `Script builds with: ${machine.cliBuilder}; the grader with BuildKit through the Engine API.`,
    '',
    explanation,
  ].join('\n');

  const markdown = [
    SECTION_START,
    '## Grading latency: docker/01-containerise-model-api',
    '',
    'What is measured: the time to grade a **solved** workspace of Docker lab 01 whose image was already built once (warm cache), ' +
      'by the grader and by the same nine checks written as a shell-script grader (Killercoda/Instruqt style), in the same bench run. ' +
      'The variants are interleaved run by run (rotating order), so machine noise reaches all of them alike.',
    '',
    '- **(a)** `mlops-lab check docker/01-containerise-model-api --dir W --json` as a process (`node grader/bin/mlops-lab.js`, `MLOPS_LAB_HOME` a temporary folder): what a learner waits for. Wall time from spawn to exit.',
    '- **(b)** [`grader/bench/docker-01-verify.sh W TAG`](grader/bench/docker-01-verify.sh): bash, the docker CLI, grep and awk; same checks, same 1 s health interval, 0.25 s polling. Wall time from spawn to exit.',
    '- **(c)** `runLab()` called in the bench process: the grading engine without process start-up or the progress store.',
    '- **(d)** `mlops-lab --version`: Node start-up and the CLI entry alone, for scale.',
    '- **(e)** a fresh `node` process importing `grader/src/cli/commands/check.ts`, timed inside it: what loading the grader’s code costs the CLI.',
    `- **Peak RSS**: ${machine.rssTool}. For (a) that is the one Node process (the grader talks to Docker over its socket and starts no programs); for (b) it is the largest single process of the script's tree, usually a docker CLI call, not their sum.`,
    '',
    'The bench makes its own workspace in a temporary folder (start, then the reference solution, which builds the image), primes the script’s build cache, runs each variant once unmeasured, ' +
      'and always removes the workspace, the grader’s labelled image, the script’s image, its intermediate images and any container left.',
    '',
    '### Reproduce',
    '',
    '```bash',
    'npm run bench                       # 15 runs per variant, table on stdout',
    'npm run bench -- --runs 25 --write  # more runs, and update this section',
    '```',
    '',
    `Needs a Docker engine (\`DOCKER_HOST\` is honoured), the docker CLI, bash, and the base image \`${BASE_IMAGE}\` in the engine ` +
      `(\`docker pull ${BASE_IMAGE}\`, or offline \`.ci/build-base-image.sh ${BASE_IMAGE}\`); GNU time (\`apt-get install -y time\`) for peak RSS. ` +
      'Exits 3 when Docker is not reachable.',
    '',
    `### Machine (measured ${machine.date})`,
    '',
    '| what | value |',
    '| --- | --- |',
    `| CPU | ${machine.cpu}, \`nproc\` ${machine.nproc} |`,
    `| memory (\`free -h\`) | ${machine.memory} |`,
    `| OS, kernel | ${machine.os}, Linux ${machine.kernel} |`,
    `| Node | ${machine.node} |`,
    `| Docker | engine ${machine.dockerEngine}, CLI ${machine.dockerCli}; the script's \`docker build\`: ${machine.cliBuilder}; the grader: BuildKit through the Engine API |`,
    '',
    `### Results (${runs} measured runs per variant; p90 by nearest rank)`,
    '',
    mdTable(header, rows),
    '',
    'Per check, medians of what each variant reported (the grader runs up to 4 checks at once after the build, the script one after another):',
    '',
    mdTable(checkHeader, perCheck),
    '',
    '### Where the time goes',
    '',
    explanation,
    SECTION_END,
  ].join('\n');
  return { text, markdown };
}

function textTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function mdTable(header: string[], rows: string[][]): string {
  const line = (cells: string[]): string => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map((_, i) => (i === 0 ? '---' : '---:'))), ...rows.map(line)].join('\n');
}

function log(line: string): void {
  process.stderr.write(`[bench] ${line}\n`);
}

await runBench(main);
