/**
 * Hold-out submissions for the serving labs, judged as a senior reviewer
 * would: each learner service really runs (uvicorn from the project venv, or
 * plain Node), started by the grader from its Procfile, and the lab's real
 * checks talk to it over HTTP.
 *
 * Submissions: a correct service written in Node instead of FastAPI (the
 * checks are language-neutral); the reference solution with one line changed
 * the way learners get it wrong (`variant`): a default password, a 401 with no
 * WWW-Authenticate header, a model fetched on every request; hostile services
 * that hang, redirect to another host, flood 50 MB, answer HTML or garbage
 * JSON, each of which must give a clear `fail` within bounded time; broken
 * Procfiles and a service that crashes at startup.
 */
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupLab, createWorkspace, findLab, runLab, setupLab, type AttemptResult, type LoadedLab } from '@mlops-lab/grader';
import { expectVerdict, onlyChecks, type ReviewerVerdict } from '../../grader/test-support/holdout.ts';
import { startMlflowServer, type MlflowServer } from '../../grader/test-support/mlflow-server.ts';
import { describeWithTool, probePython, probeVenvTool, toolGate } from '../../grader/test-support/tools.ts';
import { LAB01_APP, LOAN_DATA, TRAIN, copyGiven } from './_shared/hooks.ts';

const python = await toolGate('python', () => probePython());
const mlflow = await toolGate('mlflow', probeVenvTool('mlflow'));

const LAB01 = 'serving/01-model-api';
const LAB03 = 'serving/03-latency-objective';
const LAB04 = 'serving/04-serving-platform';
const LAB02 = 'serving/02-model-by-alias';
const fixture = (lab: string, name: string): string => join(import.meta.dirname, lab.split('/')[1]!, '__fixtures__', 'holdout', name);

/** The reference solution's file with one piece changed; fails loudly when the piece is gone. */
async function variant(lab: LoadedLab, file: string, from: string, to: string): Promise<string> {
  const text = await readFile(join(lab.solutionDir, file), 'utf8');
  if (!text.includes(from)) throw new Error(`${lab.manifest.id} solution/${file} no longer contains ${JSON.stringify(from)}`);
  return text.replace(from, to);
}

