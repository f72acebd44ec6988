import { FILE, gateCheck } from './shared.ts';

// Mirrors: the job graph GitHub draws for the run (needs:), read from the workflow.
export default gateCheck({
  id: 'deploy-needs-the-evaluation',
  title: 'The deploy job needs the evaluate job (it waits for it, and is skipped when it fails)',
  hint: '`needs: evaluate` on the deploy job.',
  judge(model, deploy, evaluate) {
    if (deploy.id === evaluate.id)
      return [
        `${model.where(['jobs', deploy.id])}: job ${deploy.id} both compares and deploys; split them so the deploy can sit behind an environment`,
      ];
    if (deploy.needs.includes(evaluate.id)) return [];
    return [
      `${model.where(deploy.needs.length ? ['jobs', deploy.id, 'needs'] : ['jobs', deploy.id])}: job ${deploy.id} needs ${deploy.needs.length ? deploy.needs.join(', ') : 'nothing'}, so it starts at once, beside ${evaluate.id}, and deploys whatever the verdict`,
    ];
  },
  passed: (deploy, evaluate) => `Job ${deploy.id} needs ${evaluate.id}: it waits for the evaluation and is skipped if it fails.`,
  failure: {
    message:
      'Jobs run in parallel unless `needs:` orders them. A deploy that does not need the evaluation ships the candidate before anyone knows whether it is better. (Only a job listed in needs: exposes its outputs.)',
    expected: 'the deploy job with needs: <the job that runs compare_metrics.py>',
    hint: `Add \`needs: evaluate\` to the deploy job in ${FILE}, then \`mlops-lab check cicd/03\`.`,
  },
});
