/**
 * The hold-out habit for the IaC labs: realistic wrong submissions
 * (`<lab>/__fixtures__/holdout/<case>/`, laid over a workspace where the
 * lab's solve step already ran, plus an optional one-line edit), graded with
 * only the checks each case is about, and held to the verdict a senior
 * reviewer would give. Real OpenTofu and the real kubernetes provider from
 * the offline mirror (`npm run setup:tools -- --tofu`); lab 02 applies to the
 * Kubernetes API fixture server.
 *
 * Also the bad day: HCL that does not parse gives a clear `error` naming the
 * file and line, never a crash.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFixtureServer, type FixtureServer } from '@mlops-lab/cluster/fixture';
import {
  applySolution,
  cleanupLab,
  createWorkspace,
  findLab,
  runLab,
  setupLab,
  type AttemptResult,
  type LoadedLab,
} from '@mlops-lab/grader';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { expectVerdict, fixtureFolders, onlyChecks, type ReviewerVerdict } from '../../grader/test-support/holdout.ts';
import { describeWithTools, probeProgram, toolGate } from '../../grader/test-support/tools.ts';

interface HoldOut extends ReviewerVerdict {
  submission: string;
  /** A reviewer's name for the mistake (the test's name). */
  mistake: string;
  /** One edit of a workspace file after the overlay: [path, from, to]. */
  edit?: [string, string, string];
}

const tofuGate = await toolGate('tofu', probeProgram('tofu'));

/** Solve, overlay the submission, apply the edit, grade with the case's checks, clean up. */
async function gradeHoldOut(lab: LoadedLab, c: HoldOut, env: NodeJS.ProcessEnv = process.env): Promise<AttemptResult> {
  const parent = await mkdtemp(join(tmpdir(), 'mlops-lab-iac-holdout-'));
  const dir = (await createWorkspace(lab, join(parent, 'w'))).dir;
  try {
    await setupLab(lab, dir, { env });
    await applySolution(lab, dir, { env });
    await cp(join(lab.dir, '__fixtures__', 'holdout', c.submission), dir, { recursive: true, force: true });
    if (c.edit) {
      const [path, from, to] = c.edit;
      const text = await readFile(join(dir, path), 'utf8');
      expect(text, `${path} holds ${from}`).toContain(from);
      await writeFile(join(dir, path), text.replace(from, to));
    }
    const subset = onlyChecks(lab, Object.keys(c.verdicts));
    return await runLab({ lab: subset, workspaceDir: dir, learner: 'holdout-test', source: 'test', credit: 'learner', env });
  } finally {
    await cleanupLab(lab, dir, { env }).catch(() => {});
    await rm(parent, { recursive: true, force: true });
  }
}

function holdoutCases(labId: string, cases: HoldOut[], env?: () => NodeJS.ProcessEnv, badDays: string[] = []): void {
  let lab: LoadedLab;
  beforeAll(async () => {
    lab = await findLab(labId);
  });
  it('has a case for every fixture folder', async () => {
    const folders = await fixtureFolders(join(lab.dir, '__fixtures__', 'holdout'));
    expect(folders).toEqual([...cases.map((c) => c.submission), ...badDays].sort());
  });
  for (const c of cases) {
    it(`${c.submission}: ${c.mistake}`, async () => {
      const result = await gradeHoldOut(lab, c, env?.());
      expectVerdict(result, c, { hintNamesCommand: true });
    });
  }
}

describeWithTools([tofuGate], 'hold-outs: iac/01-module-and-environments', () => {
  holdoutCases(
    'iac/01-module-and-environments',
    [
      {
        submission: 'validation-only-in-module',
        mistake: 'validation only in the module: a bad -var reaches the module before anything stops it at the root',
        verdicts: { 'variables-are-typed-and-validated': 'pass', 'validation-rejects-bad-input': 'fail' },
        says: { 'validation-rejects-bad-input': 'environment = "staging" stopped by a validation error on var.environment' },
      },
      {
        submission: 'minor-version-range',
        mistake: '"~> 1.13" lets every 1.x minor release in',
        edit: ['infra/versions.tf', 'version = "~> 1.13.4"', 'version = "~> 1.13"'],
        verdicts: { 'providers-are-pinned': 'fail' },
        says: { 'providers-are-pinned': '"~> 1.13"' },
      },
      {
        submission: 'shared-backend',
        mistake: 'prod and dev write one state file',
        verdicts: { 'backend-is-set-per-environment': 'fail' },
        says: { 'backend-is-set-per-environment': 'same settings' },
      },
      {
        submission: 'lockfile-ignored',
        mistake: '`.terraform*` in .gitignore also ignores .terraform.lock.hcl',
        verdicts: { 'state-stays-out-of-git': 'pass', 'lock-file-is-committed': 'fail' },
        says: { 'lock-file-is-committed': 'git-ignored' },
      },
      {
        submission: 'typo-in-tfvars',
        mistake: '`replica = 3` in prod.tfvars: a typo OpenTofu only warns about',
        verdicts: { 'environments-set-their-values': 'fail' },
        says: { 'environments-set-their-values': 'sets replica, which the root module does not declare' },
      },
    ],
    undefined,
    ['broken-hcl'],
  );

  it('broken-hcl: a missing closing brace is an `error` naming the file and line', async () => {
    const lab = await findLab('iac/01-module-and-environments');
    const result = await gradeHoldOut(lab, { submission: 'broken-hcl', mistake: '', verdicts: { 'configuration-parses': 'error' } });
    const check = result.checks.find((c) => c.id === 'configuration-parses')!;
    expect(check).toMatchObject({ status: 'error', code: 'HCL_SYNTAX' });
    expect(check.message).toMatch(/^infra\/main\.tf:3: Unclosed configuration block/);
    expect(check.hint).toMatch(/tofu validate/);
    expect(result.checks.filter((c) => c.id !== 'configuration-parses').every((c) => c.status === 'skip')).toBe(true);
  });

  it('a 2 MB prod.tfvars is refused unread, with an `error` that says how big it is', async () => {
    const lab = await findLab('iac/01-module-and-environments');
    const huge = `environment = "prod"\nreplicas = 3\nimage = "mlops-lab/model-api:1.0.0"\n${'# padding\n'.repeat(200_000)}`;
    const started = Date.now();
    const result = await gradeHoldOut(lab, {
      submission: 'typo-in-tfvars',
      mistake: '',
      edit: ['infra/environments/prod.tfvars', 'replica     = 3', huge],
      verdicts: { 'environments-set-their-values': 'error' },
    });
    const check = result.checks.find((c) => c.id === 'environments-set-their-values')!;
    expect(check).toMatchObject({ status: 'error', code: 'FILE_TOO_LARGE' });
    expect(check.message).toMatch(/prod\.tfvars is [12]\.\d MiB; the grader reads at most 256/);
    expect(check.hint).toMatch(/ls -lh/);
    expect(Date.now() - started).toBeLessThan(30_000);
  });
});

