import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { commandArgv } from '../../_shared/command.ts';
import { isModel, validWorkflow } from '../../_shared/workflow.ts';
import { FILE, PYTEST } from './shared.ts';

/** The three pipeline tests a reviewer looks for, by a word in their names. */
const REQUIRED = [
  { word: 'overfit', what: 'training can overfit a tiny batch' },
  { word: 'nan', what: 'predictions have no NaNs' },
  { word: 'artifact', what: 'the model artifact is written' },
];

export default defineCheck({
  id: 'pipeline-tests-pass',
  title: "The workflow's test command passes here, with the three ML pipeline tests",
  needs: ['workflow-runs-lint-and-tests'],
  requires: ['python'],
  timeoutMs: 150_000,
  hint: 'Complete the three TODO tests in tests/test_pipeline.py, then run `pytest -q`.',
  async run(ctx) {
    // Mirrors: running the workflow's own test step (`pytest -q`) in a checkout, as the runner would, with -rA so each test's outcome is listed.
    const model = await validWorkflow(ctx, FILE);
    if (!isModel(model)) return model;
    const found = model.jobs.flatMap((job) => job.steps.filter((s) => s.run && PYTEST.test(s.run)).map((step) => ({ job, step })))[0]!;
    const where = model.where(['jobs', found.job.id, 'steps', found.step.index, 'run']);
    const line = found.step
      .run!.split('\n')
      .find((l) => PYTEST.test(l))!
      .trim();
    const argv = commandArgv(line);
    if (typeof argv === 'string') {
      return fail({
        message: `The grader runs the workflow's test command itself, and cannot run this one: ${argv}.`,
        expected: 'a plain command such as `pytest -q` or `python -m pytest -q tests/`',
        actual: `${where}: ${line}`,
        hint: `Keep the test step to one plain command in ${FILE}, then \`mlops-lab check cicd/01\`.`,
      });
    }
    // -rA only adds a line per test to the summary (PASSED tests/…::name), so the grader sees which tests passed.
    ctx.progress(`running ${argv.join(' ')} -rA`);
    const env = { PYTHONDONTWRITEBYTECODE: '1', PYTHONHASHSEED: '0' };
    const run = await ctx.process.run(argv[0]!, [...argv.slice(1), '-rA'], {
      cwd: ctx.workspace.dir,
      timeoutMs: 120_000,
      signal: ctx.signal,
      env,
    });
    const output = `${run.stdout}\n${run.stderr}`.trim();
    const lines = output.split('\n');
    if (run.timedOut || run.exitCode !== 0) {
      const summary = lines.filter((l) => /^(FAILED|ERROR) /.test(l));
      return fail({
        message: `\`${argv.join(' ')}\` (${where}) ${run.timedOut ? 'did not finish in 120 s' : `exited with ${run.exitCode}`}: on a pull request this check would be red.`,
        expected: 'exit code 0 (every test passes)',
        actual: [...summary, ...lines.slice(-3)].join('\n'),
        hint: `Run \`${argv.join(' ')}\` in the workspace, fix what fails (the TODO tests in tests/test_pipeline.py first), then \`mlops-lab check cicd/01\`.`,
      });
    }
    const counts = Object.fromEntries(
      [...output.matchAll(/(\d+) (passed|failed|skipped|xfailed|xpassed|errors?|deselected)/g)].map((m) => [m[2]!, Number(m[1])]),
    );
    const passed = lines.filter((l) => l.startsWith('PASSED ')).map((l) => l.slice('PASSED '.length).trim());
    const missing = REQUIRED.filter((r) => !passed.some((id) => id.toLowerCase().includes(r.word)));
    const skipped = (counts.skipped ?? 0) + (counts.xfailed ?? 0) + (counts.deselected ?? 0);
    if (missing.length === 0 && skipped === 0)
      return pass(`\`${argv.join(' ')}\` passes: ${counts.passed ?? '?'} passed, including the overfit, NaN and artifact tests.`);
    return fail({
      message:
        'Green tests are only worth what they test. A reviewer expects the pipeline tests that catch a broken model: it can learn, it predicts numbers, it is saved.',
      expected: `passing tests named for each of: ${REQUIRED.map((r) => `${r.what} ("${r.word}")`).join(', ')}; none skipped`,
      actual: [
        missing.length ? `missing: ${missing.map((r) => r.what).join(', ')}` : '',
        skipped ? `${skipped} test(s) skipped, xfailed or deselected` : '',
        `passed:\n${passed.slice(0, 20).join('\n') || '(nothing)'}`,
      ]
        .filter(Boolean)
        .join('\n'),
      hint: 'Write test_training_overfits_a_tiny_batch, test_predictions_have_no_nans and test_model_artifact_is_written in tests/test_pipeline.py (no skips), run `pytest -q`, then `mlops-lab check cicd/01`.',
    });
  },
});
