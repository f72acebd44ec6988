import { defineCheck, fail, labNamespace, pass } from '@mlops-lab/grader/authoring';
import { CHANGE_CAUSE } from './history.ts';
import { DEPLOYMENT, GOOD_IMAGE, readRollout, templateImages } from './shared.ts';

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export default defineCheck({
  id: 'rollout-is-complete-on-good-image',
  title: `Every replica is ready and runs ${GOOD_IMAGE}`,
  needs: ['deployment-exists'],
  requires: ['cluster'],
  hint: `Wait for the rollout: \`kubectl rollout status deployment/${DEPLOYMENT}\`; if it is stuck on a bad image, \`kubectl rollout undo deployment/${DEPLOYMENT}\`.`,
  retries: 10,
  retryDelayMs: 2_000,
  // Mirrors: kubectl rollout status deployment/loan-api && kubectl get pods -l app.kubernetes.io/name=loan-api -o wide
  async run(ctx) {
    const namespace = labNamespace(ctx);
    const { deployment, history, pods } = await readRollout(ctx);
    const spec = deployment!.spec!;
    const status = deployment!.status ?? {};
    const want = spec.replicas ?? 1;
    const images = templateImages(deployment);
    const conditions = (status.conditions ?? []) as Condition[];
    const progressing = conditions.find((c) => c.type === 'Progressing');
    const current = history.at(-1);
    const currentPods = pods.filter(
      (p) => p.metadata?.ownerReferences?.some((o) => o.name === current?.name) && !p.metadata?.deletionTimestamp,
    );
    const readyPods = currentPods.filter((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
    const waiting = pods.flatMap((p) =>
      (p.status?.containerStatuses ?? []).map((c) => c.state?.waiting?.reason).filter((r): r is string => Boolean(r)),
    );
    const oldRunning = history.filter((r) => r !== current && r.replicas > 0);
    const actual = [
      `template image ${images.join(', ')}`,
      `replicas ${want}, updated ${status.updatedReplicas ?? 0}, ready ${status.readyReplicas ?? 0}, available ${status.availableReplicas ?? 0}, unavailable ${status.unavailableReplicas ?? 0}`,
      `observedGeneration ${status.observedGeneration ?? 0} of generation ${deployment!.metadata?.generation ?? 0}`,
      `Progressing ${progressing ? `${progressing.status} (${progressing.reason ?? ''})` : 'not reported'}`,
      `pods of revision ${current?.revision ?? '?'}: ${readyPods.length}/${currentPods.length} ready`,
      ...(waiting.length ? [`waiting containers: ${[...new Set(waiting)].join(', ')}`] : []),
      ...(oldRunning.length
        ? [`older revisions still scaled up: ${oldRunning.map((r) => `${r.revision} (${r.replicas})`).join(', ')}`]
        : []),
    ].join('\n');
    const expected = `${want}/${want} pods of the current revision ready with ${GOOD_IMAGE}; Progressing True (NewReplicaSetAvailable); older revisions at 0`;
    const complete =
      (status.observedGeneration ?? 0) >= (deployment!.metadata?.generation ?? 0) &&
      (status.updatedReplicas ?? 0) === want &&
      (status.replicas ?? 0) === want &&
      (status.availableReplicas ?? 0) === want &&
      progressing?.status === 'True' &&
      progressing.reason === 'NewReplicaSetAvailable' &&
      readyPods.length === want &&
      oldRunning.length === 0;
    const goodImage = images.length > 0 && images.every((i) => i === GOOD_IMAGE);
    if (complete && goodImage)
      return pass(`deployment "${DEPLOYMENT}" successfully rolled out: ${want}/${want} ready on ${GOOD_IMAGE}.`, { expected, actual });
    let message: string;
    if (progressing?.reason === 'ProgressDeadlineExceeded')
      message = `The rollout is stalled (ProgressDeadlineExceeded): the new pods cannot start${waiting.length ? ` (${[...new Set(waiting)].join(', ')})` : ''}.`;
    else if (!goodImage) message = `The Deployment runs ${images.join(', ')}, not the known-good ${GOOD_IMAGE}.`;
    else message = 'The rollout has not finished: not every replica of the current revision is ready yet.';
    return fail({
      message,
      expected,
      actual,
      hint: `kubectl rollout status deployment/${DEPLOYMENT} -n ${namespace}; if it is stuck: kubectl rollout undo deployment/${DEPLOYMENT} -n ${namespace} (and record why: ${CHANGE_CAUSE}).`,
    });
  },
});
