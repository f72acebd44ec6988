/**
 * M4's static checks (the workflows, read with GitHub's own parser, and
 * dvc.yaml), graded by the real runner on the reference solution's files and
 * on broken copies of them, one fault at a time.
 */
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import type { AttemptResult } from '@mlops-lab/grader';
import { m4Checks } from './checks/m4.ts';
import { HERE, fixtureWorkspace, grade } from './test-support.ts';

const REFERENCE = resolve(HERE, '..', 'solution');
const STATIC = m4Checks.filter((c) => c.id !== 'm4-gate-refuses-a-worse-candidate');
const CI = '.github/workflows/ci.yml';
const RETRAIN = '.github/workflows/retrain.yml';

type Yaml = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('M4 static checks', () => {
  let workspace: Awaited<ReturnType<typeof fixtureWorkspace>>;
  const dir = (): string => workspace.dir;
  const edit = async (file: string, change: (data: Yaml) => void): Promise<void> => {
    const data = parse(await readFile(join(dir(), file), 'utf8')) as Yaml;
    change(data);
    await writeFile(join(dir(), file), stringify(data));
  };
  const run = async (): Promise<Record<string, AttemptResult['checks'][number]>> =>
    Object.fromEntries((await grade(STATIC, dir())).checks.map((c) => [c.id, c]));
  const expectOnly = async (failing: Record<string, string>): Promise<void> => {
    const checks = await run();
    for (const [id, check] of Object.entries(checks)) {
      if (id in failing) {
        expect({ id, status: check.status }).toEqual({ id, status: 'fail' });
        expect(`${check.message}\n${check.actual}`).toContain(failing[id]);
        expect(check.expected && check.hint, id).toBeTruthy();
      } else expect({ id, status: check.status, message: check.message, actual: check.actual }).toMatchObject({ status: 'pass' });
    }
  };

  beforeEach(async () => {
    workspace = await fixtureWorkspace();
    await cp(join(REFERENCE, '.github'), join(dir(), '.github'), { recursive: true });
    await cp(join(REFERENCE, 'dvc.yaml'), join(dir(), 'dvc.yaml'));
  });
  afterEach(() => workspace.remove());

  it("passes the reference's workflows and dvc.yaml, recording the triggers", async () => {
    const checks = await run();
    expect(
      Object.values(checks)
        .map((c) => `${c.id} ${c.status} ${c.actual ?? ''}`)
        .filter((s) => !s.includes(' pass ')),
    ).toEqual([]);
    expect(checks['m4-retrains-on-schedule-and-data-change']!.figures).toEqual({
      'ci.triggers': 'ci: pull_request, push; retrain: schedule (17 3 * * 1), push (paths), workflow_dispatch',
    });
    expect(checks['m4-gate-runs-before-deploy']!.message).toContain('job gate');
  });

  it('fails every workflow check, and not dvc.yaml, when there is no workflow', async () => {
    await rm(join(dir(), '.github'), { recursive: true });
    const message = 'The project has no GitHub Actions workflow';
    await expectOnly({
      'm4-ci-tests-and-lints-pull-requests': message,
      'm4-retrains-on-schedule-and-data-change': message,
      'm4-gate-runs-before-deploy': message,
      'm4-image-is-built-and-deployed': message,
    });
  });

  it("fails with GitHub's parser's problem for an invalid cron", async () => {
    await edit(RETRAIN, (w) => (w.on.schedule[0].cron = '61 3 * * 1'));
    const checks = await run();
    expect(checks['m4-ci-tests-and-lints-pull-requests']).toMatchObject({ status: 'fail' });
    expect(checks['m4-ci-tests-and-lints-pull-requests']!.actual).toMatch(/retrain\.yml:\d+/);
  });

  it('fails the pull request check without a lint step, and without a pull_request event', async () => {
    await edit(CI, (w) => (w.jobs.test.steps = w.jobs.test.steps.filter((s: Yaml) => !String(s.run ?? '').includes('tsc'))));
    await expectOnly({ 'm4-ci-tests-and-lints-pull-requests': 'no step lints' });
    await edit(CI, (w) => delete w.on.pull_request);
    await expectOnly({ 'm4-ci-tests-and-lints-pull-requests': 'no workflow has a pull_request event' });
  });

  it('fails the retrain check for a paths filter that misses the DVC pointer (* stops at a slash)', async () => {
    await writeFile(join(dir(), 'data', 'adult.csv.gz.dvc'), 'outs:\n- md5: 0\n  path: adult.csv.gz\n');
    await edit(RETRAIN, (w) => (w.on.push.paths = ['*.dvc', 'dvc.lock']));
    await expectOnly({ 'm4-retrains-on-schedule-and-data-change': 'a push changing data/adult.csv.gz.dvc does not start it' });
    await edit(RETRAIN, (w) => (w.on.push.paths = ['**.dvc', 'dvc.lock']));
    await expectOnly({});
  });

  it('fails the retrain check when every push retrains, and when there is no schedule', async () => {
    await edit(RETRAIN, (w) => delete w.on.push.paths);
    await expectOnly({ 'm4-retrains-on-schedule-and-data-change': 'no paths filter' });
    await edit(RETRAIN, (w) => {
      w.on.push.paths = ['data/**'];
      delete w.on.schedule;
    });
    await expectOnly({ 'm4-retrains-on-schedule-and-data-change': 'has no schedule' });
  });

  it('fails the gate check when the deploy does not wait for the gate', async () => {
    await edit(RETRAIN, (w) => {
      w.jobs.build.needs = 'train';
      w.jobs.deploy.needs = ['build'];
    });
    await expectOnly({ 'm4-gate-runs-before-deploy': 'deploys without the gate before it' });
  });

  it('fails the gate check when a refusal is swallowed, or the deploy runs anyway', async () => {
    await edit(RETRAIN, (w) => (w.jobs.gate.steps.at(-1).run = 'node src/cli.ts gate || true'));
    await expectOnly({ 'm4-gate-runs-before-deploy': 'turns a refusal into success' });
    await edit(RETRAIN, (w) => {
      w.jobs.gate.steps.at(-1).run = 'node src/cli.ts gate';
      w.jobs.deploy.if = 'always()';
    });
    await expectOnly({ 'm4-gate-runs-before-deploy': 'runs even when the gate failed' });
  });

  it('passes a deploy in a second workflow started by workflow_run only when the first succeeded', async () => {
    const retrain = parse(await readFile(join(dir(), RETRAIN), 'utf8')) as Yaml;
    const deploy: Yaml = {
      name: 'deploy',
      on: { workflow_run: { workflows: ['retrain'], types: ['completed'] } },
      permissions: { contents: 'read' },
      jobs: { deploy: { ...retrain.jobs.deploy, needs: undefined, if: "github.event.workflow_run.conclusion == 'success'" } },
    };
    delete deploy.jobs.deploy.needs;
    delete retrain.jobs.deploy;
    await writeFile(join(dir(), RETRAIN), stringify(retrain));
    await writeFile(join(dir(), '.github/workflows/deploy.yml'), stringify(deploy));
    await expectOnly({});
    delete deploy.jobs.deploy.if;
    await writeFile(join(dir(), '.github/workflows/deploy.yml'), stringify(deploy));
    await expectOnly({
      'm4-gate-runs-before-deploy': 'deploys without the gate',
      'm4-image-is-built-and-deployed': 'not after the image build',
    });
  });

  it('fails the image check when nothing builds an image', async () => {
    await edit(
      RETRAIN,
      (w) => (w.jobs.build.steps = w.jobs.build.steps.filter((s: Yaml) => !String(s.uses ?? '').startsWith('docker/build-push-action'))),
    );
    await expectOnly({ 'm4-image-is-built-and-deployed': 'no step builds an image' });
  });

  it('fails the dvc.yaml check when it is missing, lacks metrics, or does not depend on the code', async () => {
    await rm(join(dir(), 'dvc.yaml'));
    await expectOnly({ 'm4-dvc-pipeline-has-train-stage': 'no dvc.yaml' });
    await writeFile(
      join(dir(), 'dvc.yaml'),
      stringify({ stages: { train: { cmd: 'python -m capstone.train', deps: ['data/adult.csv.gz'], outs: ['models/latest'] } } }),
    );
    await expectOnly({ 'm4-dvc-pipeline-has-train-stage': 'no metrics' });
    const checks = await run();
    expect(checks['m4-dvc-pipeline-has-train-stage']!.actual).toContain('no code');
    await writeFile(join(dir(), 'dvc.yaml'), 'stages:\n  prepare:\n    cmd: python prepare.py\n');
    await expectOnly({ 'm4-dvc-pipeline-has-train-stage': 'no train stage' });
  });

  it('accepts a Python project the instructions describe (ruff + pytest, python -m capstone.train, kubectl apply)', async () => {
    await rm(join(dir(), '.github'), { recursive: true });
    await mkdir(join(dir(), '.github/workflows'), { recursive: true });
    await writeFile(
      join(dir(), '.github/workflows/ml.yml'),
      `name: ml
on:
  pull_request:
    branches: [main]
  push:
    branches: [main]
    paths: ['data/**', 'dvc.lock']
  schedule:
    - cron: '0 4 * * *'
permissions:
  contents: read
jobs:
  test:
    if: github.event_name == 'pull_request'
    runs-on: ubuntu-latest
    steps:
      - run: pip install -r requirements.txt
      - run: ruff check .
      - run: python -m pytest -q
  train:
    if: github.event_name != 'pull_request'
    runs-on: ubuntu-latest
    steps:
      - run: python -m capstone.train
  gate:
    needs: train
    runs-on: ubuntu-latest
    steps:
      - run: python -m capstone.gate
  deploy:
    needs: gate
    runs-on: ubuntu-latest
    steps:
      - run: docker build -t ghcr.io/me/adult-income:\${{ github.sha }} .
      - run: kubectl apply -f k8s/
`,
    );
    await writeFile(
      join(dir(), 'dvc.yaml'),
      'stages:\n  train:\n    cmd: python -m capstone.train\n    deps: [data/adult.csv.gz, capstone/train.py]\n    outs: [models/latest/model.pkl]\n    metrics:\n      - models/latest/metrics.json:\n          cache: false\n',
    );
    await expectOnly({});
  });
});
