import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { isModel, validWorkflow } from '../../_shared/workflow.ts';
import { FILE } from './shared.ts';

export default defineCheck({
  id: 'model-is-uploaded-as-an-artifact',
  title: 'The retrained model is uploaded as an artifact, and a missing model fails the run',
  needs: ['workflow-is-valid'],
  hint: '`- uses: actions/upload-artifact@<sha> # v4.6.2` with `path: model/model.pkl` and `if-no-files-found: error`.',
  async run(ctx) {
    // Mirrors: reading the actions/upload-artifact step's `with:`; `gh run download` fetches what it uploaded.
    const model = await validWorkflow(ctx, FILE);
    if (!isModel(model)) return model;
    const uploads = model.jobs.flatMap((job) =>
      job.steps.filter((s) => s.uses?.startsWith('actions/upload-artifact@')).map((step) => ({ job, step })),
    );
    const problems: string[] = [];
    if (uploads.length === 0)
      problems.push(`${model.where(['jobs'])}: no step uses actions/upload-artifact: the retrained model disappears with the runner`);
    for (const { job, step } of uploads) {
      const at = ['jobs', job.id, 'steps', step.index, 'with'];
      const path = String(step.with.path ?? '').trim();
      if (!path) problems.push(`${model.where(at)}: job ${job.id}, step "${step.label}": no path to upload`);
      else if (!/model/.test(path)) problems.push(`${model.where([...at, 'path'])}: uploads ${path}, not the model (model/model.pkl)`);
      if (step.with['if-no-files-found'] !== 'error')
        problems.push(
          `${model.where([...at, 'if-no-files-found'])}: if-no-files-found is ${step.with['if-no-files-found'] === undefined ? 'unset (warn)' : String(step.with['if-no-files-found'])}: a retrain that wrote no model would still look green`,
        );
    }
    if (problems.length === 0)
      return pass(`The model is uploaded (${uploads.map((u) => String(u.step.with.path)).join(', ')}) and a missing file fails the run.`);
    return fail({
      message:
        'A retrain is only useful if its model survives the runner: upload it as an artifact (the evaluation and deploy jobs download it), and make a missing model an error, not a warning.',
      expected: 'an actions/upload-artifact step with path: model/model.pkl and if-no-files-found: error',
      actual: problems.join('\n'),
      hint: `Add to the retrain job in ${FILE}:\n  - uses: actions/upload-artifact@ea165f8d65b6e75b540449e92b4886f43607fa02 # v4.6.2\n    with:\n      name: model-\${{ github.sha }}\n      path: model/model.pkl\n      if-no-files-found: error\nthen \`mlops-lab check cicd/02\`.`,
    });
  },
});
