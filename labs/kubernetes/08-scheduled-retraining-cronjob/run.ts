/**
 * `kubectl create job --from=cronjob/loan-retrain <name>` through the API,
 * as kubectl builds it: the CronJob's jobTemplate, its labels and
 * annotations plus `cronjob.kubernetes.io/instantiate: manual`, and an
 * ownerReference to the CronJob (controller: true, so the CronJob's
 * history limits count it). Used by solve and the hold-out tests.
 */
import type * as K8s from '@kubernetes/client-node';
import { labNamespace, loadKubernetesClient, waitFor, type LabHookContext } from '@mlops-lab/grader/authoring';
import { read, readOptional } from '../_shared/kube.ts';
import { CRONJOB } from './checks/shared.ts';

type Ctx = Pick<LabHookContext, 'kube' | 'workspace' | 'signal' | 'log'>;

export async function createJobFromCronJob(ctx: Ctx, name: string): Promise<K8s.V1Job> {
  const namespace = labNamespace(ctx);
  const k8s = await loadKubernetesClient();
  const batch = await ctx.kube.api(k8s.BatchV1Api);
  const cronJob = await read(ctx, `read cronjob ${CRONJOB}`, () => batch.readNamespacedCronJob({ name: CRONJOB, namespace }));
  const template = cronJob.spec!.jobTemplate;
  const body: K8s.V1Job = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name,
      namespace,
      labels: template.metadata?.labels,
      annotations: { ...template.metadata?.annotations, 'cronjob.kubernetes.io/instantiate': 'manual' },
      ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: CRONJOB, uid: cronJob.metadata!.uid!, controller: true }],
    },
    spec: structuredClone(template.spec),
  };
  const job = await read(ctx, `create job ${name}`, () => batch.createNamespacedJob({ namespace, body }));
  ctx.log(`job.batch/${name} created`);
  return job;
}

interface Condition {
  type: string;
  status: string;
}

/**
 * `kubectl wait --for=condition=complete job/<name>`: the finished Job, or
 * undefined when it was deleted first (a history limit of 0 does that).
 */
export async function waitForJob(ctx: Ctx, name: string, timeoutMs: number): Promise<K8s.V1Job | undefined> {
  const namespace = labNamespace(ctx);
  const k8s = await loadKubernetesClient();
  const batch = await ctx.kube.api(k8s.BatchV1Api);
  const readJob = () => readOptional(ctx, `read job ${name}`, () => batch.readNamespacedJob({ name, namespace }));
  const finished = (j: K8s.V1Job) =>
    ((j.status?.conditions ?? []) as Condition[]).find((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True')?.type;
  return waitFor(ctx, `job/${name} to finish`, readJob, (j) => j === undefined || finished(j) !== undefined, {
    timeoutMs,
    intervalMs: 500,
    describe: (j) =>
      j ? `succeeded ${j.status?.succeeded ?? 0}, failed ${j.status?.failed ?? 0}, active ${j.status?.active ?? 0}` : 'deleted',
  });
}
