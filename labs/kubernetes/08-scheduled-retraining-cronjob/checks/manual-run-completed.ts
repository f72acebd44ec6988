import type * as K8s from '@kubernetes/client-node';
import { defineCheck, describeApiError, fail, labNamespace, loadKubernetesClient, pass } from '@mlops-lab/grader/authoring';
import { CRONJOB, liveCronJob } from './shared.ts';

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

/** Containers as image + command + args, to compare a Job with the CronJob's current template. */
function signature(spec: K8s.V1PodSpec | undefined): string {
  return JSON.stringify((spec?.containers ?? []).map((c) => [c.name, c.image, c.command ?? [], c.args ?? []]));
}

export default defineCheck({
  id: 'manual-run-completed',
  title: "A run created from the CronJob's current template completed (kubectl create job --from)",
  needs: ['cronjob-exists'],
  requires: ['cluster'],
  hint: `Run it now instead of waiting for the schedule: \`kubectl create job --from=cronjob/${CRONJOB} ${CRONJOB}-manual-1\`.`,
  retries: 6,
  retryDelayMs: 2_000,
  // Mirrors: kubectl get jobs -n <namespace> && kubectl wait --for=condition=complete job/<job>
  async run(ctx) {
    const namespace = labNamespace(ctx);
    const cronJob = (await liveCronJob(ctx))!;
    const k8s = await loadKubernetesClient();
    const batch = await ctx.kube.api(k8s.BatchV1Api);
    let jobs: K8s.V1JobList;
    try {
      jobs = await ctx.kube.call(`list jobs -n ${namespace}`, () => batch.listNamespacedJob({ namespace }));
    } catch (error) {
      throw describeApiError(error, `list jobs -n ${namespace}`);
    }
    const owned = jobs.items.filter((j) => j.metadata?.ownerReferences?.some((r) => r.uid === cronJob.metadata?.uid && r.controller));
    const current = signature(cronJob.spec?.jobTemplate.spec?.template.spec);
    const describe = (j: K8s.V1Job): string => {
      const conditions = ((j.status?.conditions ?? []) as Condition[])
        .filter((c) => c.status === 'True')
        .map((c) => `${c.type}${c.reason ? ` (${c.reason})` : ''}`);
      const stale = signature(j.spec?.template.spec) !== current ? ', made from an older template' : '';
      return `job/${j.metadata?.name}: succeeded ${j.status?.succeeded ?? 0}, failed ${j.status?.failed ?? 0}, active ${j.status?.active ?? 0}${conditions.length ? `, ${conditions.join(', ')}` : ''}${stale}`;
    };
    const done = owned.find(
      (j) =>
        ((j.status?.conditions ?? []) as Condition[]).some((c) => c.type === 'Complete' && c.status === 'True') &&
        (j.status?.succeeded ?? 0) >= 1 &&
        signature(j.spec?.template.spec) === current,
    );
    const expected = `a Job owned by cronjob/${CRONJOB}, made from its current jobTemplate, with condition Complete and succeeded >= 1`;
    const actual = owned.map(describe).join('\n') || `no Job owned by cronjob/${CRONJOB}`;
    if (done) return pass(`job/${done.metadata?.name} ran the current template to completion.`, { expected, actual });
    const failed = owned.find((j) => ((j.status?.conditions ?? []) as Condition[]).some((c) => c.type === 'Failed' && c.status === 'True'));
    return fail({
      message: failed
        ? `The run ${failed.metadata?.name} failed (${((failed.status?.conditions ?? []) as Condition[]).find((c) => c.type === 'Failed')?.reason ?? 'Failed'}): the template does not train successfully.`
        : owned.length
          ? 'No run of the current template has completed yet.'
          : 'Nothing proves the template works: no Job has been created from the CronJob yet, and the schedule may be hours away.',
      expected,
      actual,
      hint: `kubectl create job --from=cronjob/${CRONJOB} ${CRONJOB}-manual-${owned.length + 1} -n ${namespace} && kubectl wait --for=condition=complete job/${CRONJOB}-manual-${owned.length + 1} -n ${namespace} --timeout=120s; if it fails: kubectl logs job/<name> -n ${namespace}`,
    });
  },
});
