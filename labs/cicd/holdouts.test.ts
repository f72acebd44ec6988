/**
 * The hold-out habit for the CI/CD labs: learner submissions, good and
 * subtly broken (__fixtures__/submissions/<lab>/<case>/, laid over the
 * lab's solution), graded with only the checks each case is about, each
 * held to the verdict a senior reviewer would give. The workflow checks are
 * static (GitHub's parser, no runner), so these are cheap; the comparison
 * script cases run the learner's Python.
 *
 * Also the bad days: an alias bomb, a huge file and a YAML 1.1 file give a
 * clear result fast, never a hang.
 */
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createWorkspace, findLab, runLab, type LoadedLab } from '@mlops-lab/grader';
import { afterAll, describe, expect, it } from 'vitest';
import { expectReviewerVerdict, onlyChecks, type ReviewerVerdict } from '../../grader/test-support/holdout.ts';
import { describeWithTools, probePython, toolGate } from '../../grader/test-support/tools.ts';

const FIXTURES = join(import.meta.dirname, '__fixtures__', 'submissions');
const LABS = {
  '01': 'cicd/01-test-on-pull-requests',
  '02': 'cicd/02-retrain-on-schedule-and-data-change',
  '03': 'cicd/03-evaluation-gate',
  '04': 'cicd/04-hardened-workflow',
} as const;

interface HoldOut extends ReviewerVerdict {
  lab: keyof typeof LABS;
  submission: string;
}

const LAB_01_STATIC = {
  'workflow-is-valid': 'pass',
  'workflow-runs-on-pull-requests': 'pass',
  'workflow-runs-lint-and-tests': 'pass',
  'token-has-least-privilege': 'pass',
  'actions-are-pinned-to-a-commit-sha': 'pass',
  'secrets-come-from-secrets-context': 'pass',
  'python-version-is-pinned-and-pip-is-cached': 'pass',
} as const;

const LAB_02 = {
  'workflow-is-valid': 'pass',
  'retrain-runs-on-a-schedule': 'pass',
  'retrain-can-be-started-by-hand': 'pass',
  'retrain-runs-when-data-changes': 'pass',
  'retrains-do-not-overlap': 'pass',
  'model-is-uploaded-as-an-artifact': 'pass',
} as const;

const LAB_03_WORKFLOW = {
  'workflow-is-valid': 'pass',
  'evaluation-sets-a-job-output': 'pass',
  'deploy-needs-the-evaluation': 'pass',
  'deploy-runs-only-when-the-candidate-wins': 'pass',
  'deploy-uses-a-protected-environment': 'pass',
} as const;

const LAB_04 = {
  'workflow-is-valid': 'pass',
  'pull-request-code-never-runs-with-base-secrets': 'pass',
  'run-scripts-do-not-interpolate-untrusted-input': 'pass',
  'token-has-least-privilege': 'pass',
  'actions-are-pinned-to-a-commit-sha': 'pass',
} as const;

/** A workflow GitHub refuses: only the validity check runs (the others skip). */
const REFUSED = { 'workflow-is-valid': 'fail' } as const;

