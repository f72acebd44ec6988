/**
 * The capstone's grading fixture (checks/shared.ts) with real processes: the
 * Procfile runner on a tiny project, and, with the venv's mlflow, the
 * grader's tracking server, the trained-and-gated project and the `web`
 * service on a small Python project (__fixtures__/python-project: sklearn,
 * MLflow's own client), plus M1 and M2 graded on it by the real runner.
 */
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeWithTool, probeVenvTool, toolGate } from '../../../grader/test-support/tools.ts';
import { m1Checks } from './checks/m1.ts';
import { m2Checks } from './checks/m2.ts';
import { gateRefusesAWorseCandidate } from './checks/m4.ts';
import {
  capstoneMlflow,
  datasetFacts,
  isOutcome,
  mlflowClient,
  readDatasetRows,
  runProcfileCommand,
  trainedProject,
  webService,
  type CommandResult,
  type TrainedProject,
  type WebService,
} from './checks/shared.ts';
import { fixtureWorkspace, grade, testRun } from './test-support.ts';

const mlflow = await toolGate('mlflow', probeVenvTool('mlflow'));

describe('the data set', () => {
  it('reads the shipped copy: 48,842 rows, 13 features and the label, and the SHA-256 DATASET.md gives', async () => {
    const facts = await datasetFacts();
    expect(facts).toMatchObject({
      name: 'UCI Adult',
      rows: 48_842,
      sha256: '9479f8b76861e48c66836d97937f2c5a469581672e12c795d770b297817ae3a1',
    });
    expect(facts.gzSha256).toBe('0395f6304f94ff68939003dc116f8b2785eaf83debb666ddcfff095d0aaeddd4');
    const rows = await readDatasetRows();
    expect(rows).toHaveLength(48_842);
    expect(Object.keys(rows[0]!)).toHaveLength(14);
    expect(rows[0]).toMatchObject({ age: 39, workclass: 'State-gov', hours_per_week: 40, income: '<=50K' });
    expect(await readDatasetRows({ dropMissing: true })).toHaveLength(45_222);
  });
});

