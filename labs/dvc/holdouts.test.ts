/**
 * The hold-out habit for the DVC labs: learner submissions, good and subtly
 * broken, made with the real git and dvc the way a learner would make them
 * (from the lab's setup, or from a solved workspace copied per case), each
 * graded with the checks it is about and held to a senior reviewer's verdict.
 *
 * Also the bad days: a corrupt dvc.lock, a huge .dvc file, an alias bomb in
 * dvc.yaml, a workspace that is not a git repository (or sits inside one):
 * clear results with guidance, never a hang or a stack trace.
 */
import { appendFile, cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  applySolution,
  cleanupLab,
  createEvidence,
  createWorkspace,
  findLab,
  runLab,
  setupLab,
  workspaceId,
  type LoadedLab,
} from '@mlops-lab/grader';
import type { LabHookContext } from '@mlops-lab/grader/authoring';
import { expectReviewerVerdict } from '../../grader/test-support/holdout.ts';
import { describeWithTools, probeVenvTool, toolGate } from '../../grader/test-support/tools.ts';
import { LOAN_ROWS } from './_shared/loans.ts';
import { RAW_DATA, RAW_DATA_DVC, commit, dvc, git, remoteDir, writeLoans } from './_shared/repo.ts';

const gates = await Promise.all([toolGate('dvc', probeVenvTool('dvc')), toolGate('git', probeVenvTool('git'))]);

/** What setup, solve and a learner's commands receive for a workspace folder. */
function hookCtx(dir: string): LabHookContext {
  return {
    ...createEvidence(dir),
    lab: { id: 'holdout', version: '0.0.0' },
    workspace: { dir, id: workspaceId(dir) },
    signal: new AbortController().signal,
    log: () => {},
  };
}

/** Temp folders for one describe block, and fresh workspaces in them. */
function workspaces(labId: string): {
  lab: () => LoadedLab;
  fresh: (name: string, options?: { solved?: boolean }) => Promise<string>;
  copy: (from: string, name: string) => Promise<string>;
} {
  let parent = '';
  let lab: LoadedLab | undefined;
  const made: string[] = [];
  beforeAll(async () => {
    lab = await findLab(labId);
    parent = await mkdtemp(join(tmpdir(), 'mlops-lab-dvc-holdout-'));
  });
  afterAll(async () => {
    for (const dir of made) await cleanupLab(lab!, dir).catch(() => {});
    await rm(parent, { recursive: true, force: true });
  });
  return {
    lab: () => lab!,
    async fresh(name, options = {}) {
      const { dir } = await createWorkspace(lab!, join(parent, name));
      made.push(dir);
      await setupLab(lab!, dir);
      if (options.solved) await applySolution(lab!, dir);
      return dir;
    },
    async copy(from, name) {
      const dir = join(parent, name);
      await cp(from, dir, { recursive: true, verbatimSymlinks: true });
      made.push(dir);
      return dir;
    },
  };
}

