import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { EnvironmentError } from '../errors.ts';
import { venvDir } from '../paths.ts';

export interface RunOptions {
  cwd?: string;
  /** Extra environment variables (merged over the grader's environment). */
  env?: Record<string, string | undefined>;
  /** Kill the program after this long. Default: 60 000 ms. */
  timeoutMs?: number;
  /** Keep at most this many bytes of stdout and of stderr (the tail). Default: 1 MiB. */
  maxOutputBytes?: number;
  signal?: AbortSignal;
  /** Text written to stdin, then stdin is closed. */
  input?: string;
}

export interface RunResult {
  command: string;
  args: readonly string[];
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** True when output beyond the cap was dropped (the tail is kept). */
  truncated: boolean;
  durationMs: number;
}

/** How to install a tool, shown when it is missing. */
const INSTALL_HINTS: Record<string, string> = {
  docker: 'Install Docker Engine (https://docs.docker.com/engine/install/) or Docker Desktop, then start it.',
  git: 'Install git: `sudo apt-get install git` (Debian/Ubuntu) or `brew install git` (macOS).',
  python3: 'Install Python 3.11+: `sudo apt-get install python3 python3-venv` or https://www.python.org/downloads/.',
  mlflow: 'Run `npm run setup:tools` in the MLOps Lab folder (installs mlflow into .venv/).',
  dvc: 'Run `npm run setup:tools` in the MLOps Lab folder (installs dvc into .venv/).',
  kubectl: 'Install kubectl (k3s ships it as `k3s kubectl`): https://kubernetes.io/docs/tasks/tools/.',
  promtool: 'Install Prometheus: `sudo apt-get install prometheus` (ships promtool).',
  prometheus: 'Install Prometheus: `sudo apt-get install prometheus`.',
  alertmanager: 'Install Alertmanager: `sudo apt-get install prometheus-alertmanager`.',
  tofu: 'Install OpenTofu: https://opentofu.org/docs/intro/install/.',
};

export function installHint(tool: string): string {
  return INSTALL_HINTS[tool] ?? `Install ${tool} and make sure it is on your PATH.`;
}

/**
 * Finds a program the way the grader promises: the project's `.venv/bin`
 * first (tools from `npm run setup:tools`), then PATH. Undefined when absent.
 */
export async function findTool(name: string, env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  if (name.includes('/')) return (await isExecutable(name)) ? name : undefined;
  const dirs = [join(venvDir(), 'bin'), ...(env.PATH ?? '').split(delimiter).filter(Boolean)];
  for (const dir of dirs) {
    const candidate = join(dir, name);
    if (await isExecutable(candidate)) return candidate;
  }
  return undefined;
}

async function isExecutable(p: string): Promise<boolean> {
  try {
    await access(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Keeps the last `cap` bytes of a stream. */
export class TailBuffer {
  #chunks: Buffer[] = [];
  #size = 0;
  truncated = false;
  readonly cap: number;
  constructor(cap: number) {
    this.cap = cap;
  }
  push(chunk: Buffer): void {
    this.#chunks.push(chunk);
    this.#size += chunk.length;
    while (this.#size > this.cap && this.#chunks.length > 0) {
      const first = this.#chunks[0]!;
      const excess = this.#size - this.cap;
      this.truncated = true;
      if (first.length <= excess) {
        this.#chunks.shift();
        this.#size -= first.length;
      } else {
        this.#chunks[0] = first.subarray(excess);
        this.#size -= excess;
      }
    }
  }
  toString(): string {
    return Buffer.concat(this.#chunks).toString('utf8');
  }
}

/** Runs programs with argv only (never a shell), with timeouts and output caps. */
export class ProcessEvidence {
  readonly #env: NodeJS.ProcessEnv;
  constructor(env: NodeJS.ProcessEnv = process.env) {
    this.#env = env;
  }

  /** Resolves a program name or throws an EnvironmentError saying how to install it. */
  async which(name: string): Promise<string> {
    const found = await findTool(name, this.#env);
    if (!found) {
      throw new EnvironmentError('TOOL_MISSING', `\`${name}\` was not found in .venv/bin or on PATH.`, installHint(name));
    }
    return found;
  }

  async run(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    const executable = await this.which(command);
    const timeoutMs = options.timeoutMs ?? 60_000;
    const cap = options.maxOutputBytes ?? 1024 * 1024;
    const started = performance.now();
    const env = { ...this.#env, ...options.env };
    const venvBin = join(venvDir(), 'bin');
    env.PATH = [venvBin, env.PATH ?? ''].filter(Boolean).join(delimiter);
    return await new Promise<RunResult>((resolvePromise, reject) => {
      const child = spawn(executable, args, {
        cwd: options.cwd,
        env,
        stdio: ['pipe', 'pipe', 'pipe'],
        shell: false,
        // Own process group, so a timeout kills the program's children too.
        detached: true,
      });
      const stdout = new TailBuffer(cap);
      const stderr = new TailBuffer(cap);
      let timedOut = false;
      const killGroup = (): void => {
        try {
          if (child.pid) process.kill(-child.pid, 'SIGKILL');
        } catch {
          child.kill('SIGKILL');
        }
      };
      const timer = setTimeout(() => {
        timedOut = true;
        killGroup();
      }, timeoutMs);
      const onAbort = (): void => killGroup();
      options.signal?.addEventListener('abort', onAbort, { once: true });
      if (options.signal?.aborted) killGroup();
      child.stdout.on('data', (c: Buffer) => stdout.push(c));
      child.stderr.on('data', (c: Buffer) => stderr.push(c));
      child.on('error', (error) => {
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        reject(new EnvironmentError('PROCESS_FAILED', `Could not run ${command}: ${error.message}`, installHint(command), { cause: error }));
      });
      child.on('close', (exitCode, signal) => {
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        resolvePromise({
          command,
          args,
          exitCode,
          signal,
          stdout: stdout.toString(),
          stderr: stderr.toString(),
          timedOut,
          truncated: stdout.truncated || stderr.truncated,
          durationMs: Math.round(performance.now() - started),
        });
      });
      child.stdin.on('error', () => {
        // The program may exit before reading its input; that is its business.
      });
      child.stdin.end(options.input ?? '');
    });
  }
}
