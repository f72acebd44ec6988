import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EnvironmentError } from '../errors.ts';
import { venvDir } from '../paths.ts';
import { ProcessEvidence, findTool, installHint, type RunResult } from './process.ts';

let dir: string;
const pids: number[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mlops-lab-process-'));
});

afterEach(async () => {
  // Whatever a failing test left running is killed here, by its own pid only.
  for (const pid of pids.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await rm(dir, { recursive: true, force: true });
});

/** Alive and not a zombie (an orphan is reaped by init some time after it dies). */
async function isAlive(pid: number): Promise<boolean> {
  try {
    const statLine = await readFile(`/proc/${pid}/stat`, 'utf8');
    const state = statLine.slice(statLine.lastIndexOf(')') + 2, statLine.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

async function makeExecutable(path: string, script = '#!/bin/sh\necho fake\n'): Promise<string> {
  await writeFile(path, script);
  await chmod(path, 0o755);
  return path;
}

const proc = new ProcessEvidence();

describe('ProcessEvidence.run', () => {
  it('returns stdout, stderr and the exit code of a program', async () => {
    const result = await proc.run('sh', ['-c', 'echo out; echo err >&2; exit 3']);
    expect(result).toMatchObject({
      command: 'sh',
      exitCode: 3,
      signal: null,
      stdout: 'out\n',
      stderr: 'err\n',
      timedOut: false,
      truncated: false,
    });
    expect(result.args).toEqual(['-c', 'echo out; echo err >&2; exit 3']);
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('returns each argument verbatim to the program, with no shell in between', async () => {
    const marker = join(dir, `victim-${randomBytes(4).toString('hex')}`);
    await writeFile(marker, 'still here');
    const nasty = `; rm -rf ${marker}`;
    const result = await proc.run('printf', ['%s', nasty]);
    expect(result.stdout).toBe(nasty);
    await expect(stat(marker)).resolves.toBeTruthy();

    const more = ['$(echo pwned)', '`id`', '$HOME', '*', 'it\'s "quoted"', 'a\nb', ''];
    for (const arg of more) {
      expect((await proc.run('printf', ['%s', arg])).stdout).toBe(arg);
    }
  });

  it('returns the input written to stdin', async () => {
    expect((await proc.run('cat', [], { input: 'hello\nworld' })).stdout).toBe('hello\nworld');
  });

  it('returns with the extra env and cwd applied', async () => {
    const result = await proc.run('sh', ['-c', 'printf "%s|%s" "$MLOPS_LAB_TEST_VAR" "$(pwd -P)"'], {
      env: { MLOPS_LAB_TEST_VAR: 'forty-two' },
      cwd: dir,
    });
    const realDir = (await proc.run('sh', ['-c', 'pwd -P'], { cwd: dir })).stdout.trim();
    expect(result.stdout).toBe(`forty-two|${realDir}`);
  });

  it('returns with .venv/bin first on the PATH of the program', async () => {
    const result = await proc.run('sh', ['-c', 'printf %s "$PATH"']);
    expect(result.stdout.split(delimiter)[0]).toBe(join(venvDir(), 'bin'));
  });

  it('returns timedOut and kills the whole process group after the timeout', async () => {
    // The background sleep holds stdout open: unless the group is killed,
    // `close` waits for it (30 s).
    const started = performance.now();
    const result = await proc.run('sh', ['-c', 'sleep 30 & echo $!; sleep 30'], { timeoutMs: 500 });
    const elapsed = performance.now() - started;
    expect(result.timedOut).toBe(true);
    expect(result.signal).toBe('SIGKILL');
    expect(result.exitCode).toBeNull();
    expect(elapsed).toBeLessThan(15_000);
    const backgroundPid = Number(result.stdout.trim());
    expect(backgroundPid).toBeGreaterThan(0);
    pids.push(backgroundPid);
    expect(await isAlive(backgroundPid)).toBe(false);
  });

  it('returns when the signal aborts, killing the program', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const result = await proc.run('sleep', ['30'], { signal: controller.signal, timeoutMs: 20_000 });
    expect(result.signal).toBe('SIGKILL');
    expect(result.timedOut).toBe(false);
    expect(result.durationMs).toBeLessThan(15_000);
  });

  it('returns at once, without waiting for the program, when the signal is already aborted', async () => {
    const started = performance.now();
    // Either outcome is fine (a result for a killed program, or a rejection);
    // running the program until the timeout is not.
    const outcome: RunResult | Error = await proc.run('sleep', ['30'], { signal: AbortSignal.abort(), timeoutMs: 5_000 }).then(
      (r) => r,
      (e: unknown) => (e instanceof Error ? e : new Error(String(e))),
    );
    expect(performance.now() - started).toBeLessThan(4_000);
    if (!(outcome instanceof Error)) {
      expect(outcome.timedOut).toBe(false);
      expect(outcome.exitCode).not.toBe(0);
    }
  });

  it('returns the tail of a 5 MB output and sets truncated', async () => {
    const script = "process.stdout.write('x'.repeat(5_000_000 - 3) + 'END'); process.stderr.write('small');";
    const result = await proc.run(process.execPath, ['-e', script], { maxOutputBytes: 64 * 1024 });
    expect(result.exitCode).toBe(0);
    expect(result.truncated).toBe(true);
    expect(result.stdout).toHaveLength(64 * 1024);
    expect(result.stdout.endsWith('xxxEND')).toBe(true);
    expect(result.stderr).toBe('small');
  });

  it('returns 1 MiB of tail by default', async () => {
    const result = await proc.run('sh', ['-c', 'yes | head -c 5000000']);
    expect(result.truncated).toBe(true);
    expect(result.stdout).toHaveLength(1024 * 1024);
    expect(result.stdout.endsWith('y\n')).toBe(true);
  });

  it('returns truncated false for output exactly at the cap', async () => {
    const result = await proc.run('printf', ['%s', 'abcd'], { maxOutputBytes: 4 });
    expect(result).toMatchObject({ stdout: 'abcd', truncated: false });
  });

  it('errors with TOOL_MISSING and a generic install hint for an unknown program', async () => {
    const name = `mlops-lab-no-such-program-${randomBytes(4).toString('hex')}`;
    const error = await proc.run(name, []).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(EnvironmentError);
    expect((error as EnvironmentError).code).toBe('TOOL_MISSING');
    expect((error as EnvironmentError).message).toContain(name);
    expect((error as EnvironmentError).nextStep).toBe(`Install ${name} and make sure it is on your PATH.`);
  });

  it('errors with TOOL_MISSING and the tool install hint for a known tool not on PATH', async () => {
    const noTools = new ProcessEvidence({ PATH: dir });
    const error = await noTools.run('git', ['--version']).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(EnvironmentError);
    expect((error as EnvironmentError).code).toBe('TOOL_MISSING');
    expect((error as EnvironmentError).nextStep).toBe(installHint('git'));
    expect(installHint('git')).toContain('apt-get install git');
  });
});

describe('findTool', () => {
  it('returns <repo>/.venv/bin/<name> before a program of the same name on PATH', async () => {
    await makeExecutable(join(dir, 'python3'));
    expect(await findTool('python3', { PATH: dir })).toBe(join(venvDir(), 'bin', 'python3'));
  });

  it('returns a program from PATH when .venv/bin does not have it', async () => {
    const name = `mlops-lab-fake-${randomBytes(4).toString('hex')}`;
    const fake = await makeExecutable(join(dir, name));
    const other = await mkdtemp(join(tmpdir(), 'mlops-lab-process-other-'));
    try {
      expect(await findTool(name, { PATH: [other, dir].join(delimiter) })).toBe(fake);
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });

  it('returns undefined for a file on PATH that is not executable', async () => {
    const name = `mlops-lab-fake-${randomBytes(4).toString('hex')}`;
    await writeFile(join(dir, name), '#!/bin/sh\n');
    expect(await findTool(name, { PATH: dir })).toBeUndefined();
  });

  it('returns an executable path as is, and undefined for a missing one', async () => {
    const fake = await makeExecutable(join(dir, 'tool'));
    expect(await findTool(fake, { PATH: '' })).toBe(fake);
    expect(await findTool(join(dir, 'missing'), { PATH: '' })).toBeUndefined();
  });

  it('returns undefined when the program is nowhere', async () => {
    expect(await findTool(`mlops-lab-no-such-program-${randomBytes(4).toString('hex')}`, { PATH: dir })).toBeUndefined();
  });
});