describeWithTools(gates, 'dvc/01-track-raw-data hold-outs (real git and dvc)', () => {
  const ws = workspaces('dvc/01-track-raw-data');
  const ALL_PASS = {
    'dvc-is-initialised': 'pass',
    'raw-data-is-tracked-by-dvc': 'pass',
    'raw-data-is-git-ignored': 'pass',
    'raw-data-is-not-in-git-history': 'pass',
    'dvc-files-are-committed': 'pass',
    'default-remote-is-outside-the-workspace': 'pass',
    'remote-has-every-tracked-file': 'pass',
  } as const;

  it('fails data committed to git before it was handed to DVC, though everything else is right', async () => {
    const dir = await ws.fresh('committed-first');
    const ctx = hookCtx(dir);
    await commit(ctx, 'Add the loans data', [RAW_DATA]);
    await dvc(ctx, ['init', '-q']);
    await git(ctx, ['rm', '-q', '--cached', RAW_DATA]);
    await dvc(ctx, ['add', '-q', RAW_DATA]);
    await dvc(ctx, ['remote', 'add', '-d', 'storage', `../${basename(remoteDir(dir))}`]);
    await dvc(ctx, ['push', '-q']);
    await commit(ctx, 'Track loans.csv with DVC instead');
    await expectReviewerVerdict(ws.lab(), dir, {
      verdicts: { ...ALL_PASS, 'raw-data-is-not-in-git-history': 'fail' },
      says: { 'raw-data-is-not-in-git-history': /2 commits add or change data\/raw\/loans\.csv[\s\S]*Add the loans data/ },
    });
  });

  it('fails a remote that is configured and committed but never pushed to', async () => {
    const dir = await ws.fresh('not-pushed');
    const ctx = hookCtx(dir);
    await dvc(ctx, ['init', '-q']);
    await dvc(ctx, ['add', '-q', RAW_DATA]);
    await dvc(ctx, ['remote', 'add', '-d', 'storage', `../${basename(remoteDir(dir))}`]);
    await commit(ctx, 'Track loans.csv with DVC');
    await expectReviewerVerdict(ws.lab(), dir, {
      verdicts: { ...ALL_PASS, 'remote-has-every-tracked-file': 'fail' },
      says: { 'remote-has-every-tracked-file': /lacks 1 file[\s\S]*data\/raw\/loans\.csv: new/ },
    });
  });

  it('fails a default remote kept in .dvc/config.local, which no clone gets', async () => {
    const dir = await ws.fresh('config-local');
    const ctx = hookCtx(dir);
    await dvc(ctx, ['init', '-q']);
    await dvc(ctx, ['add', '-q', RAW_DATA]);
    await dvc(ctx, ['remote', 'add', '--local', '-d', 'storage', `../${basename(remoteDir(dir))}`]);
    await dvc(ctx, ['push', '-q']);
    await commit(ctx, 'Track loans.csv with DVC');
    await expectReviewerVerdict(ws.lab(), dir, {
      verdicts: { 'default-remote-is-outside-the-workspace': 'fail', 'dvc-files-are-committed': 'pass' },
      says: { 'default-remote-is-outside-the-workspace': /set in \.dvc\/config\.local/ },
    });
  });

  it('fails a remote inside the workspace, and pointers left uncommitted', async () => {
    const dir = await ws.fresh('remote-inside');
    const ctx = hookCtx(dir);
    await dvc(ctx, ['init', '-q']);
    await dvc(ctx, ['add', '-q', RAW_DATA]);
    await dvc(ctx, ['remote', 'add', '-d', 'storage', 'storage']);
    await dvc(ctx, ['push', '-q']);
    await expectReviewerVerdict(ws.lab(), dir, {
      verdicts: { 'default-remote-is-outside-the-workspace': 'fail', 'dvc-files-are-committed': 'fail', 'raw-data-is-git-ignored': 'pass' },
      says: {
        'default-remote-is-outside-the-workspace': /inside the workspace/,
        'dvc-files-are-committed': /data\/raw\/loans\.csv\.dvc: not in git[\s\S]*\.dvc\/config: staged but not committed/,
      },
    });
  });

  it('says "git init" for a workspace that is not a git repository, even inside another repository', async () => {
    const dir = await ws.fresh('no-git');
    await rm(join(dir, '.git'), { recursive: true, force: true });
    // The temp parent becomes a repository: the grader must not grade it instead.
    await git(hookCtx(join(dir, '..')), ['init', '-q']);
    const result = await runLab({ lab: ws.lab(), workspaceDir: dir, learner: 'holdout-test', source: 'test', credit: 'learner' });
    await rm(join(dir, '..', '.git'), { recursive: true, force: true });
    const byId = Object.fromEntries(result.checks.map((c) => [c.id, c]));
    expect(byId['dvc-is-initialised']).toMatchObject({ status: 'fail', hint: expect.stringMatching(/git init/) });
    expect(byId['raw-data-is-git-ignored']).toMatchObject({ status: 'fail', message: expect.stringMatching(/not a git repository/) });
    expect(result.checks.filter((c) => c.status === 'error')).toEqual([]);
  });

  it('errors with guidance, fast, on a 2 MB .dvc file', async () => {
    const dir = await ws.fresh('huge-pointer');
    const ctx = hookCtx(dir);
    await dvc(ctx, ['init', '-q']);
    await writeFile(join(dir, RAW_DATA_DVC), `outs:\n- path: loans.csv\n  md5: ${'a'.repeat(2 * 1024 * 1024)}\n`);
    const started = Date.now();
    const result = await runLab({ lab: ws.lab(), workspaceDir: dir, learner: 'holdout-test', source: 'test', credit: 'learner' });
    const check = result.checks.find((c) => c.id === 'raw-data-is-tracked-by-dvc')!;
    expect(check).toMatchObject({
      status: 'error',
      message: expect.stringMatching(/loans\.csv\.dvc is 2\.0 MiB; the grader reads at most 256 KiB/),
    });
    expect(check.hint).toBeTruthy();
    expect(Date.now() - started).toBeLessThan(20_000);
  });
});

