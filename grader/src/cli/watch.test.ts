/**
 * `mlops-lab check --watch`: grades again when the learner saves a file.
 * Docker points at a missing socket, so only the Dockerfile checks decide.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CLI = resolve(fileURLToPath(import.meta.url), '..', '..', '..', 'bin', 'mlops-lab.js');
const LAB = 'docker/01-containerise-model-api';

let home: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'mlops-lab-watch-'));
  env = { ...process.env, MLOPS_LAB_HOME: home, NO_COLOR: '1', MLOPS_LAB_LEARNER: 'watch-test', DOCKER_HOST: `unix://${join(home, 'none.sock')}` };
});

afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

function run(args: string[]): Promise<number> {
  return new Promise((resolvePromise) => {
    spawn(process.execPath, [CLI, ...args], { env, stdio: 'ignore' }).on('close', (code) => resolvePromise(code ?? -1));
  });
}

describe('check --watch', () => {
  it('grades again after a file changes and exits with the last result on Ctrl-C', async () => {
    const dir = join(home, 'w');
    expect(await run(['start', LAB, '--dir', dir])).toBe(0);
    const child = spawn(process.execPath, [CLI, 'check', LAB, '--dir', dir, '--watch', '--json'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const attempts = (): { checks: { id: string; status: string }[] }[] =>
      stdout
        .split(/\n(?=\{)/)
        .filter((block) => block.trim().startsWith('{'))
        .flatMap((block) => {
          try {
            return [JSON.parse(block) as { checks: { id: string; status: string }[] }];
          } catch {
            return [];
          }
        });
    const waitFor = async (n: number): Promise<void> => {
      const deadline = Date.now() + 30_000;
      while (attempts().length < n) {
        if (Date.now() > deadline) throw new Error(`expected ${n} attempts, saw ${attempts().length}:\n${stdout}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    try {
      await waitFor(1);
      const secretCheck = (i: number) => attempts()[i]!.checks.find((c) => c.id === 'no-secrets-in-env')!.status;
      expect(secretCheck(0)).toBe('fail');
      const dockerfile = join(dir, 'Dockerfile');
      const text = await readFile(dockerfile, 'utf8');
      await writeFile(dockerfile, text.replace(/^ENV MODEL_API_KEY=.*$/m, ''));
      await waitFor(2);
      expect(secretCheck(1)).toBe('pass');
    } finally {
      child.kill('SIGINT');
    }
    const code = await new Promise<number>((r) => child.on('close', (c) => r(c ?? -1)));
    // Docker is unreachable, so the last attempt is "environment not ready".
    expect(code).toBe(3);
  });
});
