/**
 * Hold-out submissions for the MLflow labs, judged as a senior reviewer
 * would, against one real tracking server for the whole file: the learner's
 * Python runs with the venv's MLflow exactly as in a terminal after
 * `source lab.env`, then the lab's real checks read the server.
 *
 * Submissions are the labs' own starters (the mistakes they ship with) and
 * the reference solution with one line changed the way learners get it
 * wrong (`variant`): metrics logged only at the end, a model without an
 * input example, the best trial picked in the wrong direction or by the
 * wrong metric, deprecated stages instead of an alias, an alias on a version
 * nobody validated.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MlflowEvidence,
  applySolution,
  cleanupLab,
  createWorkspace,
  findLab,
  runLab,
  setupLab,
  workspaceId,
  type AttemptResult,
  type LoadedLab,
} from '@mlops-lab/grader';
import { MlflowLabSupport } from '@mlops-lab/grader/authoring';
import { onlyChecks } from '../../grader/test-support/holdout.ts';
import { freePort, pythonBeside, runPython, startMlflowServer, type MlflowServer } from '../../grader/test-support/mlflow-server.ts';
import { describeWithTool, probeVenvTool, toolGate } from '../../grader/test-support/tools.ts';
import { judgeServerCommand } from './01-tracking-server/checks/start-script-sets-backend-and-artifact-root.ts';
import { judgeStoreType } from './01-tracking-server/checks/backend-store-is-a-database.ts';
import { judgeMlmodel } from './02-log-a-training-run/checks/model-has-signature-and-input-example.ts';
import { labNames, labNumberOf, scriptEnv } from './_shared/lab-env.ts';
import { QUIET_PYTHON } from './_shared/runs.ts';
import { PID_FILE } from './_shared/server.ts';

describe('judgeServerCommand (mlflow/01 start-server.sh)', () => {
  it('passes a database backend and an artifact root, across continued lines', () => {
    expect(
      judgeServerCommand('exec mlflow server \\\n  --backend-store-uri sqlite:///mlflow.db \\\n  --default-artifact-root ./a\n'),
    ).toEqual([]);
    expect(judgeServerCommand('mlflow server --backend-store-uri=postgresql://u@db/mlflow --artifacts-destination s3://b')).toEqual([]);
  });
  it('fails the file store, a missing artifact root, and flags only in comments', () => {
    expect(judgeServerCommand('mlflow server --backend-store-uri ./mlruns --default-artifact-root ./a')).toEqual([
      expect.stringMatching(/database URI/),
    ]);
    expect(judgeServerCommand('mlflow server --backend-store-uri sqlite:///mlflow.db')).toEqual([expect.stringMatching(/artifact-root/)]);
    expect(
      judgeServerCommand('# mlflow server --backend-store-uri sqlite:///m.db --default-artifact-root ./a\nmlflow server'),
    ).toHaveLength(2);
  });
});

describe('judgeStoreType and judgeMlmodel', () => {
  it('accepts only a SQL store', () => {
    expect(judgeStoreType('SqlStore')).toBeUndefined();
    expect(judgeStoreType('FileStore')).toMatch(/file store/);
    expect(judgeStoreType(undefined)).toMatch(/does not report/);
  });
  it('wants a signature over the features and an input example', () => {
    const inputs = ['age', 'annual_income', 'loan_amount', 'credit_score', 'debt_to_income', 'late_payments_12m']
      .map((f) => `{"type": "double", "name": "${f}", "required": true}`)
      .join(', ');
    const good = `flavors: {}\nsaved_input_example_info:\n  artifact_path: input_example.json\nsignature:\n  inputs: '[${inputs}]'\n  outputs: '[]'\n`;
    expect(judgeMlmodel(good)).toEqual([]);
    expect(judgeMlmodel('flavors: {}\nmlflow_version: 3.17.2\n')).toEqual([
      expect.stringMatching(/no signature/),
      expect.stringMatching(/no input example/),
    ]);
    expect(judgeMlmodel(good.replace('"age"', '"years"'))).toEqual([expect.stringMatching(/without the feature\(s\) age/)]);
  });
});

const mlflow = await toolGate('mlflow', probeVenvTool('mlflow'));

/** The reference solution's file with one line changed; fails loudly when the line is gone. */
async function variant(lab: LoadedLab, file: string, from: string, to: string): Promise<string> {
  const text = await readFile(join(lab.solutionDir, file), 'utf8');
  if (!text.includes(from)) throw new Error(`${lab.manifest.id} solution/${file} no longer contains ${JSON.stringify(from)}`);
  return text.replace(from, to);
}

