/**
 * A learner's service, started the way a platform starts it: the workspace's
 * `Procfile` names the command (`web: uvicorn app.main:app --port $PORT`),
 * the grader picks a free loopback port, sets PORT, waits until the service
 * answers HTTP, grades it, and stops it (the whole process group) when the
 * grading run ends. Learners may write the service in any language.
 *
 * Bounded everywhere: the output kept is a tail of fixed size, the wait for
 * readiness has a deadline, a stop escalates to SIGKILL. Every process
 * started is recorded under the data home so a lab's cleanup can stop what a
 * killed grader left behind.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { parse } from 'shell-quote';
import { EvidenceError } from '../errors.ts';
import type { CheckContext } from '../lab/context.ts';
import { dataHome, venvDir } from '../paths.ts';
import { TailBuffer, findTool } from './process.ts';

export interface ProcfileEntry {
  /** The process type (`web`, `worker`, ...). */
  process: string;
  /** The command as argv; `$NAME` / `${NAME}` are left as `${NAME}` and filled in when it starts. */
  argv: string[];
  /** 1-based line in the Procfile. */
  line: number;
}

export interface Procfile {
  entries: ProcfileEntry[];
  /** What is wrong, as `Procfile:LINE: ...` lines a learner can act on. */
  problems: string[];
}

export const PROCFILE = 'Procfile';
const PROCFILE_MAX_BYTES = 16 * 1024;
const VARIABLE = '\u0000';

/**
 * Parses a Procfile (Heroku's format: `type: command` per line, `#`
 * comments). Commands are split like a POSIX shell splits words, but shell
 * operators (`&&`, `|`, `>`, `;`) are refused: the grader runs argv, never a
 * shell. Write a script and call it when you need one.
 */
export function parseProcfile(text: string): Procfile {
  const entries: ProcfileEntry[] = [];
  const problems: string[] = [];
  const seen = new Set<string>();
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const match = /^([A-Za-z0-9_-]+)\s*:\s*(.*)$/.exec(trimmed);
    if (!match) {
      problems.push(`${PROCFILE}:${line}: expected "<type>: <command>", such as "web: uvicorn app.main:app --host 127.0.0.1 --port $PORT"`);
      return;
    }
    const [, name, command] = match as unknown as [string, string, string];
    if (seen.has(name)) {
      problems.push(`${PROCFILE}:${line}: process type "${name}" is declared twice`);
      return;
    }
    seen.add(name);
    if (command.trim() === '') {
      problems.push(`${PROCFILE}:${line}: "${name}" has no command`);
      return;
    }
    const argv: string[] = [];
    let refused: string | undefined;
    for (const token of parse(command, (key) => `${VARIABLE}${key}${VARIABLE}`)) {
      if (typeof token === 'string') argv.push(token.replaceAll(new RegExp(`${VARIABLE}([^${VARIABLE}]*)${VARIABLE}`, 'g'), '${$1}'));
      else if ('comment' in token) break;
      else if ('op' in token && token.op === 'glob') argv.push(token.pattern);
      else refused ??= 'op' in token ? token.op : 'a shell construct';
    }
    if (refused) {
      problems.push(
        `${PROCFILE}:${line}: "${refused}" is shell syntax; the grader runs the command without a shell. Put the steps in a script (e.g. start.sh) and call it`,
      );
      return;
    }
    entries.push({ process: name, argv, line });
  });
  if (entries.length === 0 && problems.length === 0) problems.push(`${PROCFILE}: no process is declared`);
  return { entries, problems };
}

/** A free TCP port on 127.0.0.1 (the OS picks it; it is free when this resolves). */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolvePromise(address.port);
        else reject(new Error('no port'));
      });
    });
  });
}

