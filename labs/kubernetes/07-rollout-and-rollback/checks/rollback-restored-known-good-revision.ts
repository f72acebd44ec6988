import { defineCheck, fail, labNamespace, pass } from '@mlops-lab/grader/authoring';
import { describeRevision, readRollback } from './history.ts';
import { DEPLOYMENT, GOOD_IMAGE, rolloutOnce } from './shared.ts';

export default defineCheck({
  id: 'rollback-restored-known-good-revision',
  title: 'The rollback brought back the known-good revision (rollout undo), not a new template',
  needs: ['bad-image-was-rolled-out'],
  requires: ['cluster'],
  hint: `Go back to the template that worked: \`kubectl rollout undo deployment/${DEPLOYMENT}\`.`,
  // Mirrors: kubectl rollout history deployment/loan-api && kubectl get rs -l app.kubernetes.io/name=loan-api -o wide
  async run(ctx) {
    const namespace = labNamespace(ctx);
    const { history } = await rolloutOnce(ctx);
    const reading = readRollback(history, GOOD_IMAGE);
    const current = reading.current!;
    const lastBad = reading.bad.at(-1)!;
    const actual = history.map(describeRevision).join('\n');
    if (reading.restoredKnownGood) {
      return pass(
        `Revision ${current.revision} is the known-good template of revision ${current.earlier.at(-1) ?? '?'} (ReplicaSet ${current.name}), brought back after revision ${lastBad.revision}.`,
        { actual },
      );
    }
    const message = current.images.some((i) => i !== GOOD_IMAGE)
      ? `The current revision ${current.revision} runs ${current.images.join(', ')}, not the known-good ${GOOD_IMAGE}: this is a roll forward to another untested template, not a rollback.`
      : `The current revision ${current.revision} runs the good image but in a new ReplicaSet (${current.name}) made after the broken one: the template was rewritten, so it is not the one that was known to work.`;
    return fail({
      message,
      expected: `the current revision is a ReplicaSet that ran before revision ${lastBad.revision}, with ${GOOD_IMAGE}`,
      actual,
      hint: `kubectl rollout undo deployment/${DEPLOYMENT} -n ${namespace} --to-revision=<the good revision> && kubectl rollout status deployment/${DEPLOYMENT} -n ${namespace}`,
    });
  },
});