describeWithTool(mlflow, 'MLflow hold-outs against a real tracking server', () => {
  let server: MlflowServer;
  let python: string;
  let parent: string;
  let env: NodeJS.ProcessEnv;
  const workspaces: { lab: LoadedLab; dir: string }[] = [];

  beforeAll(async () => {
    server = await startMlflowServer({ mlflow: mlflow.detail! });
    python = await pythonBeside(mlflow.detail!);
    parent = await mkdtemp(join(tmpdir(), 'mlops-mlflow-holdout-'));
    env = { ...process.env, MLFLOW_TRACKING_URI: server.uri };
  });
  afterAll(async () => {
    for (const { lab, dir } of workspaces) await cleanupLab(lab, dir, { env }).catch(() => {});
    await server?.stop();
    if (parent) await rm(parent, { recursive: true, force: true });
  });

  interface Workspace {
    lab: LoadedLab;
    dir: string;
    run(script: string): Promise<void>;
    submit(script: string, from: string, to: string): Promise<void>;
  }

  async function workspace(id: string, name: string): Promise<Workspace> {
    const lab = await findLab(id);
    const { dir } = await createWorkspace(lab, join(parent, name));
    await setupLab(lab, dir, { env });
    workspaces.push({ lab, dir });
    const scriptVars = scriptEnv(
      { lab: { id, version: '' }, workspace: { dir, id: workspaceId(dir) }, mlflow: new MlflowEvidence({ env }) },
      true,
    );
    const run = async (script: string): Promise<void> => {
      await runPython(python, [script], { cwd: dir, env: { ...env, ...scriptVars, ...QUIET_PYTHON } });
    };
    /** Writes the solution's `script` with one change (see {@link variant}) and runs it. */
    const submit = async (script: string, from: string, to: string): Promise<void> => {
      await writeFile(join(dir, script), await variant(lab, script, from, to));
      await run(script);
    };
    return { lab, dir, run, submit };
  }

  /** Grades with only the named checks (and what they need) and holds each to the reviewer's verdict. */
  async function verdict(
    lab: LoadedLab,
    dir: string,
    verdicts: Record<string, 'pass' | 'fail'>,
    says: Record<string, RegExp> = {},
  ): Promise<AttemptResult> {
    const result = await runLab({
      lab: onlyChecks(lab, Object.keys(verdicts)),
      workspaceDir: dir,
      learner: 'holdout-test',
      source: 'test',
      credit: 'learner',
      env,
    });
    const details = result.checks.map((c) => `${c.id} ${c.status}: ${c.message} ${c.actual ?? ''}`).join('\n');
    expect(Object.fromEntries(Object.keys(verdicts).map((id) => [id, result.checks.find((c) => c.id === id)?.status])), details).toEqual(
      verdicts,
    );
    for (const [id, pattern] of Object.entries(says)) {
      const check = result.checks.find((c) => c.id === id)!;
      expect(`${check.message}\n${check.actual ?? ''}`).toMatch(pattern);
      expect(check.hint, `${id} hint`).toBeTruthy();
    }
    return result;
  }

  it('mlflow/01: no server at the URI fails with the start command; solve starts one, cleanup stops it', async () => {
    const lab = await findLab('mlflow/01-tracking-server');
    const { dir } = await createWorkspace(lab, join(parent, 'w01'));
    const local = { ...process.env, MLFLOW_TRACKING_URI: `http://127.0.0.1:${await freePort()}` };
    await setupLab(lab, dir, { env: local });
    try {
      const before = await runLab({ lab, workspaceDir: dir, learner: 'holdout', source: 'test', credit: 'learner', env: local });
      const answers = before.checks.find((c) => c.id === 'tracking-server-answers')!;
      expect(answers.status).toBe('fail');
      expect(answers.hint).toMatch(/bash start-server\.sh/);
      // The learner's path: solve writes start-server.sh and starts it as the instructions say.
      await applySolution(lab, dir, { env: local });
      expect(existsSync(join(dir, PID_FILE))).toBe(true);
      expect(existsSync(join(dir, 'mlflow.db'))).toBe(true);
      const after = await runLab({ lab, workspaceDir: dir, learner: 'holdout', source: 'test', credit: 'solution', env: local });
      expect(after.checks.map((c) => `${c.id}: ${c.status}`)).toEqual(lab.manifest.checks.map((c) => `${c.id}: pass`));
    } finally {
      await cleanupLab(lab, dir, { env: local });
    }
    expect(existsSync(join(dir, PID_FILE))).toBe(false);
    await expect(new MlflowEvidence({ env: local }).ping()).rejects.toMatchObject({ code: 'MLFLOW_UNREACHABLE' });
  }, 300_000);

  it('mlflow/02: the starter logs metrics only at the end, no params, no report, no model', async () => {
    const { lab, dir, run } = await workspace('mlflow/02-log-a-training-run', 'w02-starter');
    await run('train.py');
    await verdict(
      lab,
      dir,
      {
        'training-run-finished': 'pass',
        'run-logs-hyperparameters': 'fail',
        'metrics-have-a-step-history': 'fail',
        'run-logs-evaluation-report': 'fail',
        'run-logs-a-model': 'fail',
      },
      {
        'run-logs-hyperparameters': /does not record alpha, penalty, epochs, seed/,
        'metrics-have-a-step-history': /at most once \(at the end\)/,
        'run-logs-evaluation-report': /stayed on disk/,
        'run-logs-a-model': /logged no model/,
      },
    );
  }, 180_000);

  it('mlflow/02: a model logged without an input example has no signature', async () => {
    const { lab, dir, submit } = await workspace('mlflow/02-log-a-training-run', 'w02-no-example');
    await submit('train.py', '            input_example=X_val.head(5),\n', '');
    await verdict(
      lab,
      dir,
      { 'metrics-have-a-step-history': 'pass', 'run-logs-a-model': 'pass', 'model-has-signature-and-input-example': 'fail' },
      { 'model-has-signature-and-input-example': /no signature .* and no input example/ },
    );
    // A file the logged model does not have is "absent", not an error.
    const client = new MlflowEvidence({ env });
    const experiment = await client.getExperimentByName(labNames('02', { id: workspaceId(dir) }).experiment);
    const modelId = (await client.searchRuns({ experimentIds: [experiment.experimentId] })).items[0]!.modelOutputs[0]!.modelId;
    const support = new MlflowLabSupport({ trackingUri: server.uri });
    expect(await support.loggedModelFile(modelId, 'no-such-file.txt')).toBeUndefined();
    expect((await support.loggedModelFiles(modelId)).map((f) => f.path)).toContain('MLmodel');
  }, 180_000);

  it('mlflow/03: trials not nested, then the best picked in the wrong direction, then by the wrong metric', async () => {
    const { lab, dir, run, submit } = await workspace('mlflow/03-sweep-and-compare', 'w03');
    await run('sweep.py');
    await verdict(lab, dir, { 'sweep-has-a-parent-run': 'fail' }, { 'sweep-has-a-parent-run': /not grouped under a sweep/ });

    await submit('sweep.py', '"metrics.val_loss ASC"', '"metrics.val_loss DESC"');
    await verdict(
      lab,
      dir,
      { 'sweep-covers-six-param-sets': 'pass', 'every-trial-finished-with-val-loss': 'pass', 'best-run-file-names-the-best-trial': 'fail' },
      { 'best-run-file-names-the-best-trial': /names the worst trial .* lower is better/ },
    );

    await submit('sweep.py', '"metrics.val_loss ASC"', '"metrics.val_accuracy DESC"');
    await verdict(
      lab,
      dir,
      { 'best-run-file-names-the-best-trial': 'fail' },
      { 'best-run-file-names-the-best-trial': /has the lowest val_loss/ },
    );
  }, 240_000);

  it('mlflow/04: stages instead of an alias, then an unvalidated champion, then the alias on the wrong version; cleanup removes it all', async () => {
    const { lab, dir, run, submit } = await workspace('mlflow/04-register-and-promote', 'w04');
    await run('sweep.py');
    await run('promote.py');
    await verdict(
      lab,
      dir,
      { 'model-is-registered': 'pass', 'champion-alias-is-set': 'fail', 'no-version-uses-deprecated-stages': 'fail' },
      {
        'champion-alias-is-set': /stage Production.*deprecated since MLflow 2\.9/,
        'no-version-uses-deprecated-stages': /Version 1 is in stage Production/,
      },
    );

    await submit(
      'promote.py',
      '    client.set_model_version_tag(MODEL_NAME, version.version, "validation_status", "passed" if passed else "failed")\n',
      '',
    );
    await verdict(
      lab,
      dir,
      { 'champion-alias-is-set': 'pass', 'champion-is-the-best-trial': 'pass', 'champion-passed-validation': 'fail' },
      { 'champion-passed-validation': /without a validation record/ },
    );

    await submit('promote.py', '"metrics.val_loss ASC"', '"metrics.val_loss DESC"');
    await verdict(
      lab,
      dir,
      { 'champion-is-the-best-trial': 'fail', 'champion-passed-validation': 'pass' },
      { 'champion-is-the-best-trial': /champion points at version 3, .* not from the best trial/ },
    );

    await cleanupLab(lab, dir, { env });
    const client = new MlflowEvidence({ env });
    const names = labNames(labNumberOf(lab.manifest.id), { id: workspaceId(dir) });
    await expect(client.getRegisteredModel(names.model)).rejects.toMatchObject({ code: 'MLFLOW_NOT_FOUND' });
    await expect(client.getExperimentByName(names.experiment)).rejects.toMatchObject({ code: 'MLFLOW_NOT_FOUND' });
    // A second cleanup (a reset after a reset) finds nothing and does not fail.
    await cleanupLab(lab, dir, { env });
    // The name is free again: MLflow keeps a deleted experiment's name until `mlflow gc`, so cleanup renamed it first.
    await run('sweep.py');
    expect((await client.getExperimentByName(names.experiment)).lifecycleStage).toBe('active');
  }, 300_000);

  it('mlflow/05: champion left on the hasty version, then rolled back to a re-registered copy', async () => {
    const { lab, dir, run, submit } = await workspace('mlflow/05-rollback-by-alias', 'w05-copy');
    await run('history.py');
    await run('rollback.py');
    await verdict(
      lab,
      dir,
      {
        'both-versions-are-kept': 'pass',
        'challenger-was-measured-worse': 'fail',
        'challenger-is-tagged-failed': 'fail',
        'champion-is-back-on-version-1': 'fail',
      },
      {
        'challenger-was-measured-worse': /do not record the validation_accuracy/,
        'challenger-is-tagged-failed': /validation_status is not set/,
        'champion-is-back-on-version-1': /still points at version 2/,
      },
    );

    await submit(
      'rollback.py',
      'client.set_registered_model_alias(MODEL_NAME, "champion", previous.version)',
      'client.set_registered_model_alias(MODEL_NAME, "champion", mlflow.register_model(previous.source, MODEL_NAME).version)',
    );
    await verdict(
      lab,
      dir,
      { 'challenger-was-measured-worse': 'pass', 'challenger-is-tagged-failed': 'pass', 'champion-is-back-on-version-1': 'fail' },
      { 'champion-is-back-on-version-1': /points at version 3, a new registration/ },
    );
  }, 300_000);

  it('mlflow/05: a rollback that deletes the bad version destroys the evidence', async () => {
    const { lab, dir, run, submit } = await workspace('mlflow/05-rollback-by-alias', 'w05-delete');
    await run('history.py');
    await submit(
      'rollback.py',
      '    client.set_registered_model_alias(MODEL_NAME, "champion", previous.version)\n',
      '    client.set_registered_model_alias(MODEL_NAME, "champion", previous.version)\n    client.delete_model_version(MODEL_NAME, champion.version)\n',
    );
    await verdict(lab, dir, { 'both-versions-are-kept': 'fail' }, { 'both-versions-are-kept': /lacks version 2/ });
  }, 300_000);
});
