import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { isModel, validWorkflow } from '../../_shared/workflow.ts';
import { FILE, SCRIPT, comparisonStep, outputRefs } from './shared.ts';

export default defineCheck({
  id: 'evaluation-sets-a-job-output',
  title: "The evaluate job publishes the comparison step's verdict as a job output",
  needs: ['workflow-is-valid'],
  hint: 'Give the comparison step `id: compare`, append its output to "$GITHUB_OUTPUT", and declare `outputs: { better: ${{ steps.compare.outputs.better }} }` on the job.',
  async run(ctx) {
    // Mirrors: reading the evaluate job's `outputs:` and the step it points to, the chain GitHub follows from $GITHUB_OUTPUT to needs.<job>.outputs.
    const model = await validWorkflow(ctx, FILE);
    if (!isModel(model)) return model;
    const found = comparisonStep(model);
    const problems: string[] = [];
    if (!found) problems.push(`${model.where(['jobs'])}: no step runs ${SCRIPT}`);
    else {
      const { job, step } = found;
      const stepAt = ['jobs', job.id, 'steps', step.index];
      if (!step.id) problems.push(`${model.where(stepAt)}: step "${step.label}" has no id:, so nothing can read its outputs`);
      if (!/>>\s*"?\$\{?GITHUB_OUTPUT\b/.test(step.run ?? ''))
        problems.push(
          `${model.where([...stepAt, 'run'])}: the script's better=… line goes to the log, not to "$GITHUB_OUTPUT" (append it: >> "$GITHUB_OUTPUT")`,
        );
      if (step.raw['continue-on-error'] === true)
        problems.push(
          `${model.where([...stepAt, 'continue-on-error'])}: continue-on-error: true lets a crashed comparison pass as success`,
        );
      const refs = Object.entries(job.outputs).flatMap(([name, value]) =>
        outputRefs(String(value), 'steps').map((r) => ({ ...r, output: name })),
      );
      const wired = refs.find((r) => r.source === step.id);
      if (Object.keys(job.outputs).length === 0)
        problems.push(`${model.where(['jobs', job.id])}: job ${job.id} declares no outputs:, so the deploy job cannot see the verdict`);
      else if (step.id && !wired)
        problems.push(
          `${model.where(['jobs', job.id, 'outputs'])}: no output reads steps.${step.id}.outputs.… (found: ${JSON.stringify(job.outputs)})`,
        );
      if (problems.length === 0 && wired)
        return pass(
          `Job ${job.id} publishes outputs.${wired.output} from steps.${wired.source}.outputs.${wired.name} (${SCRIPT} >> $GITHUB_OUTPUT).`,
        );
    }
    return fail({
      message: "A step's verdict lives only inside its job until the job declares it as an output; only then can a later job decide on it.",
      expected: `a step with an id that runs ${SCRIPT} >> "$GITHUB_OUTPUT", and job outputs: better: \${{ steps.<id>.outputs.better }}`,
      actual: problems.join('\n'),
      hint: `In ${FILE}: \`id: compare\` on the step, \`run: python ${SCRIPT} metrics/candidate.json metrics/champion.json >> "$GITHUB_OUTPUT"\`, and on the job \`outputs:\\n  better: \${{ steps.compare.outputs.better }}\`; then \`mlops-lab check cicd/03\`.`,
    });
  },
});
