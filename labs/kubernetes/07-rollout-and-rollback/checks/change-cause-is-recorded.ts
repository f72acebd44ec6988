import { defineCheck, fail, labNamespace, pass } from '@mlops-lab/grader/authoring';
import { CHANGE_CAUSE, describeRevision } from './history.ts';
import { DEPLOYMENT, rolloutOnce } from './shared.ts';

export default defineCheck({
  id: 'change-cause-is-recorded',
  title: 'Every revision in the rollout history says why it was made (kubernetes.io/change-cause)',
  needs: ['deployment-exists'],
  requires: ['cluster'],
  hint: `Annotate before each change: \`kubectl annotate deployment/${DEPLOYMENT} ${CHANGE_CAUSE}="Roll out 2.0.0" --overwrite\`.`,
  // Mirrors: kubectl rollout history deployment/loan-api (the CHANGE-CAUSE column)
  async run(ctx) {
    const namespace = labNamespace(ctx);
    const { history } = await rolloutOnce(ctx);
    const missing = history.filter((r) => !r.changeCause?.trim());
    if (history.length > 0 && missing.length === 0) {
      return pass(`All ${history.length} revisions have a change cause.`, { actual: history.map(describeRevision).join('\n') });
    }
    return fail({
      message:
        history.length === 0
          ? 'The Deployment has no revisions yet.'
          : `${missing.length} of ${history.length} revisions show CHANGE-CAUSE <none>: at 3 a.m. nobody can tell which revision to go back to.`,
      expected: `a ${CHANGE_CAUSE} annotation on every revision`,
      actual: history.map(describeRevision).join('\n') || 'no revisions',
      hint: `Put ${CHANGE_CAUSE} under metadata.annotations in k8s/deployment.yaml (it is copied to the current revision when you apply), and annotate each later change; check with \`kubectl rollout history deployment/${DEPLOYMENT} -n ${namespace}\`.`,
    });
  },
});
