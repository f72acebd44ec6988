/**
 * The bundle as the Docker image uses it: only dist/ (cli.js and the .wasm
 * files) copied into a temp dir outside the repository, where no
 * node_modules and no data set can be found, then `--help`, `train` (given
 * the data set's path) and `serve` (its drift reference from the model
 * folder) run from it.
 */
import { execFile, spawn } from 'node:child_process';
import { access, cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../../grader/test-support/mlflow-server.ts';
import { bundle, type BundleResult } from './bundle.ts';

const DATA = fileURLToPath(new URL('../data/adult.csv.gz', import.meta.url));

function run(cwd: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd, timeout: 180_000, env: { PATH: process.env.PATH ?? '', ...env } }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr }),
    );
  });
}

describe('bundle', () => {
  let root: string;
  let image: string;
  let result: BundleResult;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'capstone-bundle-'));
    result = await bundle(join(root, 'build', 'dist'));
    // What the image holds: /app/dist, no node_modules anywhere above, no data/.
    image = join(root, 'app');
    await cp(result.outDir, join(image, 'dist'), { recursive: true });
  });
  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('returns dist/cli.js as an ES module with the wasm files beside it', async () => {
    expect((await readdir(result.outDir)).filter((f) => f.endsWith('.js') || f.endsWith('.wasm')).sort()).toEqual([
      'cli.js',
      'tfjs-backend-wasm-simd.wasm',
      'tfjs-backend-wasm-threaded-simd.wasm',
      'tfjs-backend-wasm.wasm',
    ]);
    expect(result.bytes).toBeGreaterThan(1_000_000);
  });

  it('runs --help, trains on the wasm backend and serves from dist/ alone', async () => {
    const help = await run(image, ['dist/cli.js', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Commands: train, gate, serve, rollback, simulate');

    const trained = await run(image, ['dist/cli.js', 'train', '--data', DATA, '--sample', '600', '--quiet'], {
      OUTPUT_DIR: join(image, 'out'),
    });
    expect(trained.stderr).toBe('');
    expect(trained.code).toBe(0);
    expect((JSON.parse(trained.stdout) as { backend: string }).backend).toBe('wasm');
    await expect(access(join(image, 'data'))).rejects.toThrow();

    const port = await freePort();
    const child = spawn(process.execPath, ['dist/cli.js', 'serve', '--model', 'out/model'], {
      cwd: image,
      env: { PATH: process.env.PATH ?? '', SERVING_USERNAME: 'u', SERVING_PASSWORD: 'bundle-password', PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      let ready: Response | undefined;
      for (let i = 0; i < 240 && child.exitCode === null; i++) {
        ready = await fetch(`http://127.0.0.1:${port}/ready`).catch(() => undefined);
        if (ready?.status === 200) break;
        await new Promise((r) => setTimeout(r, 250));
      }
      expect(ready?.status, output).toBe(200);
      expect(await ready!.json()).toMatchObject({
        model_name: 'adult-income',
        backend: 'wasm',
        drift: { reference_source: 'drift-reference.json' },
      });
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  }, 240_000);
});