export interface StartServiceOptions {
  /** The learner's workspace (the service is recorded under its id for cleanup). */
  workspaceDir: string;
  /** Where the command runs. Default: the workspace. */
  cwd?: string;
  /** The command; `${PORT}` and other `${NAME}` are filled from the environment given to the service. */
  argv: string[];
  /** Extra environment for the service (over the grader's own). PORT and HOST are set by the grader. */
  env?: Record<string, string>;
  /** Readiness: the service is up when this path answers any HTTP status. Default `/health`. */
  readyPath?: string;
  /** Default 30 000 ms. */
  readyTimeoutMs?: number;
  /** Bytes of output kept (the tail). Default 256 KiB. */
  maxOutputBytes?: number;
  /** Aborts the wait for readiness (the service is stopped). */
  signal?: AbortSignal;
  /** The grader's environment. Default process.env. */
  baseEnv?: NodeJS.ProcessEnv;
}

export interface ServiceExit {
  code: number | null;
  signal: string | null;
}

export interface RunningService {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  /** The tail of stdout and stderr, interleaved as they arrived. */
  output(): string;
  /** How the process ended, or undefined while it runs. */
  exit(): ServiceExit | undefined;
  /** SIGTERM to the process group, SIGKILL after 3 s. Safe to call twice. */
  stop(): Promise<void>;
}

const STOP_GRACE_MS = 3_000;

/** Starts a service and waits until it answers HTTP on its port. */
export async function startService(options: StartServiceOptions): Promise<RunningService> {
  if (options.argv.length === 0) throw new EvidenceError('SERVICE_BAD_PROCFILE', 'The service has no command to run.');
  const workspaceDir = realOrSame(options.workspaceDir);
  const cwd = options.cwd ? resolve(workspaceDir, options.cwd) : workspaceDir;
  const port = await freeLoopbackPort();
  const baseEnv = options.baseEnv ?? process.env;
  const env: NodeJS.ProcessEnv = { ...baseEnv, ...options.env, PORT: String(port), HOST: '127.0.0.1', PYTHONUNBUFFERED: '1' };
  env.PATH = [join(venvDir(), 'bin'), env.PATH ?? ''].filter(Boolean).join(delimiter);
  const argv = options.argv.map((arg) => arg.replaceAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => env[name] ?? ''));
  const program = await resolveProgram(argv[0]!, cwd, env);
  const readyPath = options.readyPath ?? '/health';
  const readyTimeoutMs = options.readyTimeoutMs ?? 30_000;
  const output = new TailBuffer(options.maxOutputBytes ?? 256 * 1024);

  const child = spawn(program, argv.slice(1), { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true, shell: false });
  let exited: ServiceExit | undefined;
  let spawnError: Error | undefined;
  const exitedPromise = new Promise<void>((resolveExit) => {
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      resolveExit();
    });
    child.on('error', (error) => {
      spawnError = error;
      exited ??= { code: null, signal: null };
      resolveExit();
    });
  });
  child.stdout.on('data', (c: Buffer) => output.push(c));
  child.stderr.on('data', (c: Buffer) => output.push(c));
  const record = child.pid ? await recordService(workspaceDir, { pid: child.pid, argv, port, startedAt: new Date().toISOString() }) : undefined;

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      if (!exited && child.pid) {
        signalGroup(child.pid, 'SIGTERM');
        const timer = setTimeout(() => signalGroup(child.pid!, 'SIGKILL'), STOP_GRACE_MS);
        await exitedPromise;
        clearTimeout(timer);
      }
      // Children that ignored SIGTERM and outlived the leader.
      if (child.pid) signalGroup(child.pid, 'SIGKILL');
      await record?.remove();
    })());

  const service: RunningService = {
    url: `http://127.0.0.1:${port}`,
    port,
    pid: child.pid ?? -1,
    output: () => output.toString(),
    exit: () => exited,
    stop,
  };

  const command = argv.join(' ');
  const deadline = Date.now() + readyTimeoutMs;
  while (true) {
    if (spawnError) {
      await stop();
      throw new EvidenceError('SERVICE_EXITED', `Could not start \`${command}\`: ${spawnError.message}.`, 'Check the command in your Procfile; run it by hand in the workspace.');
    }
    if (exited) {
      await stop();
      throw new EvidenceError(
        'SERVICE_EXITED',
        `\`${command}\` exited (${describeExit(exited)}) before it answered on ${service.url}${readyPath}. Its last output:\n${lastLines(output.toString())}`,
        `Run it by hand in the workspace with PORT=${port} to see the error: PORT=${port} ${command}`,
      );
    }
    if (options.signal?.aborted) {
      await stop();
      throw new EvidenceError('SERVICE_NOT_READY', `Stopped waiting for \`${command}\`: the check was cancelled.`);
    }
    if (await answers(port, readyPath)) return service;
    if (Date.now() >= deadline) {
      await stop();
      throw new EvidenceError(
        'SERVICE_NOT_READY',
        `\`${command}\` did not answer on ${service.url}${readyPath} within ${Math.round(readyTimeoutMs / 1000)} s. Its last output:\n${lastLines(output.toString())}`,
        'The service must listen on 127.0.0.1 (or 0.0.0.0) at the port in $PORT and answer HTTP; check that the command uses $PORT.',
      );
    }
    await new Promise((r) => setTimeout(r, 150));
  }
}

