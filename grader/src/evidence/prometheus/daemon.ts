/**
 * A long-running program the grader starts for one grading run (Prometheus,
 * Alertmanager): argv only, its own process group, a capped output tail,
 * ready when an HTTP path answers 200, stopped with SIGTERM then SIGKILL.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { EvidenceError } from '../../errors.ts';
import { dataHome } from '../../paths.ts';

export interface Daemon {
  pid: number;
  /** The last bytes of stdout and stderr. */
  output(): string;
  /** Set once the program has exited. */
  exited(): { code: number | null; signal: string | null } | undefined;
  stop(): Promise<void>;
}

const TAIL_BYTES = 64 * 1024;

/** A free TCP port on 127.0.0.1 (the one helper the service runner uses too). */
export { freeLoopbackPort as freePort } from '../service.ts';

/**
 * Starts `executable` in its own process group. With `workspaceDir`, the pid is recorded under the data home until
 * stop(), so {@link stopWorkspaceDaemons} can end it when a grader was killed mid-run.
 */
export function spawnDaemon(
  executable: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; workspaceDir?: string },
): Daemon {
  const child = spawn(executable, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const record = child.pid && options.workspaceDir ? recordDaemon(options.workspaceDir, child.pid, executable) : undefined;
  let tail = '';
  const keep = (chunk: Buffer): void => {
    tail = (tail + chunk.toString('utf8')).slice(-TAIL_BYTES);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let exit: { code: number | null; signal: string | null } | undefined;
  const closed = new Promise<void>((resolve) => {
    child.on('exit', (code, signal) => {
      exit = { code, signal };
      resolve();
    });
    child.on('error', (error) => {
      keep(Buffer.from(`\n${error.message}\n`));
      exit ??= { code: null, signal: null };
      resolve();
    });
  });
  const signalGroup = (signal: NodeJS.Signals): void => {
    try {
      if (child.pid) process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
  };
  return {
    pid: child.pid ?? -1,
    output: () => tail,
    exited: () => exit,
    async stop() {
      if (!exit) {
        signalGroup('SIGTERM');
        const killer = setTimeout(() => signalGroup('SIGKILL'), 3000);
        await closed;
        clearTimeout(killer);
      }
      await record?.then((file) => rm(file, { force: true })).catch(() => {});
    },
  };
}

/**
 * Waits until GET `url` answers 200, the program exits (EvidenceError `exitedCode`, with its output), or
 * `timeoutMs` passes (EvidenceError `notReadyCode`; the program is stopped).
 */
export async function waitReady(
  daemon: Daemon,
  url: string,
  options: { timeoutMs: number; signal?: AbortSignal; what: string; exitedCode: string; notReadyCode: string; nextStep: string },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  while (Date.now() < deadline) {
    if (options.signal?.aborted) {
      await daemon.stop();
      throw new EvidenceError(options.notReadyCode, `${options.what} start was cancelled.`, options.nextStep);
    }
    const gone = daemon.exited();
    if (gone) {
      throw new EvidenceError(
        options.exitedCode,
        `${options.what} stopped right after starting (exit ${gone.code ?? gone.signal}):\n${lastLines(daemon.output(), 12)}`,
        options.nextStep,
      );
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1000), redirect: 'manual' });
      await response.body?.cancel();
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  await daemon.stop();
  throw new EvidenceError(
    options.notReadyCode,
    `${options.what} did not become ready within ${options.timeoutMs / 1000} s:\n${lastLines(daemon.output(), 12)}`,
    options.nextStep,
  );
}

export function lastLines(text: string, count: number): string {
  return text.trim().split('\n').slice(-count).join('\n');
}

// ------------------------------------------------------------ records for cleanup

function recordsDir(workspaceDir: string): string {
  let real: string;
  try {
    real = realpathSync(workspaceDir);
  } catch {
    real = resolve(workspaceDir);
  }
  return join(dataHome(), 'daemons', createHash('sha256').update(real).digest('hex').slice(0, 12));
}

async function recordDaemon(workspaceDir: string, pid: number, executable: string): Promise<string> {
  const dir = recordsDir(workspaceDir);
  await mkdir(dir, { recursive: true });
  const file = join(dir, `${pid}.json`);
  await writeFile(file, JSON.stringify({ pid, executable, startedAt: new Date().toISOString() }));
  return file;
}

/**
 * Stops every Prometheus or Alertmanager the grader started for this workspace and that still runs (a grader
 * killed mid-run leaves them). For a lab's cleanup hook; returns how many were stopped.
 */
export async function stopWorkspaceDaemons(workspaceDir: string): Promise<number> {
  const dir = recordsDir(workspaceDir);
  const names = await readdir(dir).catch(() => [] as string[]);
  let stopped = 0;
  for (const name of names.filter((n) => n.endsWith('.json'))) {
    const file = join(dir, name);
    const record = (await readFile(file, 'utf8')
      .then((t) => JSON.parse(t) as unknown)
      .catch(() => undefined)) as { pid?: unknown; executable?: unknown } | undefined;
    const pid = typeof record?.pid === 'number' && record.pid > 1 ? record.pid : undefined;
    if (pid && typeof record?.executable === 'string' && (await runs(pid, record.executable))) {
      try {
        process.kill(-pid, 'SIGTERM');
      } catch {
        // gone meanwhile
      }
      const deadline = Date.now() + 3000;
      while ((await runs(pid, record.executable)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // stopped
      }
      stopped++;
    }
    await rm(file, { force: true });
  }
  await rm(dir, { recursive: true, force: true });
  return stopped;
}

/** `pid` still runs `executable` (not a recycled pid of something else, nor a zombie). */
async function runs(pid: number, executable: string): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    if (/^\d+ \(.*\) Z/.test(stat)) return false;
    return (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0')[0] === executable;
  } catch {
    // No /proc (macOS): trust the record.
    return process.platform !== 'linux';
  }
}