const STATIC: HoldOut[] = [
  { lab: '01', submission: 'good-job-level-permissions', verdicts: LAB_01_STATIC },
  {
    lab: '01',
    submission: 'push-only',
    verdicts: { ...LAB_01_STATIC, 'workflow-runs-on-pull-requests': 'fail' },
    says: { 'workflow-runs-on-pull-requests': /ci\.yml:3 on: no pull_request event/ },
  },
  {
    lab: '01',
    submission: 'job-write-all',
    verdicts: { ...LAB_01_STATIC, 'token-has-least-privilege': 'fail' },
    says: { 'token-has-least-privilege': /ci\.yml:\d+ jobs\.test\.permissions: write-all/ },
  },
  {
    lab: '01',
    submission: 'checkout-at-main',
    verdicts: { ...LAB_01_STATIC, 'actions-are-pinned-to-a-commit-sha': 'fail' },
    says: {
      'actions-are-pinned-to-a-commit-sha': /ci\.yml:\d+ jobs\.lint\.steps\[0\]\.uses: actions\/checkout@main is pinned to the branch main/,
    },
  },
  {
    lab: '01',
    submission: 'token-pasted-in-run',
    verdicts: { ...LAB_01_STATIC, 'secrets-come-from-secrets-context': 'fail' },
    says: { 'secrets-come-from-secrets-context': /ci\.yml:\d+ jobs\.test\.steps\[4\]\.run: looks like a GitHub token/ },
  },
  {
    lab: '01',
    submission: 'matrix-float-versions',
    verdicts: { ...LAB_01_STATIC, 'python-version-is-pinned-and-pip-is-cached': 'fail' },
    says: {
      'python-version-is-pinned-and-pip-is-cached':
        /jobs\.test\.strategy\.matrix\.python-version\[0\]: matrix python-version holds the number 3\.1/,
    },
  },
  {
    lab: '01',
    submission: 'yaml-1-1-directive',
    verdicts: REFUSED,
    says: { 'workflow-is-valid': /ci\.yml:1: declares `%YAML 1\.1`/ },
  },
  {
    lab: '01',
    submission: 'broken-expression',
    verdicts: REFUSED,
    says: { 'workflow-is-valid': /ci\.yml:15 concurrency\.group: The expression is not closed/ },
  },
  { lab: '02', submission: 'good-data-folder-paths-job-concurrency', verdicts: LAB_02 },
  {
    lab: '02',
    submission: 'paths-typo-single-star',
    verdicts: { ...LAB_02, 'retrain-runs-when-data-changes': 'fail' },
    says: {
      'retrain-runs-when-data-changes': /retrain\.yml:\d+ on\.push\.paths: a change to data\/loans\.csv\.dvc does not start a retrain/,
    },
  },
  {
    lab: '02',
    submission: 'paths-typo-dvc-lck',
    verdicts: { ...LAB_02, 'retrain-runs-when-data-changes': 'fail' },
    says: { 'retrain-runs-when-data-changes': /a change to dvc\.lock does not start a retrain/ },
  },
  {
    lab: '02',
    submission: 'hourly-schedule',
    verdicts: { ...LAB_02, 'retrain-runs-on-a-schedule': 'fail' },
    says: { 'retrain-runs-on-a-schedule': /retrain\.yml:\d+ on\.schedule\[0\]\.cron: '17 \* \* \* \*' runs 24 times a day/ },
  },
  {
    lab: '02',
    submission: 'invalid-cron',
    verdicts: REFUSED,
    says: { 'workflow-is-valid': /retrain\.yml:6 on\.schedule\[0\]\.cron: Invalid cron expression/ },
  },
  {
    lab: '02',
    submission: 'concurrency-per-run',
    verdicts: { ...LAB_02, 'retrains-do-not-overlap': 'fail' },
    says: { 'retrains-do-not-overlap': /concurrency\.group: the group 'retrain-\$\{\{ github\.run_id \}\}' differs on every run/ },
  },
  { lab: '03', submission: 'good-fromjson', verdicts: LAB_03_WORKFLOW },
  {
    lab: '03',
    submission: 'deploy-without-needs',
    // GitHub's parser accepts it (needs.* in if: is not checked against needs:); the job graph check catches it.
    verdicts: { ...LAB_03_WORKFLOW, 'deploy-needs-the-evaluation': 'fail' },
    says: { 'deploy-needs-the-evaluation': /deploy\.yml:\d+ jobs\.deploy: job deploy needs nothing, so it starts at once/ },
  },
  {
    lab: '03',
    submission: 'unquoted-true',
    verdicts: { ...LAB_03_WORKFLOW, 'deploy-runs-only-when-the-candidate-wins': 'fail' },
    says: { 'deploy-runs-only-when-the-candidate-wins': /jobs\.deploy\.if: outputs are strings/ },
  },
  {
    lab: '03',
    submission: 'wrong-output-name',
    verdicts: { ...LAB_03_WORKFLOW, 'deploy-runs-only-when-the-candidate-wins': 'fail' },
    says: { 'deploy-runs-only-when-the-candidate-wins': /needs\.evaluate\.outputs\.is_better is not an output of job evaluate/ },
  },
  {
    lab: '03',
    submission: 'always-deploys',
    verdicts: { ...LAB_03_WORKFLOW, 'deploy-runs-only-when-the-candidate-wins': 'fail' },
    says: { 'deploy-runs-only-when-the-candidate-wins': /runs even when the evaluation failed/ },
  },
  // The labeler's intended use: pull_request_target, and no job touches the pull request's code.
  { lab: '04', submission: 'target-without-checkout', verdicts: LAB_04 },
  {
    lab: '04',
    submission: 'target-checks-out-head-ref',
    verdicts: { ...LAB_04, 'pull-request-code-never-runs-with-base-secrets': 'fail' },
    says: {
      'pull-request-code-never-runs-with-base-secrets':
        /pr\.yml:30 jobs\.test\.steps\[0\]\.with\.ref: job test checks out the pull request/,
    },
  },
  {
    lab: '04',
    submission: 'github-script-injection',
    verdicts: { ...LAB_04, 'run-scripts-do-not-interpolate-untrusted-input': 'fail' },
    says: {
      'run-scripts-do-not-interpolate-untrusted-input':
        /jobs\.label\.steps\[1\]\.with\.script: .*pastes \$\{\{ github\.event\.pull_request\.body \}\}/,
    },
  },
];

