import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { repoRoot } from '@mlops-lab/grader';
import { spawn as spawnPty } from 'node-pty';

/** What a backend needs to start a shell for a lab. */
export interface SpawnOptions {
  /** The lab the shell is for. */
  labId: string;
  /** Who it is for. */
  learner: string;
  /** Working directory (the lab's default workspace for the local backend). */
  cwd: string;
  /** The environment the engine sees (MLOPS_LAB_HOME, MLOPS_LAB_LEARNER, PATH, SHELL, …). */
  env: NodeJS.ProcessEnv;
  cols: number;
  rows: number;
}

/** One running terminal: bytes out, keystrokes in. A Kubernetes exec backend implements the same thing. */
export interface TerminalProcess {
  write(data: string): void;
  resize(cols: number, rows: number): void;
  /** Stop reading output (the process blocks once the pty buffer is full). */
  pause(): void;
  resume(): void;
  /** End the process (idempotent). */
  kill(): void;
  onData(cb: (data: Buffer) => void): void;
  /** Called once, with the exit code (128 + signal when a signal ended it). */
  onExit(cb: (code: number) => void): void;
}

export interface TerminalBackend {
  /** A short name for logs (`local`, `kubernetes`). */
  readonly name: string;
  spawn(opts: SpawnOptions): TerminalProcess;
}

/** `$SHELL`, else /bin/bash, else /bin/sh. */
export function chooseShell(env: NodeJS.ProcessEnv, exists: (path: string) => boolean = existsSync): string {
  const candidates = [env.SHELL, '/bin/bash', '/bin/sh'].filter((s): s is string => Boolean(s?.trim()));
  return candidates.find((s) => exists(s)) ?? '/bin/sh';
}

/** The shell's environment: the engine's, with the repo's CLI and Python tools first on PATH and a 256-colour TERM. */
export function shellEnv(env: NodeJS.ProcessEnv, root: string = repoRoot): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  const path = [join(root, 'node_modules', '.bin'), join(root, '.venv', 'bin'), env.PATH].filter(Boolean).join(delimiter);
  out.PATH = path;
  out.TERM = 'xterm-256color';
  out.COLORTERM = 'truecolor';
  if (env.MLOPS_LAB_HOME) out.MLOPS_LAB_HOME = env.MLOPS_LAB_HOME;
  return out;
}

/** Shells on this machine through node-pty: an interactive, non-login `$SHELL` in the workspace. */
export class LocalPtyBackend implements TerminalBackend {
  readonly name = 'local';

  spawn(opts: SpawnOptions): TerminalProcess {
    const shell = chooseShell(opts.env);
    const pty = spawnPty(shell, [], {
      name: 'xterm-256color',
      cols: opts.cols,
      rows: opts.rows,
      cwd: opts.cwd,
      env: shellEnv(opts.env),
      // Bytes, not strings: output is passed on untouched.
      encoding: null,
    });
    let exited = false;
    pty.onExit(() => {
      exited = true;
    });
    return {
      write: (data) => {
        if (!exited) pty.write(data);
      },
      resize: (cols, rows) => {
        if (!exited) pty.resize(cols, rows);
      },
      pause: () => pty.pause(),
      resume: () => pty.resume(),
      kill: () => {
        if (exited) return;
        try {
          pty.kill();
        } catch {
          // already gone
        }
      },
      onData: (cb) => {
        // With `encoding: null` node-pty hands over Buffers (its typings say string).
        pty.onData((data: string | Buffer) => cb(typeof data === 'string' ? Buffer.from(data, 'utf8') : data));
      },
      onExit: (cb) => {
        pty.onExit(({ exitCode, signal }) => cb(signal ? 128 + signal : exitCode));
      },
    };
  }
}
