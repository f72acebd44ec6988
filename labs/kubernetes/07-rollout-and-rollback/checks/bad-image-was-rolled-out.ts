import { defineCheck, fail, labNamespace, pass } from '@mlops-lab/grader/authoring';
import { describeRevision, readRollback } from './history.ts';
import { BAD_IMAGE, CONTAINER, DEPLOYMENT, GOOD_IMAGE, rolloutOnce } from './shared.ts';

export default defineCheck({
  id: 'bad-image-was-rolled-out',
  title: 'The rollout history holds the revision with the broken image',
  needs: ['deployment-exists'],
  requires: ['cluster'],
  hint: `Roll out the release that was never pushed: \`kubectl set image deployment/${DEPLOYMENT} ${CONTAINER}=${BAD_IMAGE}\`, then watch \`kubectl rollout status\`.`,
  // Mirrors: kubectl rollout history deployment/loan-api && kubectl get rs -o wide
  async run(ctx) {
    const namespace = labNamespace(ctx);
    const { history } = await rolloutOnce(ctx);
    const reading = readRollback(history, GOOD_IMAGE);
    if (reading.bad.length > 0) {
      return pass(`Revision ${reading.bad.map((r) => r.revision).join(', ')} ran ${reading.bad.flatMap((r) => r.images).join(', ')}.`, {
        actual: history.map(describeRevision).join('\n'),
      });
    }
    const current = reading.current;
    return fail({
      message:
        current && current.images.some((i) => i !== GOOD_IMAGE)
          ? `The broken revision ${current.revision} is still the current one; the history needs a later revision that restores ${GOOD_IMAGE}.`
          : `The history holds only the good image: the broken release has not been rolled out yet, so there is nothing to roll back.`,
      expected: `an earlier revision with an image other than ${GOOD_IMAGE} (e.g. ${BAD_IMAGE})`,
      actual: history.map(describeRevision).join('\n') || 'no revisions',
      hint: `kubectl annotate deployment/${DEPLOYMENT} -n ${namespace} kubernetes.io/change-cause="Roll out 2.0.0" --overwrite && kubectl set image deployment/${DEPLOYMENT} -n ${namespace} ${CONTAINER}=${BAD_IMAGE} && kubectl rollout status deployment/${DEPLOYMENT} -n ${namespace}`,
    });
  },
});
