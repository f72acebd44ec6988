/**
 * A learner's git repository, read through the `git` program: argv only,
 * timeouts and output caps (ProcessEvidence), and never a repository above
 * the workspace (GIT_CEILING_DIRECTORIES), so a workspace inside another
 * repository is reported instead of graded against the wrong history.
 */
import { realpath } from 'node:fs/promises';
import { dirname } from 'node:path';
import { EvidenceError } from '../errors.ts';
import type { ProcessEvidence, RunResult } from './process.ts';

/** Caps for one git command. */
export const GIT_LIMITS = {
  timeoutMs: 20_000,
  maxOutputBytes: 512 * 1024,
} as const;

/** Identity for commits the lab itself makes (setup), used only when the learner has none configured. */
export const LAB_GIT_IDENTITY = { name: 'MLOps Lab learner', email: 'learner@mlops-lab.invalid' } as const;

function lastLine(text: string): string {
  return (
    text
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .at(-1) ?? ''
  );
}

/** The git repository whose top level is `dir` (the learner's workspace). */
export class GitRepo {
  readonly dir: string;
  readonly #process: ProcessEvidence;

  constructor(process: ProcessEvidence, dir: string) {
    this.#process = process;
    this.dir = dir;
  }

  /** Runs `git <args>` in the workspace; the result whatever the exit code. */
  async run(args: readonly string[], options: { timeoutMs?: number; env?: Record<string, string> } = {}): Promise<RunResult> {
    const result = await this.#process.run(
      'git',
      // fsmonitor could name a program to run; a grader never needs it.
      ['-c', 'core.fsmonitor=false', '-c', 'core.quotepath=off', ...args],
      {
        cwd: this.dir,
        timeoutMs: options.timeoutMs ?? GIT_LIMITS.timeoutMs,
        maxOutputBytes: GIT_LIMITS.maxOutputBytes,
        env: { GIT_CEILING_DIRECTORIES: dirname(this.dir), GIT_TERMINAL_PROMPT: '0', GIT_OPTIONAL_LOCKS: '0', LC_ALL: 'C', ...options.env },
      },
    );
    if (result.timedOut) {
      throw new EvidenceError(
        'GIT_TIMEOUT',
        `\`git ${args.join(' ')}\` did not finish within ${(options.timeoutMs ?? GIT_LIMITS.timeoutMs) / 1000} s.`,
        'Check that the workspace is an ordinary local folder (not a slow network mount), then check again.',
      );
    }
    if (/dubious ownership/.test(result.stderr)) {
      throw new EvidenceError(
        'GIT_DUBIOUS_OWNERSHIP',
        `git refuses to read ${this.dir}: the folder belongs to another user than the one grading it.`,
        `Run \`git config --global --add safe.directory ${this.dir}\`, or grade as the folder's owner.`,
      );
    }
    return result;
  }

  /** `git <args>` that must succeed; its stdout. */
  async output(args: readonly string[], options: { timeoutMs?: number; env?: Record<string, string> } = {}): Promise<string> {
    const result = await this.run(args, options);
    if (result.exitCode !== 0) {
      throw new EvidenceError(
        'GIT_FAILED',
        `\`git ${args.join(' ')}\` failed: ${lastLine(result.stderr) || lastLine(result.stdout) || `exit code ${result.exitCode}`}`,
        `Run \`git ${args.join(' ')}\` in the workspace to see the whole message.`,
      );
    }
    return result.stdout;
  }

  /**
   * Whether the workspace is a git repository of its own: `false` when there
   * is no repository; throws when the repository git finds is elsewhere.
   */
  async isRepository(): Promise<boolean> {
    const result = await this.run(['rev-parse', '--show-toplevel']);
    if (result.exitCode !== 0) {
      if (/not a git repository/i.test(result.stderr)) return false;
      throw new EvidenceError(
        'GIT_FAILED',
        `git cannot read the workspace's repository: ${lastLine(result.stderr) || `exit code ${result.exitCode}`}`,
        'Run `git status` in the workspace to see what is wrong with `.git`.',
      );
    }
    const top = await realpath(result.stdout.trim()).catch(() => result.stdout.trim());
    const own = await realpath(this.dir).catch(() => this.dir);
    if (top !== own) {
      throw new EvidenceError(
        'GIT_NOT_WORKSPACE_ROOT',
        `git found a repository at ${top}, not at the workspace ${own}.`,
        'Run `git init` in the workspace folder itself so the lab has its own repository.',
      );
    }
    return true;
  }

  /** Whether HEAD points at a commit (false in a repository without commits). */
  async hasCommits(): Promise<boolean> {
    return (await this.run(['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'])).exitCode === 0;
  }

  /** Files git tracks (in the index) under the given paths. */
  async trackedFiles(paths: readonly string[]): Promise<string[]> {
    const out = await this.output(['ls-files', '-z', '--', ...paths]);
    return out.split('\0').filter(Boolean);
  }

  /** Whether a path is ignored by .gitignore rules (a tracked file is never "ignored"). */
  async isIgnored(path: string): Promise<{ ignored: boolean; rule?: string }> {
    const result = await this.run(['check-ignore', '-v', '--', path]);
    if (result.exitCode === 0) return { ignored: true, rule: result.stdout.trim().split('\t')[0] };
    if (result.exitCode === 1) return { ignored: false };
    throw new EvidenceError(
      'GIT_FAILED',
      `\`git check-ignore ${path}\` failed: ${lastLine(result.stderr)}`,
      'Run `git status` in the workspace.',
    );
  }

  /** Commits on any branch or tag that add, change or delete `path`, newest first (short hash and subject). */
  async commitsTouching(path: string, max = 20): Promise<{ hash: string; subject: string }[]> {
    if (!(await this.hasCommits())) return [];
    const out = await this.output(['log', '--all', `--max-count=${max}`, '--format=%h%x09%s', '--', path]);
    return out
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [hash = '', ...rest] = line.split('\t');
        return { hash, subject: rest.join('\t') };
      });
  }

  /** Porcelain status lines for the given paths (empty when they are committed as they are). */
  async uncommitted(paths: readonly string[]): Promise<string[]> {
    const out = await this.output(['status', '--porcelain=v1', '--untracked-files=all', '--', ...paths]);
    return out.split('\n').filter(Boolean);
  }

  /** The full commit hash `rev` names, or undefined when it names no commit. */
  async resolveCommit(rev: string): Promise<string | undefined> {
    if (!/^[\w./~^@{}-]{1,200}$/.test(rev) || rev.startsWith('-')) return undefined;
    const result = await this.run(['rev-parse', '--verify', '--quiet', `${rev}^{commit}`]);
    return result.exitCode === 0 ? result.stdout.trim() : undefined;
  }

  /** Whether commit `ancestor` is in the history of `descendant`. */
  async isAncestor(ancestor: string, descendant: string): Promise<boolean> {
    return (await this.run(['merge-base', '--is-ancestor', ancestor, descendant])).exitCode === 0;
  }

  /** The text of `path` at commit `rev`, or undefined when that commit has no such file. */
  async show(rev: string, path: string): Promise<string | undefined> {
    const result = await this.run(['show', `${rev}:${path}`]);
    if (result.exitCode !== 0) return undefined;
    if (result.truncated) {
      throw new EvidenceError(
        'FILE_TOO_LARGE',
        `${path} at ${rev.slice(0, 7)} is larger than ${GIT_LIMITS.maxOutputBytes / 1024} KiB; the grader does not read it.`,
        `Check what was committed: \`git show --stat ${rev.slice(0, 7)}\`.`,
      );
    }
    return result.stdout;
  }
}