const SCRIPTS: HoldOut[] = [
  {
    lab: '01',
    submission: 'todo-tests-deleted',
    // pytest is green, but only because the pipeline tests are gone.
    verdicts: { 'pipeline-tests-pass': 'fail' },
    says: { 'pipeline-tests-pass': /missing: training can overfit a tiny batch, predictions have no NaNs, the model artifact is written/ },
  },
  {
    lab: '01',
    submission: 'pipeline-test-skipped',
    verdicts: { 'pipeline-tests-pass': 'fail' },
    says: { 'pipeline-tests-pass': /1 test\(s\) skipped/ },
  },
  {
    lab: '03',
    submission: 'compares-accuracy',
    verdicts: { 'comparison-script-picks-the-better-model': 'fail' },
    says: { 'comparison-script-picks-the-better-model': /better \(roc_auc 0\.83 against 0\.80\): expected better=true, got better=false/ },
  },
  {
    lab: '03',
    submission: 'tie-deploys',
    verdicts: { 'comparison-script-picks-the-better-model': 'fail' },
    says: { 'comparison-script-picks-the-better-model': /equal \(roc_auc 0\.80 against 0\.80\): expected better=false, got better=true/ },
  },
];

const parents: string[] = [];
afterAll(async () => {
  for (const p of parents) await rm(p, { recursive: true, force: true });
});

/** A workspace from the lab's starter with its solution laid over it, then the submission over that. */
async function submissionWorkspace(lab: LoadedLab, submission?: string): Promise<string> {
  const parent = await mkdtemp(join(tmpdir(), 'mlops-lab-cicd-holdout-'));
  parents.push(parent);
  const { dir } = await createWorkspace(lab, join(parent, 'w'));
  await cp(lab.solutionDir, dir, { recursive: true, force: true });
  if (submission) await cp(submission, dir, { recursive: true, force: true });
  return dir;
}

const labs = new Map<string, LoadedLab>();
async function lab(key: keyof typeof LABS): Promise<LoadedLab> {
  if (!labs.has(key)) labs.set(key, await findLab(LABS[key]));
  return labs.get(key)!;
}

describe('CI/CD hold-out submissions (static workflow checks)', () => {
  for (const h of STATIC) {
    it(`${h.lab}/${h.submission}: ${Object.values(h.verdicts).includes('fail') ? 'a reviewer sends it back' : 'a reviewer approves'}`, async () => {
      const l = await lab(h.lab);
      const dir = await submissionWorkspace(l, join(FIXTURES, h.lab, h.submission));
      await expectReviewerVerdict(l, dir, h);
    });
  }
});

describeWithTools([await toolGate('python', () => probePython())], 'CI/CD hold-out submissions (the learner’s Python runs)', () => {
  for (const h of SCRIPTS) {
    it(`${h.lab}/${h.submission}: a reviewer sends it back`, async () => {
      const l = await lab(h.lab);
      const dir = await submissionWorkspace(l, join(FIXTURES, h.lab, h.submission));
      await expectReviewerVerdict(l, dir, h);
    });
  }
});

describe('CI/CD bad input', () => {
  const grade = async (file: string, text: string): Promise<{ status: string; message: string; ms: number }> => {
    const l = await lab('01');
    const dir = await submissionWorkspace(l);
    await writeFile(join(dir, file), text);
    const started = performance.now();
    const attempt = await runLab({
      lab: onlyChecks(l, ['workflow-is-valid']),
      workspaceDir: dir,
      learner: 'holdout-test',
      source: 'test',
      credit: 'learner',
    });
    const check = attempt.checks.find((c) => c.id === 'workflow-is-valid')!;
    return { status: check.status, message: `${check.message} ${check.actual ?? ''} ${check.hint ?? ''}`, ms: performance.now() - started };
  };

  it('errors on an alias bomb with guidance, fast', async () => {
    const levels = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 9; i++)
      levels.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9)
          .fill(`*${String.fromCharCode(96 + i)}`)
          .join(',')}]`,
      );
    const outcome = await grade('.github/workflows/ci.yml', `${levels.join('\n')}\non: push\njobs: {}\n`);
    expect(outcome.status).toBe('error');
    expect(outcome.message).toMatch(/aliases/);
    expect(outcome.ms).toBeLessThan(15_000);
  });

  it('errors on a workflow bigger than the cap', async () => {
    const outcome = await grade('.github/workflows/ci.yml', `on: push\n# ${'x'.repeat(300 * 1024)}\n`);
    expect(outcome.status).toBe('error');
    expect(outcome.message).toMatch(/at most/);
  });

  it('fails a workflow whose `on` key is a boolean, naming the line', async () => {
    const outcome = await grade(
      '.github/workflows/ci.yml',
      `true:\n  push:\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: pytest -q\n`,
    );
    expect(outcome.status).toBe('fail');
    expect(outcome.message).toMatch(/ci\.yml:1: the key `true` is read as the boolean true/);
  });
});