describeWithTools([tofuGate], 'hold-outs: iac/02-plan-and-drift (fixture API server)', () => {
  let fixture: FixtureServer | undefined;
  let folder = '';
  let env: NodeJS.ProcessEnv = process.env;
  beforeAll(async () => {
    fixture = await startFixtureServer({ timeScale: 30 });
    folder = await mkdtemp(join(tmpdir(), 'mlops-lab-iac-fixture-'));
    env = { ...process.env, KUBECONFIG: await fixture.writeKubeconfig(folder) };
  });
  afterAll(async () => {
    expect(fixture?.loop.errors ?? []).toEqual([]);
    await fixture?.close();
    await rm(folder, { recursive: true, force: true });
  });
  const drift = {
    'drift-check-passes-when-clean': 'pass',
    'drift-check-detects-drift': 'pass',
    'drift-check-reports-errors': 'pass',
  } as const;
  holdoutCases(
    'iac/02-plan-and-drift',
    [
      {
        submission: 'errors-reported-as-drift',
        mistake: '`if tofu plan -detailed-exitcode; then 0; else 2` reports an unreachable cluster as drift',
        verdicts: { ...drift, 'drift-check-reports-errors': 'fail' },
        says: { 'drift-check-reports-errors': 'reports drift for a plan that failed' },
      },
      {
        submission: 'no-detailed-exitcode',
        mistake: 'plain `tofu plan` exits 0 with changes, so drift is never reported',
        verdicts: { 'drift-check-passes-when-clean': 'pass', 'drift-check-detects-drift': 'fail' },
        says: { 'drift-check-detects-drift': 'exits 2 for it (kubernetes_deployment.model_api)' },
      },
      {
        submission: 'plan-hidden',
        mistake: 'the plan goes to /dev/null: right exit code, nobody knows what drifted',
        verdicts: { 'drift-check-passes-when-clean': 'pass', 'drift-check-detects-drift': 'fail' },
        says: { 'drift-check-detects-drift': 'does not say what drifted' },
      },
      {
        submission: 'config-changed-after-apply',
        mistake: 'the configuration changed after the apply, so the plan is not empty',
        edit: ['infra/variables.tf', 'default     = 2', 'default     = 3'],
        verdicts: { 'state-records-the-objects': 'pass', 'plan-shows-no-changes': 'fail' },
        says: { 'plan-shows-no-changes': 'kubernetes_deployment.model_api: update' },
      },
    ],
    () => env,
  );
});

describeWithTools([tofuGate], 'hold-outs: iac/03-tofu-tests', () => {
  holdoutCases('iac/03-tofu-tests', [
    {
      submission: 'no-mock-provider',
      mistake: 'no mock_provider: the tests need a live cluster, so CI cannot run them',
      verdicts: { 'tests-assert-the-spec': 'fail' },
      says: { 'tests-assert-the-spec': 'no `mock_provider "kubernetes" {}`' },
    },
    {
      submission: 'weak-tests',
      mistake: 'prod is only checked for its label: a halved quota or debug logs in prod pass',
      verdicts: { 'tofu-test-passes': 'pass', 'module-meets-the-spec': 'pass', 'tests-catch-broken-modules': 'fail' },
      says: { 'tests-catch-broken-modules': /2 of 4 broken versions .*prod gets 4 CPU cores instead of 8; prod logs at debug level/ },
    },
    {
      submission: 'bug-encoded-in-tests',
      mistake: 'the tests assert the bug (prod 4 cores), so they pass and the module is still wrong',
      edit: ['modules/serving-namespace/main.tf', 'prod = { cpu = "8"', 'prod = { cpu = "4"'],
      verdicts: { 'tofu-test-passes': 'pass', 'module-meets-the-spec': 'fail' },
      says: { 'module-meets-the-spec': 'prod: namespace churn-prod, 8 CPU cores and 16Gi' },
    },
  ]);
});