/** Any HTTP answer within 1 s (a 401 or 404 still means the service is up). */
function answers(port: number, path: string): Promise<boolean> {
  return new Promise((resolveAnswer) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET', timeout: 1_000 }, (res) => {
      res.resume();
      resolveAnswer(true);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolveAnswer(false));
    req.end();
  });
}

async function resolveProgram(name: string, cwd: string, env: NodeJS.ProcessEnv): Promise<string> {
  if (name.includes('/')) return isAbsolute(name) ? name : resolve(cwd, name);
  const found = await findTool(name, env);
  if (!found) {
    throw new EvidenceError(
      'SERVICE_BAD_PROCFILE',
      `\`${name}\` (the Procfile's command) was not found in .venv/bin or on PATH.`,
      name === 'uvicorn' || name === 'python' ? 'Run `npm run setup:tools` in the MLOps Lab folder (installs the Python tools into .venv/).' : `Install ${name} or give its path.`,
    );
  }
  return found;
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

function describeExit(exit: ServiceExit): string {
  return exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`;
}

function lastLines(text: string, n = 15): string {
  const lines = text.trimEnd().split('\n');
  const tail = lines.slice(-n).map((l) => (l.length > 300 ? `${l.slice(0, 300)}…` : l));
  return tail.length === 0 || (tail.length === 1 && tail[0] === '') ? '(no output)' : tail.join('\n');
}

function realOrSame(dir: string): string {
  try {
    return realpathSync(dir);
  } catch {
    return resolve(dir);
  }
}

// ------------------------------------------------------------ records for cleanup

interface ServiceRecord {
  pid: number;
  argv: string[];
  port: number;
  startedAt: string;
}

function recordsFile(workspaceDir: string): string {
  const id = createHash('sha256').update(realOrSame(workspaceDir)).digest('hex').slice(0, 12);
  return join(dataHome(), 'services', `${id}.json`);
}

async function readRecords(file: string): Promise<ServiceRecord[]> {
  try {
    const parsed: unknown = JSON.parse(await readFile(file, 'utf8'));
    return Array.isArray(parsed) ? (parsed as ServiceRecord[]).filter((r) => Number.isInteger(r?.pid) && r.pid > 1) : [];
  } catch {
    return [];
  }
}

async function writeRecords(file: string, records: ServiceRecord[]): Promise<void> {
  if (records.length === 0) {
    await rm(file, { force: true });
    return;
  }
  await mkdir(join(file, '..'), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, JSON.stringify(records));
  await rename(temp, file);
}

/** One writer at a time per records file within this process. */
const queues = new Map<string, Promise<unknown>>();
function serialised<T>(file: string, task: () => Promise<T>): Promise<T> {
  const next = (queues.get(file) ?? Promise.resolve()).then(task, task);
  queues.set(
    file,
    next.catch(() => {}),
  );
  return next;
}

async function recordService(workspaceDir: string, record: ServiceRecord): Promise<{ remove(): Promise<void> }> {
  const file = recordsFile(workspaceDir);
  await serialised(file, async () => writeRecords(file, [...(await readRecords(file)), record])).catch(() => {});
  return {
    remove: () => serialised(file, async () => writeRecords(file, (await readRecords(file)).filter((r) => r.pid !== record.pid))).catch(() => {}),
  };
}

/**
 * Stops every service the grader started for this workspace that is still
 * running (a grader killed mid-run leaves them). For a lab's cleanup hook.
 * Returns how many were stopped.
 */
export async function stopWorkspaceServices(workspaceDir: string): Promise<number> {
  const file = recordsFile(workspaceDir);
  return await serialised(file, async () => {
    let stopped = 0;
    for (const record of await readRecords(file)) {
      if (!(await isOurs(record))) continue;
      signalGroup(record.pid, 'SIGTERM');
      const deadline = Date.now() + STOP_GRACE_MS;
      while (alive(record.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      signalGroup(record.pid, 'SIGKILL');
      stopped++;
    }
    await writeRecords(file, []);
    return stopped;
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The pid still runs the recorded command (not a recycled pid of something else). */
async function isOurs(record: ServiceRecord): Promise<boolean> {
  if (!alive(record.pid)) return false;
  try {
    const cmdline = (await readFile(`/proc/${record.pid}/cmdline`, 'utf8')).split('\0');
    const base = (s: string): string => s.split('/').pop() ?? s;
    return cmdline.some((part) => base(part) === base(record.argv[0] ?? '')) || cmdline.includes(record.argv[1] ?? '\0');
  } catch {
    // No /proc (macOS): trust the record.
    return process.platform !== 'linux';
  }
}

// ------------------------------------------------------------ for checks

export interface WorkspaceServiceOptions {
  /** The Procfile process type. Default `web`. */
  process?: string;
  env?: Record<string, string>;
  readyPath?: string;
  readyTimeoutMs?: number;
  /** Memo key: checks asking for the same key share one process. Default `service:<process>`. */
  key?: string;
}

/**
 * The workspace's service for this grading run: started from its Procfile on
 * first use, shared by every check that asks with the same key, stopped when
 * the run ends.
 */
export function workspaceService(ctx: CheckContext, options: WorkspaceServiceOptions = {}): Promise<RunningService> {
  const processType = options.process ?? 'web';
  return ctx.memo(options.key ?? `service:${processType}`, async () => {
    if (!(await ctx.files.exists(PROCFILE))) {
      throw new EvidenceError(
        'SERVICE_NO_PROCFILE',
        `The workspace has no ${PROCFILE}, so the grader does not know how to start your service.`,
        `Create ${PROCFILE} with one line, e.g. \`${processType}: uvicorn app.main:app --host 127.0.0.1 --port $PORT\` (or \`${processType}: node server.mjs\`).`,
      );
    }
    const procfile = parseProcfile(await ctx.files.readText(PROCFILE, { maxBytes: PROCFILE_MAX_BYTES }));
    const entry = procfile.entries.find((e) => e.process === processType);
    if (!entry) {
      const problems = procfile.problems.length > 0 ? ` Problems: ${procfile.problems.join('; ')}.` : '';
      throw new EvidenceError(
        'SERVICE_BAD_PROCFILE',
        `${PROCFILE} declares no "${processType}" process.${problems}`,
        `Add a line \`${processType}: <command using $PORT>\` to ${PROCFILE}.`,
      );
    }
    ctx.progress(`starting ${entry.argv.join(' ')}`);
    const service = await startService({
      workspaceDir: ctx.workspace.dir,
      argv: entry.argv,
      ...(options.env ? { env: options.env } : {}),
      ...(options.readyPath ? { readyPath: options.readyPath } : {}),
      ...(options.readyTimeoutMs ? { readyTimeoutMs: options.readyTimeoutMs } : {}),
    });
    ctx.onRunEnd(() => service.stop());
    return service;
  });
}