describeWithTools(gates, 'dvc/02-pipeline hold-outs (real git, dvc and python)', () => {
  const ws = workspaces('dvc/02-pipeline');
  let solved = '';
  beforeAll(async () => {
    solved = await ws.fresh('solved', { solved: true });
  });

  it('fails a dvc.lock left stale by a committed edit to the training script', async () => {
    const dir = await ws.copy(solved, 'stale-lock');
    await appendFile(join(dir, 'src/train.py'), '# class_weight="balanced" next time\n');
    await commit(hookCtx(dir), 'Note an idea in train.py');
    await expectReviewerVerdict(ws.lab(), dir, {
      verdicts: { 'lock-is-committed-and-up-to-date': 'fail', 'stages-declare-their-dependencies': 'pass' },
      says: { 'lock-is-committed-and-up-to-date': /train: changed deps: src\/train\.py modified/ },
    });
  });

  it('fails metrics.json under outs instead of metrics, though the pipeline ran and is committed', async () => {
    const dir = await ws.copy(solved, 'metrics-as-outs');
    const ctx = hookCtx(dir);
    const yaml = await readFile(join(dir, 'dvc.yaml'), 'utf8');
    await writeFile(
      join(dir, 'dvc.yaml'),
      yaml.replace(/ {4}metrics:\n {6}- metrics\.json:\n {10}cache: false\n/, '    outs:\n      - metrics.json\n'),
    );
    await git(ctx, ['rm', '-q', '--cached', 'metrics.json']);
    await dvc(ctx, ['repro', '-q']);
    await commit(ctx, 'Cache metrics.json');
    await expectReviewerVerdict(ws.lab(), dir, {
      verdicts: { 'metrics-are-declared-as-metrics': 'fail', 'lock-is-committed-and-up-to-date': 'pass' },
      says: { 'metrics-are-declared-as-metrics': /stages\.evaluate\.outs lists metrics\.json/ },
    });
  });

  it('fails a model committed to git beside its DVC hash', async () => {
    const dir = await ws.copy(solved, 'model-in-git');
    const ctx = hookCtx(dir);
    await git(ctx, ['add', '-f', 'models/model.pkl']);
    await git(ctx, ['commit', '-q', '-m', 'Keep the model in git too']);
    await expectReviewerVerdict(ws.lab(), dir, {
      verdicts: { 'pipeline-outputs-are-not-in-git': 'fail', 'lock-is-committed-and-up-to-date': 'pass' },
      says: { 'pipeline-outputs-are-not-in-git': /models\/model\.pkl: tracked by git/ },
    });
  });

  it('errors with guidance on a corrupt dvc.lock', async () => {
    const dir = await ws.copy(solved, 'corrupt-lock');
    await writeFile(join(dir, 'dvc.lock'), 'schema: "2.0"\nstages:\n  train: [unclosed\n');
    const result = await runLab({ lab: ws.lab(), workspaceDir: dir, learner: 'holdout-test', source: 'test', credit: 'learner' });
    const check = result.checks.find((c) => c.id === 'lock-is-committed-and-up-to-date')!;
    expect(check).toMatchObject({
      status: 'error',
      message: expect.stringMatching(/^dvc\.lock:\d+ is not valid YAML/),
      hint: expect.stringMatching(/git checkout -- dvc\.lock/),
    });
  });

  it('errors with guidance, fast, on an alias bomb in dvc.yaml', async () => {
    const dir = await ws.copy(solved, 'alias-bomb');
    const levels = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 9; i++)
      levels.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9)
          .fill(`*${String.fromCharCode(96 + i)}`)
          .join(',')}]`,
      );
    await writeFile(join(dir, 'dvc.yaml'), `${levels.join('\n')}\nstages: *i\n`);
    const started = Date.now();
    const result = await runLab({ lab: ws.lab(), workspaceDir: dir, learner: 'holdout-test', source: 'test', credit: 'learner' });
    expect(result.checks.find((c) => c.id === 'pipeline-has-prepare-train-evaluate')).toMatchObject({
      status: 'error',
      message: expect.stringMatching(/dvc\.yaml.*aliases/),
    });
    expect(Date.now() - started).toBeLessThan(20_000);
  });
});

describeWithTools(gates, 'dvc/03-experiments-and-diffs hold-outs (real git, dvc and python)', () => {
  const ws = workspaces('dvc/03-experiments-and-diffs');
  let solved = '';
  beforeAll(async () => {
    solved = await ws.fresh('solved', { solved: true });
  });
  const comparison = (fields: Record<string, string>): string =>
    Object.entries(fields)
      .map(([k, v]) => `${k}: ${v}`)
      .join('\n');

  it('fails a params diff against the wrong commit (the comparison commit against the candidate)', async () => {
    const dir = await ws.copy(solved, 'wrong-commit');
    const ctx = hookCtx(dir);
    await commit(ctx, 'Record the comparison');
    await writeFile(
      join(dir, 'comparison.yaml'),
      comparison({ baseline: 'HEAD~1', candidate: 'HEAD', changed_params: '[]', better: 'baseline' }),
    );
    await expectReviewerVerdict(ws.lab(), dir, {
      verdicts: { 'comparison-names-two-commits': 'pass', 'params-diff-matches-the-comparison': 'fail' },
      says: { 'params-diff-matches-the-comparison': /No parameter differs between/ },
    });
  });

  it('fails a candidate committed without `dvc repro`', async () => {
    const dir = await ws.copy(solved, 'no-repro');
    const ctx = hookCtx(dir);
    const params = await readFile(join(dir, 'params.yaml'), 'utf8');
    await writeFile(join(dir, 'params.yaml'), params.replace('n_estimators: 60', 'n_estimators: 200'));
    await commit(ctx, 'More trees', ['params.yaml']);
    await writeFile(
      join(dir, 'comparison.yaml'),
      comparison({ baseline: 'HEAD~1', candidate: 'HEAD', changed_params: '[train.n_estimators]', better: 'candidate' }),
    );
    await expectReviewerVerdict(ws.lab(), dir, {
      verdicts: { 'params-diff-matches-the-comparison': 'pass', 'candidate-lock-matches-its-params': 'fail' },
      says: { 'candidate-lock-matches-its-params': /train: dvc\.lock records train\.n_estimators: 60, params\.yaml has 200/ },
    });
  });

  it('fails a comparison that names the worse commit as better, and one that lists the wrong params', async () => {
    const dir = await ws.copy(solved, 'wrong-verdict');
    const text = await readFile(join(dir, 'comparison.yaml'), 'utf8');
    const truth = /better: (\w+)/.exec(text)![1]!;
    await writeFile(
      join(dir, 'comparison.yaml'),
      text.replace(`better: ${truth}`, `better: ${truth === 'baseline' ? 'candidate' : 'baseline'}`),
    );
    await expectReviewerVerdict(ws.lab(), dir, {
      verdicts: { 'comparison-picks-the-better-commit': 'fail' },
      says: { 'comparison-picks-the-better-commit': new RegExp(`shows the ${truth} has the higher roc_auc`) },
    });
    await writeFile(join(dir, 'comparison.yaml'), text.replace('[train.max_depth]', '[train.n_estimators]'));
    await expectReviewerVerdict(ws.lab(), dir, {
      verdicts: { 'params-diff-matches-the-comparison': 'fail' },
      says: { 'params-diff-matches-the-comparison': /train\.n_estimators did not change between these commits/ },
    });
  });
});

describeWithTools(gates, 'dvc/04-time-travel hold-outs (real git and dvc)', () => {
  const ws = workspaces('dvc/04-time-travel');

  it('fails an old pointer checked out without `dvc checkout`', async () => {
    const dir = await ws.fresh('no-dvc-checkout');
    const ctx = hookCtx(dir);
    await git(ctx, ['checkout', 'HEAD~1', '--', RAW_DATA_DVC]);
    await expectReviewerVerdict(ws.lab(), dir, {
      verdicts: { 'workspace-data-is-the-first-version': 'fail' },
      says: { 'workspace-data-is-the-first-version': /is not the first version/ },
    });
  });

  it('fails old data written by hand under the new pointer', async () => {
    const dir = await ws.fresh('by-hand');
    await writeLoans(hookCtx(dir), LOAN_ROWS);
    await expectReviewerVerdict(ws.lab(), dir, {
      verdicts: { 'workspace-data-is-the-first-version': 'pass', 'pointer-matches-the-data': 'fail' },
      says: { 'pointer-matches-the-data': /changed without its pointer/ },
    });
  });

  it('fails a rollback by `git reset --hard`, which drops the newer version from history', async () => {
    const dir = await ws.fresh('reset-hard');
    const ctx = hookCtx(dir);
    await git(ctx, ['reset', '-q', '--hard', 'HEAD~1']);
    await dvc(ctx, ['checkout', '-q']);
    await expectReviewerVerdict(ws.lab(), dir, {
      verdicts: { 'pointer-matches-the-data': 'pass', 'restored-version-is-committed': 'fail' },
      says: { 'restored-version-is-committed': /The history has 1 version/ },
    });
  });
});
