import { defineCheck, fail, parseGuardedYaml, pass } from '@mlops-lab/grader/authoring';
import { LINTERS, PYTEST } from './shared.ts';

const FILE = '.gitlab-ci.yml';
/** Top-level keys of .gitlab-ci.yml that are settings, not jobs. */
const GLOBAL_KEYS = new Set([
  'stages',
  'variables',
  'default',
  'workflow',
  'include',
  'image',
  'services',
  'cache',
  'before_script',
  'after_script',
  'spec',
]);
const MR_RULE = /\$CI_PIPELINE_SOURCE\s*==\s*["']merge_request_event["']|\$CI_MERGE_REQUEST_(IID|ID)\b/;

/** The `if:` conditions of a rules: list, one per line. */
function ruleConditions(rules: unknown): string {
  return Array.isArray(rules) ? rules.map((r: unknown) => String((r as { if?: unknown } | null)?.if ?? '')).join('\n') : '';
}

export default defineCheck({
  id: 'gitlab-pipeline-runs-lint-and-tests-on-merge-requests',
  title: 'The GitLab variant: .gitlab-ci.yml has lint and test stages and runs on merge requests (rules:)',
  hint: 'stages: [lint, test]; a lint job (ruff check .), a test job (pytest -q); `workflow: rules: - if: $CI_PIPELINE_SOURCE == "merge_request_event"`.',
  async run(ctx) {
    // Mirrors: reading .gitlab-ci.yml as `glab ci lint` would see its structure. GitLab's own validator is its CI Lint API on a
    // GitLab instance; there is no official offline parser, so the grader reads the YAML safely and checks the structure.
    if (!(await ctx.files.exists(FILE))) {
      return fail({
        message: 'The GitLab variant is missing: the same lint and tests, for teams on GitLab.',
        expected: `${FILE} with stages lint and test and merge request rules`,
        actual: 'no such file',
        hint: `Create ${FILE} (the instructions have a skeleton), then \`mlops-lab check cicd/01\`.`,
      });
    }
    const yaml = parseGuardedYaml(await ctx.files.readText(FILE, { maxBytes: 256 * 1024 }), FILE);
    const problems = yaml.problems.map((p) => `${p.file}:${p.line}${p.path ? ` ${p.path}` : ''}: ${p.message}`);
    const data = yaml.data;
    if (problems.length === 0) {
      const stages = Array.isArray(data.stages) ? data.stages.map(String) : [];
      if (!stages.includes('lint') || !stages.includes('test'))
        problems.push(`${yaml.where(['stages'])}: stages are ${JSON.stringify(stages)}; expected lint and test`);
      else if (stages.indexOf('lint') > stages.indexOf('test'))
        problems.push(`${yaml.where(['stages'])}: lint comes after test; the cheap check should fail first`);
      const jobs = Object.entries(data).filter(
        ([name, v]) => !GLOBAL_KEYS.has(name) && !name.startsWith('.') && typeof v === 'object' && v !== null,
      ) as [string, Record<string, unknown>][];
      const script = (job: Record<string, unknown>): string =>
        Array.isArray(job.script) ? job.script.map(String).join('\n') : String(job.script ?? '');
      const lint = jobs.find(([, j]) => j.stage === 'lint' && LINTERS.test(script(j)));
      const test = jobs.find(([, j]) => j.stage === 'test' && PYTEST.test(script(j)));
      if (!lint) problems.push(`${yaml.where([])}: no job in stage lint whose script runs a linter (ruff check ., flake8, …)`);
      if (!test) problems.push(`${yaml.where([])}: no job in stage test whose script runs pytest`);
      for (const [name, job] of jobs) {
        if (job.only !== undefined || job.except !== undefined)
          problems.push(
            `${yaml.where([name, job.only !== undefined ? 'only' : 'except'])}: job ${name} uses only/except, which GitLab no longer develops; use rules:`,
          );
      }
      const workflowRules = ruleConditions((data.workflow as { rules?: unknown } | undefined)?.rules);
      const jobRules = [lint, test].every((j) => j && MR_RULE.test(ruleConditions(j[1].rules)));
      if (!MR_RULE.test(workflowRules) && !jobRules)
        problems.push(
          `${yaml.where(['workflow'])}: no rules: entry runs the pipeline for merge requests ($CI_PIPELINE_SOURCE == "merge_request_event")`,
        );
    }
    if (problems.length === 0)
      return pass(`${FILE}: stages lint → test, a lint job and a test job, and rules that run them on merge requests.`);
    return fail({
      message:
        'On GitLab the same gate is a pipeline: a lint stage, then a test stage, started by every merge request. (GitLab validates the file on the server; `glab ci lint` asks it. The grader checks the structure offline.)',
      expected: 'stages: [lint, test], a lint job and a pytest job, and workflow: rules: with $CI_PIPELINE_SOURCE == "merge_request_event"',
      actual: problems.join('\n'),
      hint: `Fix ${FILE} as each line says, then \`mlops-lab check cicd/01\` (and, with a GitLab project, \`glab ci lint\`).`,
    });
  },
});
