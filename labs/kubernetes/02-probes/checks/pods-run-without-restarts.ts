import type { V1Pod } from '@kubernetes/client-node';
import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { DEPLOYMENT, liveDeployment } from '../../_shared/deployment.ts';
import { isReady, kube, labelSelector, podTrouble, read } from '../../_shared/kube.ts';
import { failureWindow } from './shared.ts';

/** Seconds each pod's containers have run, by the API server's clock (its Date header). */
function runningFor(pod: V1Pod, serverNow: number): number {
  const started = (pod.status?.containerStatuses ?? []).map((s) =>
    s.state?.running?.startedAt ? new Date(s.state.running.startedAt).getTime() : serverNow,
  );
  return Math.max(0, (serverNow - Math.max(...started, 0)) / 1000);
}

/** How long the check watches pods younger than the liveness window before it gives up. */
const WATCH_YOUNG_PODS_MS = 60_000;

export default defineCheck({
  id: 'pods-run-without-restarts',
  title: 'Every pod is Ready and has not restarted, after its liveness probe had time to act',
  needs: ['rollout-is-complete'],
  requires: ['cluster'],
  // The pods must outlive one liveness window: the check watches young pods
  // for up to a minute (a restart fails it at once).
  timeoutMs: 90_000,
  hint: 'Watch the RESTARTS column: `kubectl get pods -l app.kubernetes.io/name=model-api -w`; the reason is in `kubectl describe pod <name>` (Events: Liveness probe failed).',
  async run(ctx) {
    // Mirrors: kubectl get pods -l app.kubernetes.io/name=model-api -n <namespace> (READY, RESTARTS, AGE)
    const { k8s, namespace } = await kube(ctx);
    const live = await liveDeployment(ctx);
    const core = await ctx.kube.api(k8s.CoreV1Api);
    const selector = labelSelector(live?.spec?.selector?.matchLabels ?? { 'app.kubernetes.io/name': DEPLOYMENT });
    const container = live?.spec?.template?.spec?.containers?.[0];
    const window = container?.livenessProbe
      ? failureWindow(container.livenessProbe) + (container.startupProbe ? failureWindow(container.startupProbe) : 0)
      : 0;
    const deadline = Date.now() + WATCH_YOUNG_PODS_MS;
    for (;;) {
      const answer = await read(ctx, `list pods -l ${selector}`, () =>
        core.listNamespacedPodWithHttpInfo({ namespace, labelSelector: selector }),
      );
      const serverNow = Date.parse(answer.headers.date ?? '') || Date.now();
      const pods = answer.data.items.filter((p) => !p.metadata?.deletionTimestamp);
      const rows = pods.map((p) => {
        const restarts = (p.status?.containerStatuses ?? []).reduce((n, s) => n + s.restartCount, 0);
        return { pod: p, name: p.metadata?.name ?? '?', ready: isReady(p), restarts, age: runningFor(p, serverNow) };
      });
      const table = rows
        .map(
          (r) =>
            `${r.name}: ${r.ready ? 'Ready' : 'not Ready'}, ${r.restarts} restart${r.restarts === 1 ? '' : 's'}, running ${Math.round(r.age)} s`,
        )
        .join('\n');
      const restarted = rows.filter((r) => r.restarts > 0 || !r.ready);
      if (pods.length === 0 || restarted.length > 0) {
        const troubles = restarted.map((r) => podTrouble(r.pod)).filter(Boolean);
        return fail({
          message:
            pods.length === 0
              ? `No pods of ${DEPLOYMENT} run in ${namespace}.`
              : `${restarted.length} pod${restarted.length === 1 ? ' is' : 's are'} restarting or not Ready: a probe, most likely liveness, fails against the running API.`,
          expected: 'every pod Ready with 0 restarts',
          actual: [table || 'no pods', ...troubles].join('\n'),
          hint: `Read the probe failures: \`kubectl describe pod ${restarted[0]?.name ?? '<pod>'} -n ${namespace}\` (Events) and \`kubectl logs ${restarted[0]?.name ?? '<pod>'} -n ${namespace} --previous\`.`,
        });
      }
      // 0 restarts means little until the liveness probe has had its chance to fail.
      const youngest = Math.min(...rows.map((r) => r.age));
      if (youngest >= window)
        return pass(`All ${rows.length} pods Ready with 0 restarts after ${Math.round(youngest)} s or more (liveness window ${window} s).`);
      if (Date.now() + 1_000 > deadline || ctx.signal.aborted) {
        return fail({
          message: `The pods have not yet run for one liveness window (${window} s): a failing liveness probe could still restart them.`,
          expected: `every pod Ready with 0 restarts after running ${window} s`,
          actual: table,
          hint: `Wait ${Math.ceil(window - youngest)} s, then run \`mlops-lab check kubernetes/02\` again.`,
        });
      }
      ctx.progress(`pods ${Math.round(youngest)} s old, watching until ${window} s`);
      await new Promise((resolve) => setTimeout(resolve, Math.min(3_000, Math.max(250, (window - youngest) * 1000))));
    }
  },
});
