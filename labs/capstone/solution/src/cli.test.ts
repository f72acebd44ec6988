import { execFile } from 'node:child_process';
import { access, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDataset } from './data.ts';
import { evaluate } from './metrics.ts';
import { MODEL_FILES, loadTrainedModel } from './model-io.ts';
import { splitFor } from './train.ts';

const CLI = fileURLToPath(new URL('./cli.ts', import.meta.url));
/** The test-split F1 the full model must reach (it scores about 0.71; LightGBM about 0.72). */
const F1_FLOOR = 0.69;
const AUC_FLOOR = 0.91;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function runCli(args: string[], timeoutMs = 240_000): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      // Without the variables the commands read, so flags alone decide.
      {
        timeout: timeoutMs,
        killSignal: 'SIGKILL',
        maxBuffer: 4 * 1024 * 1024,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe('cli.ts train', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'capstone-cli-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('trains on the full data set, saves the model and prints metrics above the floor; the saved model scores the test split the same', async () => {
    const out = join(root, 'full');
    const run = await runCli(['train', '--out', out, '--quiet']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const printed = JSON.parse(run.stdout) as {
      backend: string;
      seed: number;
      split: { train: number; validation: number; test: number };
      threshold: number;
      dataset: { sha256: string };
      metrics: { test: { f1: number; rocAuc: number; precision: number; recall: number } };
    };
    expect(['wasm', 'tensorflow']).toContain(printed.backend);
    expect(printed.seed).toBe(42);
    expect(printed.split).toEqual({ train: 34_190, validation: 7326, test: 7326 });
    expect(printed.metrics.test.f1).toBeGreaterThan(F1_FLOOR);
    expect(printed.metrics.test.rocAuc).toBeGreaterThan(AUC_FLOOR);
    for (const file of Object.values(MODEL_FILES)) await access(join(out, file));

    const dataset = await loadDataset();
    expect(printed.dataset.sha256).toBe(dataset.sha256);
    const { test } = splitFor(dataset, 42);
    const loaded = await loadTrainedModel(out);
    const scores = loaded.scores(test.map((i) => dataset.rows[i] as (typeof dataset.rows)[number]));
    const again = evaluate(
      test.map((i) => dataset.labels[i] as number),
      scores,
      loaded.manifest.threshold,
    );
    expect(again.f1).toBe(printed.metrics.test.f1);
    expect(again.rocAuc).toBe(printed.metrics.test.rocAuc);
    loaded.model.dispose();
  }, 300_000);

  it('exits 1 with the file, line and column when the CSV is bad, and with the path when there is no file', async () => {
    const bad = join(root, 'bad.csv');
    await writeFile(
      bad,
      'age,workclass,fnlwgt,education,education_num,marital_status,occupation,relationship,race,sex,capital_gain,capital_loss,hours_per_week,native_country,income\n39,State-gov,77516,Bachelors,13,Never-married,Adm-clerical,Not-in-family,White,Male,lots,0,40,United-States,<=50K\n',
    );
    const run = await runCli(['train', '--out', join(root, 'never'), '--data', bad, '--quiet']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`error: ${bad}: 1 bad row(s): line 2: capital_gain: expected a whole number (got "lots")`);
    expect(run.stderr).toContain('next: check the file is the Adult CSV');
    expect(run.stdout).toBe('');

    const missing = await runCli(['train', '--out', join(root, 'never'), '--data', join(root, 'nope.csv'), '--quiet']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`error: ${join(root, 'nope.csv')}: no such file`);
    expect(missing.stderr).toContain('next: check the path given to --data');
  });

  it('exits 2 with the usage on a missing command, a bad output choice, a bad seed or a bad port', async () => {
    for (const [args, message] of [
      [[], 'expected the command "train", "gate", "serve", "rollback", "simulate"'],
      [['train', '--out', join(root, 'x'), '--output-dir', join(root, 'y')], 'give --out DIR or --output-dir DIR, not both'],
      [['train', '--out', join(root, 'x'), '--seed', 'abc'], '--seed must be a whole number'],
      [['train', '--out', join(root, 'x'), '--backend', 'gpu'], '--backend must be one of auto, tensorflow, wasm, cpu'],
      [['serve'], 'serve needs a model: --model DIR'],
      [['serve', '--model-uri', 'adult-income'], 'is not a registry model URI'],
      [
        ['serve', '--model', root, '--window-rows', '100', '--drift-min-rows', '200'],
        '--drift-min-rows (200) must not exceed --window-rows (100)',
      ],
      [['serve', '--model', root, '--port', '70000'], '--port must be a whole number from 0 to 65535'],
      [['simulate'], '--url URL is required'],
      [['simulate', '--url', 'ftp://x'], '--url must start with http:// or https://'],
      [['simulate', '--url', 'http://127.0.0.1:1', '--shift', 'agee=+1'], '"agee" is not a feature'],
    ] as const) {
      const run = await runCli([...args]);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr).toContain(message);
      expect(run.stderr).toContain('Usage: node labs/capstone/solution/src/cli.ts <command> [options]');
    }
  });
});
