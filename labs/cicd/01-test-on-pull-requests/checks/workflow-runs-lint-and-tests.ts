import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { isModel, validWorkflow } from '../../_shared/workflow.ts';
import { FILE, LINTERS, PYTEST } from './shared.ts';

export default defineCheck({
  id: 'workflow-runs-lint-and-tests',
  title: 'A job lints the code and a job runs the tests',
  needs: ['workflow-is-valid'],
  hint: 'Two `run:` steps: `ruff check .` and `pytest -q`.',
  async run(ctx) {
    // Mirrors: reading each job's `run:` steps for the lint and test commands.
    const model = await validWorkflow(ctx, FILE);
    if (!isModel(model)) return model;
    const steps = model.jobs.flatMap((job) => job.steps.map((step) => ({ job, step })));
    const lint = steps.find(({ step }) => step.run && LINTERS.test(step.run));
    const tests = steps.find(({ step }) => step.run && PYTEST.test(step.run));
    if (lint && tests) {
      return pass(`Lint: job ${lint.job.id}, step "${lint.step.label}". Tests: job ${tests.job.id}, step "${tests.step.label}".`);
    }
    const found = steps
      .filter(({ step }) => step.run)
      .map(({ job, step }) => `${model.where(['jobs', job.id, 'steps', step.index, 'run'])}: ${step.run!.trim().split('\n')[0]}`);
    return fail({
      message:
        'A pull request check needs both: the linter catches what tests do not exercise, the tests catch what the linter cannot see.',
      expected: 'a run: step with a linter (ruff, flake8, pylint, black --check or mypy) and a run: step with pytest',
      actual: `${lint ? '' : 'no lint step. '}${tests ? '' : 'no pytest step. '}Run steps found:\n${found.join('\n') || '(none)'}`,
      hint: `Add steps \`- name: Lint\\n  run: ruff check .\` and \`- name: Tests\\n  run: pytest -q\` to a job in ${FILE}, then \`mlops-lab check cicd/01\`.`,
    });
  },
});