describe('runProcfileCommand', () => {
  let dir: string;
  const run = async (name: string, env: Record<string, string> = {}, timeoutMs = 20_000, processEnv?: NodeJS.ProcessEnv) => {
    const t = testRun(dir, processEnv ? { env: processEnv } : {});
    try {
      return await runProcfileCommand(t.ctx, name, env, { timeoutMs });
    } finally {
      await t.end();
    }
  };
  const result = (value: CommandResult | unknown): CommandResult => {
    expect(isOutcome(value), JSON.stringify(value)).toBe(false);
    return value as CommandResult;
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mlops-lab-procfile-'));
    await writeFile(
      join(dir, 'Procfile'),
      [
        'show: python3 -c "import os; print(os.getcwd()); print(os.environ[\'GREETING\'])"',
        'say: echo hello-$GREETING',
        "fails: python3 -c \"import sys; print('to stdout'); print('boom', file=sys.stderr); sys.exit(3)\"",
        'sleeps: sleep 30',
        'script: ./run.sh',
        "token: python3 -c \"import os; print(os.environ.get('MLFLOW_TRACKING_TOKEN', 'unset'))\"",
        'nothing: no-such-program-anywhere --flag',
      ].join('\n'),
    );
    await writeFile(join(dir, 'run.sh'), '#!/bin/sh\necho "script ran in $(pwd)"\n');
    await chmod(join(dir, 'run.sh'), 0o755);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('runs the entry from the workspace root with the environment given, and says how to run it by hand', async () => {
    const r = result(await run('show', { GREETING: 'from the grader' }));
    expect(r.exitCode).toBe(0);
    expect(r.output.split('\n')).toEqual([await realPath(dir), 'from the grader']);
    expect(r.byHand).toContain("GREETING='from the grader' python3 -c");
  });

  it('fills $VAR from the environment given (no shell)', async () => {
    expect(result(await run('say', { GREETING: 'world' })).output).toBe('hello-world');
  });

  it('returns the exit code and stdout then stderr', async () => {
    const r = result(await run('fails'));
    expect(r.exitCode).toBe(3);
    expect(r.output).toBe('to stdout\nboom');
  });

  it('kills the command at the deadline: exit code null, timedOut', async () => {
    const started = Date.now();
    const r = result(await run('sleeps', {}, 500));
    expect(r).toMatchObject({ exitCode: null, timedOut: true });
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('runs a program given by a path relative to the workspace', async () => {
    expect(result(await run('script')).output).toBe(`script ran in ${await realPath(dir)}`);
  });

  it("does not pass on the grader's MLflow credentials", async () => {
    expect(result(await run('token', {}, 20_000, { ...process.env, MLFLOW_TRACKING_TOKEN: 'secret' })).output).toBe('unset');
  });

  it('fails, naming the Procfile line to add, when the entry is missing', async () => {
    const outcome = await run('train');
    expect(outcome).toMatchObject({ status: 'fail', message: 'Procfile declares no `train` command.' });
    expect((outcome as { hint: string }).hint).toContain('train: python -m capstone.train');
    expect((outcome as { actual: string }).actual).toContain('`show`');
  });

  it('fails when the program does not exist', async () => {
    const outcome = await run('nothing');
    expect(outcome).toMatchObject({ status: 'fail' });
    expect((outcome as { message: string }).message).toContain('could not start');
  });

  it('fails when there is no Procfile', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'mlops-lab-procfile-'));
    try {
      const t = testRun(empty);
      expect(await runProcfileCommand(t.ctx, 'train', {})).toMatchObject({ status: 'fail', actual: 'no Procfile' });
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });
});

async function realPath(dir: string): Promise<string> {
  const { realpath } = await import('node:fs/promises');
  return realpath(dir);
}

describeWithTool(mlflow, 'the grader’s MLflow server, the trained project and the web service (Python fixture)', () => {
  let workspace: Awaited<ReturnType<typeof fixtureWorkspace>>;
  beforeAll(async () => {
    workspace = await fixtureWorkspace('python-project');
  });
  afterAll(() => workspace?.remove());

  it('starts one tracking server per grading run, with a SQLite store and served artifacts, and stops it when the run ends', async () => {
    const t = testRun(workspace.dir);
    const first = await capstoneMlflow(t.ctx);
    expect(await capstoneMlflow(t.ctx)).toBe(first);
    expect((await fetch(`${first.uri}/health`)).status).toBe(200);
    expect((await stat(join(first.dir, 'mlflow.db'))).isFile()).toBe(true);
    await t.end();
    await expect(fetch(`${first.uri}/health`)).rejects.toThrow();
    await expect(stat(first.dir)).rejects.toThrow();
  }, 200_000);

  describe('one grading run', () => {
    const t = () => run!;
    let run: ReturnType<typeof testRun> | undefined;
    let project: TrainedProject;
    beforeAll(async () => {
      run = testRun(workspace.dir);
      const result = await trainedProject(run.ctx);
      if (isOutcome(result)) throw new Error(`${result.message}\n${'actual' in result ? result.actual : ''}`);
      project = result;
    }, 400_000);
    afterAll(() => run?.end());

    it('trains twice, gates version 1, refuses the grader’s worse version 3 and promotes version 2', async () => {
      expect(project.runs.map((r) => r.exitCode)).toEqual([0, 0]);
      expect(project.runs.map((r) => r.newVersions.map((v) => v.version))).toEqual([['1'], ['2']]);
      expect(project).toMatchObject({ champion: '2', previousChampion: '1', worseVersion: '3' });
      expect(project.versions.map((v) => v.version)).toEqual(['1', '2', '3']);
      expect(project.gateResults.map((g) => [g.step, g.candidate, g.exitCode, g.championBefore, g.championAfter])).toEqual([
        ['first', '1', 0, undefined, '1'],
        ['worse', '3', 1, '1', '1'],
        ['equal', '2', 0, '1', '2'],
      ]);
      expect(project.runs[0].metrics).toEqual(project.runs[1].metrics);
      const client = await mlflowClient(t().ctx);
      expect(await client.champion()).toBe('2');
      expect((await client.getRun(project.worseRunId)).metrics.f1).toBe(0.01);
    });

    it('starts web with the champion’s model: ready, credentials, restart on a new port, stop', async () => {
      const started = await webService(t().ctx);
      if (isOutcome(started)) throw new Error(`${started.message}\n${'actual' in started ? started.actual : ''}`);
      const web: WebService = started;
      expect(await webService(t().ctx)).toBe(web);
      expect(web.ready).toMatchObject({ model_name: 'adult-income', model_version: '2' });
      expect(web.env).toMatchObject({ MODEL_URI: 'models:/adult-income@champion', SERVING_USERNAME: web.credentials.username });
      expect(web.authHeader).toBe(`Basic ${Buffer.from(`${web.credentials.username}:${web.credentials.password}`).toString('base64')}`);
      const firstUrl = web.url;
      // M7 moves the alias, then restarts: the service loads what champion names now.
      await (await mlflowClient(t().ctx)).setAlias('1');
      const restarted = await web.restart();
      expect(restarted).toBe(web);
      expect(web.url).not.toBe(firstUrl);
      expect(web.ready).toMatchObject({ model_version: '1' });
      await expect(fetch(`${firstUrl}/health`)).rejects.toThrow();
      await (await mlflowClient(t().ctx)).setAlias('2');
      await web.stop();
      await expect(fetch(`${web.url}/health`)).rejects.toThrow();
    }, 300_000);
  });

  it('grades M1 and M2 of the Python project: every check passes, with the figures', async () => {
    const result = await grade([...m1Checks, ...m2Checks, gateRefusesAWorseCandidate], workspace.dir);
    const summary = result.checks.map((c) => `${c.id} ${c.status}: ${c.message} ${c.actual ?? ''}`);
    expect(
      result.checks.filter((c) => c.status !== 'pass').map((c) => `${c.id} ${c.status}: ${c.message} ${c.actual ?? ''}`),
      summary.join('\n'),
    ).toEqual([]);
    const figures = Object.assign({}, ...result.checks.map((c) => c.figures ?? {})) as Record<string, unknown>;
    expect(figures).toMatchObject({
      'dataset.name': 'UCI Adult',
      'dataset.rows': 48_842,
      model: 'LogisticRegression',
      seed: 42,
      reproducible: true,
      'mlflow.runs': 2,
      'mlflow.versions': 2,
      'mlflow.champion': '2',
      'gate.rejectsWorse': true,
    });
    expect(figures.f1).toBeGreaterThan(0.6);
    expect(figures.rocAuc).toBeGreaterThan(0.88);
  }, 600_000);

  it('fails the gate check, and not M1, when the gate promotes whatever it is given', async () => {
    const bad = await fixtureWorkspace('python-project');
    try {
      const procfile = await readFile(join(bad.dir, 'Procfile'), 'utf8');
      await writeFile(
        join(bad.dir, 'capstone', 'always.py'),
        'import os\nfrom mlflow import MlflowClient\nMlflowClient().set_registered_model_alias("adult-income", "champion", os.environ["CANDIDATE_VERSION"])\n',
      );
      await writeFile(join(bad.dir, 'Procfile'), procfile.replace('gate: python -m capstone.gate', 'gate: python -m capstone.always'));
      const result = await grade([...m1Checks, ...m2Checks], bad.dir);
      const status = Object.fromEntries(result.checks.map((c) => [c.id, c.status]));
      expect(status).toMatchObject({
        'm1-trains-reproducibly': 'pass',
        'm2-runs-are-logged': 'pass',
        'm2-gate-promotes-and-refuses-worse': 'fail',
      });
      const gate = result.checks.find((c) => c.id === 'm2-gate-promotes-and-refuses-worse')!;
      expect(gate.message).toContain('let a worse model through');
      expect(gate.actual).toContain('champion -> 3');
    } finally {
      await bad.remove();
    }
  }, 600_000);
});
