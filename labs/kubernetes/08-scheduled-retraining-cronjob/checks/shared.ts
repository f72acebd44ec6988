import type * as K8s from '@kubernetes/client-node';
import { labNamespace, loadKubernetesClient, type CheckContext } from '@mlops-lab/grader/authoring';
import { manifests, readOptional } from '../../_shared/kube.ts';

export const CRONJOB = 'loan-retrain';

type Ctx = Pick<CheckContext, 'kube' | 'workspace' | 'memo' | 'files'>;

/** The CronJob as the API server stored it (defaults filled in), once per grading run. */
// Mirrors: kubectl get cronjob loan-retrain -n <namespace> -o yaml
export function liveCronJob(ctx: Ctx): Promise<K8s.V1CronJob | undefined> {
  const namespace = labNamespace(ctx);
  return ctx.memo('cronjob', async () => {
    const k8s = await loadKubernetesClient();
    const batch = await ctx.kube.api(k8s.BatchV1Api);
    return await readOptional(ctx, `read cronjob ${CRONJOB}`, () => batch.readNamespacedCronJob({ name: CRONJOB, namespace }));
  });
}

/** The CronJob as the learner wrote it in k8s/ (to tell "set explicitly" from "defaulted by the API server"). */
export function writtenCronJob(ctx: Ctx): Promise<{ file: string; spec: Record<string, unknown> } | undefined> {
  return ctx.memo('written-cronjob', async () => {
    const set = await manifests(ctx);
    const found = set.objects.find((o) => o.kind === 'CronJob' && o.name === CRONJOB);
    return found ? { file: found.file, spec: (found.object.spec ?? {}) as Record<string, unknown> } : undefined;
  });
}

/** The pod template of the CronJob's jobs. */
export function podSpecOf(cronJob: K8s.V1CronJob): K8s.V1PodSpec | undefined {
  return cronJob.spec?.jobTemplate.spec?.template.spec;
}

export function applyHint(namespace: string): string {
  return `kubectl apply -n ${namespace} -f k8s/ && kubectl get cronjob ${CRONJOB} -n ${namespace} -o yaml`;
}