describeWithTool(python, 'serving hold-outs: learner services started from their Procfile', () => {
  let parent: string;
  /** A workspace set up once (model trained); its model/ and given files are copied into the others. */
  let template: string;
  const made: { lab: LoadedLab; dir: string }[] = [];
  let count = 0;

  beforeAll(async () => {
    parent = await mkdtemp(join(tmpdir(), 'mlops-serving-holdout-'));
    const lab = await findLab(LAB01);
    template = (await createWorkspace(lab, join(parent, 'template'))).dir;
    await setupLab(lab, template);
    made.push({ lab, dir: template });
  }, 120_000);
  afterAll(async () => {
    for (const { lab, dir } of made) await cleanupLab(lab, dir).catch(() => {});
    if (parent) await rm(parent, { recursive: true, force: true });
  });

  /** A fresh workspace of `labId` (starter, given files, the trained model) with `files` written over it. */
  async function workspace(
    labId: string,
    files: Record<string, string> = {},
    fixtureName?: string,
  ): Promise<{ lab: LoadedLab; dir: string }> {
    const lab = await findLab(labId);
    const dir = (await createWorkspace(lab, join(parent, `w${++count}`))).dir;
    made.push({ lab, dir });
    await copyGiven(dir, [LOAN_DATA, TRAIN]);
    await cp(join(template, 'model'), join(dir, 'model'), { recursive: true });
    if (fixtureName) await cp(fixture(labId, fixtureName), dir, { recursive: true, force: true });
    for (const [path, text] of Object.entries(files)) {
      await mkdir(join(dir, path, '..'), { recursive: true });
      await writeFile(join(dir, path), text);
    }
    return { lab, dir };
  }

  async function grade(lab: LoadedLab, dir: string, ids?: string[]): Promise<AttemptResult> {
    const subset = ids ? onlyChecks(lab, ids) : lab;
    return await runLab({ lab: subset, workspaceDir: dir, learner: 'holdout-test', source: 'test', credit: 'learner' });
  }

  async function verdict(lab: LoadedLab, dir: string, expected: ReviewerVerdict): Promise<AttemptResult> {
    const result = await grade(lab, dir, Object.keys(expected.verdicts));
    expectVerdict(result, expected, { hintNamesCommand: true });
    return result;
  }

  describe(LAB01, () => {
    it('passes a correct service written in Node instead of FastAPI', { timeout: 90_000 }, async () => {
      const { lab, dir } = await workspace(LAB01, {}, 'node-service');
      const result = await grade(lab, dir);
      expect(result.checks.map((c) => `${c.id} ${c.status}: ${c.message}`).filter((line) => !line.includes(' pass:'))).toEqual([]);
    });

    it('fails a password that falls back to admin, and only that', { timeout: 90_000 }, async () => {
      const lab = await findLab(LAB01);
      const auth = (await variant(lab, 'app/auth.py', 'os.environ.get(USERNAME_VAR, "")', 'os.environ.get(USERNAME_VAR, "admin")')).replace(
        'os.environ.get(PASSWORD_VAR, "")',
        'os.environ.get(PASSWORD_VAR, "admin")',
      );
      const solution = Object.fromEntries(
        await Promise.all(
          ['app/main.py', 'app/schemas.py'].map(async (f) => [f, await readFile(join(lab.solutionDir, f), 'utf8')] as const),
        ),
      );
      const { dir } = await workspace(LAB01, { ...solution, 'app/auth.py': auth });
      await verdict(lab, dir, {
        verdicts: { 'predict-requires-credentials': 'pass', 'service-has-no-default-password': 'fail' },
        says: { 'service-has-no-default-password': /served predictions to a guessed login[\s\S]*grader-[0-9a-f]+ \/ admin: status 200/ },
      });
    });

    it('fails a 401 without WWW-Authenticate, and the starter for crashing on bad input', { timeout: 90_000 }, async () => {
      const lab = await findLab(LAB01);
      const auth = await variant(lab, 'app/auth.py', `headers={"WWW-Authenticate": 'Basic realm="loan-default"'},`, '');
      const solution = Object.fromEntries(
        await Promise.all(
          ['app/main.py', 'app/schemas.py'].map(async (f) => [f, await readFile(join(lab.solutionDir, f), 'utf8')] as const),
        ),
      );
      const { dir } = await workspace(LAB01, { ...solution, 'app/auth.py': auth });
      await verdict(lab, dir, {
        verdicts: { 'predict-requires-credentials': 'fail', 'predict-rejects-invalid-input': 'pass' },
        says: { 'predict-requires-credentials': /wrong password: 401 but no `WWW-Authenticate: Basic` header/ },
      });
      const starter = await workspace(LAB01);
      await verdict(lab, starter.dir, {
        verdicts: {
          'service-starts': 'pass',
          'ready-says-the-model-is-loaded': 'fail',
          'predict-rejects-invalid-input': 'fail',
          'predict-requires-credentials': 'fail',
          'predict-returns-one-prediction-per-row': 'fail',
          'service-has-no-default-password': 'fail',
        },
        says: {
          'ready-says-the-model-is-loaded': 'has no GET /ready endpoint',
          'predict-rejects-invalid-input': /crashes POST \/predict \(a 5xx\)[\s\S]*status 500/,
          'predict-requires-credentials': 'serves predictions to callers without valid credentials',
          'predict-returns-one-prediction-per-row': 'predictions: is missing',
        },
      });
    });

    describe('hostile services give a clear fail within bounded time', () => {
      const cases: [mode: string, says: RegExp][] = [
        ['hang', /no complete answer within 5 s/],
        ['redirect-away', /redirected to http:\/\/198\.51\.100\.7\/predict[\s\S]*a redirect to another host/],
        ['flood', /not JSON[\s\S]*cut at the grader’s limit/],
        ['html', /the body is not JSON: <html>/],
        ['garbage-json', /predictions\[0\]\.probability: Invalid input: expected number/],
      ];
      for (const [mode, says] of cases) {
        it(`${mode}`, { timeout: 60_000 }, async () => {
          const lab = await findLab(LAB01);
          const { dir } = await workspace(LAB01, { Procfile: `web: node server.mjs ${mode}\n` }, 'hostile-node');
          await writeFile(join(dir, 'Procfile'), `web: node server.mjs ${mode}\n`);
          const started = performance.now();
          const result = await verdict(lab, dir, {
            verdicts: { 'service-starts': 'pass', 'predict-returns-one-prediction-per-row': 'fail' },
            says: { 'predict-returns-one-prediction-per-row': says },
          });
          expect(result.checks.find((c) => c.id === 'predict-returns-one-prediction-per-row')?.durationMs).toBeLessThan(10_000);
          expect(performance.now() - started).toBeLessThan(30_000);
        });
      }
    });

    it(
      'fails a missing Procfile, shell syntax in it, and a service that crashes at startup, with what to do',
      { timeout: 90_000 },
      async () => {
        const lab = await findLab(LAB01);
        const none = await workspace(LAB01);
        await rm(join(none.dir, 'Procfile'));
        await verdict(lab, none.dir, { verdicts: { 'service-starts': 'fail' }, says: { 'service-starts': 'has no Procfile' } });

        const shell = await workspace(LAB01, { Procfile: 'web: python train.py && uvicorn app.main:app --port $PORT\n' });
        await verdict(lab, shell.dir, { verdicts: { 'service-starts': 'fail' }, says: { 'service-starts': /"&&" is shell syntax/ } });

        const crash = await workspace(LAB01, { 'app/main.py': 'import joblib\nraise SystemExit("model/model.joblib is corrupt")\n' });
        await verdict(lab, crash.dir, {
          verdicts: { 'service-starts': 'fail' },
          says: { 'service-starts': /exited \(exit code 1\)[\s\S]*model\/model\.joblib is corrupt/ },
        });
      },
    );
  });

  describe(LAB03, () => {
    it('passes the Node service too: the objective is about HTTP, not the language', { timeout: 90_000 }, async () => {
      const { lab, dir } = await workspace(LAB03);
      await cp(fixture(LAB01, 'node-service'), dir, { recursive: true, force: true });
      const result = await grade(lab, dir);
      expect(result.checks.map((c) => `${c.id} ${c.status}: ${c.message}`).filter((line) => !line.includes(' pass:'))).toEqual([]);
    });

    it(
      'fails only the p95 when the handler is a thread-pool def that still fetches the model per request',
      { timeout: 90_000 },
      async () => {
        const lab = await findLab(LAB03);
        const main = (await readFile(join(lab.starterDir, 'app/main.py'), 'utf8')).replace('async def predict', 'def predict');
        const { dir } = await workspace(LAB03, { 'app/main.py': main });
        await copyGiven(dir, LAB01_APP);
        await verdict(lab, dir, {
          verdicts: { 'p95-latency-within-budget': 'fail', 'no-errors-under-load': 'pass' },
          says: { 'p95-latency-within-budget': /too slow: p95 \d+(\.\d)? ms against a budget of 200 ms/ },
        });
      },
    );

    it('fails both for the starter, whose blocking fetch in async def queues every request', { timeout: 90_000 }, async () => {
      const lab = await findLab(LAB03);
      const { dir } = await workspace(LAB03);
      await copyGiven(dir, LAB01_APP);
      await verdict(lab, dir, {
        verdicts: { 'predict-returns-one-prediction-per-row': 'pass', 'p95-latency-within-budget': 'fail', 'no-errors-under-load': 'fail' },
        says: { 'no-errors-under-load': /requests failed under load \(.*(timeout|dropped)/ },
      });
    });
  });
});

describe(`${LAB04} (manifest review, no cluster)`, () => {
  let parent: string;
  let lab: LoadedLab;
  let count = 0;
  beforeAll(async () => {
    parent = await mkdtemp(join(tmpdir(), 'mlops-serving-isvc-'));
    lab = await findLab(LAB04);
  });
  afterAll(async () => {
    if (parent) await rm(parent, { recursive: true, force: true });
  });

  async function manifest(text: string): Promise<string> {
    const { dir } = await createWorkspace(lab, join(parent, `w${++count}`));
    await writeFile(join(dir, 'kserve', 'inferenceservice.yaml'), text);
    return dir;
  }
  async function verdictOf(dir: string, expected: ReviewerVerdict): Promise<AttemptResult> {
    const result = await runLab({
      lab: onlyChecks(lab, Object.keys(expected.verdicts)),
      workspaceDir: dir,
      learner: 'holdout-test',
      source: 'test',
      credit: 'learner',
    });
    expectVerdict(result, expected, { hintNamesCommand: true });
    return result;
  }

  it('fails the challenger artifact and a CPU limit below its request, and passes the rest', async () => {
    const dir = await manifest(await readFile(join(fixture(LAB04, 'challenger-and-typos'), 'inferenceservice.yaml'), 'utf8'));
    await verdictOf(dir, {
      verdicts: {
        'model-format-is-mlflow-v2': 'pass',
        'storage-uri-is-the-champion-artifact': 'fail',
        'resources-are-requested-and-limited': 'fail',
        'replicas-stay-warm-and-bounded': 'pass',
        'runtime-version-is-pinned': 'pass',
      },
      says: {
        'storage-uri-is-the-champion-artifact': 'points at version 3 (the challenger), not at the champion (version 2)',
        'resources-are-requested-and-limited': 'cpu limit 500m is below its request 2',
      },
    });
  });

  it('names a misspelt field with its line, and a wrong kind of runtime', async () => {
    const solution = await readFile(join(lab.solutionDir, 'kserve', 'inferenceservice.yaml'), 'utf8');
    const typo = await manifest(solution.replace('storageUri:', 'storageURI:'));
    await verdictOf(typo, {
      verdicts: { 'manifest-is-an-inference-service': 'fail' },
      says: {
        'manifest-is-an-inference-service':
          /inferenceservice\.yaml:\d+ spec\.predictor\.model: unknown field\(s\) `storageURI` \(did you mean `storageUri`\?\)/,
      },
    });
    const sklearn = await manifest(solution.replace('name: mlflow', 'name: sklearn').replace('protocolVersion: v2', 'protocolVersion: v1'));
    await verdictOf(sklearn, {
      verdicts: { 'model-format-is-mlflow-v2': 'fail', 'storage-uri-is-the-champion-artifact': 'pass' },
      says: { 'model-format-is-mlflow-v2': /modelFormat\.name is "sklearn"[\s\S]*protocolVersion is v1/ },
    });
  });

  it('fails a Deployment instead of an InferenceService, a huge file and an alias bomb with a clear reason', async () => {
    const deployment = await manifest(
      'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: loan-default\nspec:\n  selector: {matchLabels: {app: a}}\n  template:\n    metadata: {labels: {app: a}}\n    spec:\n      containers: [{name: a, image: "python:3.12.7-slim"}]\n',
    );
    await verdictOf(deployment, {
      verdicts: { 'manifest-is-an-inference-service': 'fail' },
      says: { 'manifest-is-an-inference-service': 'No InferenceService found in kserve/' },
    });

    const huge = await manifest(`# ${'x'.repeat(600 * 1024)}\n`);
    await verdictOf(huge, {
      verdicts: { 'manifest-is-an-inference-service': 'fail' },
      says: { 'manifest-is-an-inference-service': /would not read kserve\// },
    });

    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 12; i++)
      bomb.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9)
          .fill(`*${String.fromCharCode(96 + i)}`)
          .join(',')}]`,
      );
    const aliases = await manifest(`${bomb.join('\n')}\n`);
    await verdictOf(aliases, {
      verdicts: { 'manifest-is-an-inference-service': 'fail' },
      says: { 'manifest-is-an-inference-service': /aliases/ },
    });
  });
});

describeWithTool(mlflow, `${LAB02} hold-outs against a real tracking server`, () => {
  let server: MlflowServer;
  let parent: string;
  let env: NodeJS.ProcessEnv;
  const made: { lab: LoadedLab; dir: string }[] = [];
  let count = 0;

  beforeAll(async () => {
    server = await startMlflowServer({ mlflow: mlflow.detail! });
    parent = await mkdtemp(join(tmpdir(), 'mlops-serving-alias-'));
    env = { ...process.env, MLFLOW_TRACKING_URI: server.uri };
  }, 180_000);
  afterAll(async () => {
    for (const { lab, dir } of made) await cleanupLab(lab, dir, { env }).catch(() => {});
    await server?.stop();
    if (parent) await rm(parent, { recursive: true, force: true });
  });

  let shared: { lab: LoadedLab; dir: string } | undefined;
  /** One set-up workspace (two versions registered, champion -> 1: the slow part), its app/main.py the solution's with one change. */
  async function submission(from: string, to: string): Promise<{ lab: LoadedLab; dir: string }> {
    if (!shared) {
      const lab = await findLab(LAB02);
      shared = { lab, dir: (await createWorkspace(lab, join(parent, `w${++count}`))).dir };
      made.push(shared);
      await setupLab(lab, shared.dir, { env });
    }
    await writeFile(join(shared.dir, 'app', 'main.py'), await variant(shared.lab, 'app/main.py', from, to));
    return shared;
  }

  async function verdictOf(lab: LoadedLab, dir: string, expected: ReviewerVerdict): Promise<void> {
    const result = await runLab({
      lab: onlyChecks(lab, Object.keys(expected.verdicts)),
      workspaceDir: dir,
      learner: 'holdout-test',
      source: 'test',
      credit: 'learner',
      env,
    });
    expectVerdict(result, expected, { hintNamesCommand: true });
  }

  it('fails a service that reports the champion version but still loads version 1', { timeout: 240_000 }, async () => {
    const { lab, dir } = await submission(
      'mlflow.sklearn.load_model(f"models:/{MODEL_NAME}/{version}")',
      'mlflow.sklearn.load_model(f"models:/{MODEL_NAME}/1")',
    );
    await verdictOf(lab, dir, {
      verdicts: { 'ready-reports-the-champion-version': 'pass', 'service-follows-the-alias-on-restart': 'fail' },
      says: { 'service-follows-the-alias-on-restart': 'gave exactly the same predictions: it does not follow the alias' },
    });
  });

  it('fails a service that follows the alias but does not say which version it loaded', { timeout: 240_000 }, async () => {
    const { lab, dir } = await submission(
      'return {"ready": True, "model": {"name": MODEL_NAME, "alias": MODEL_ALIAS, "version": state["version"]}}',
      'return {"ready": True}',
    );
    await verdictOf(lab, dir, {
      verdicts: { 'ready-reports-the-champion-version': 'fail', 'service-follows-the-alias-on-restart': 'pass' },
      says: { 'ready-reports-the-champion-version': 'does not say which model the service loaded' },
    });
  });
});
