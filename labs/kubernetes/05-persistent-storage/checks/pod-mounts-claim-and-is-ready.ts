import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { claimVolume, kube, listPods, manifests, parts, podTrouble, readOptional, rolloutState } from './shared.ts';

export default defineCheck({
  id: 'pod-mounts-claim-and-is-ready',
  title: 'The model API pods run with the claim mounted and are Ready',
  needs: ['pvc-is-bound'],
  hint: 'Apply and watch: `kubectl rollout status deployment/model-api -n <namespace>`, then `kubectl describe pod -n <namespace> -l app.kubernetes.io/name=model-api`.',
  retries: 5,
  retryDelayMs: 2_000,
  async run(ctx) {
    // Mirrors: kubectl rollout status deployment/model-api; kubectl get pods -l app.kubernetes.io/name=model-api -o jsonpath='{..persistentVolumeClaim.claimName}'
    const { deployment, claim } = parts(await manifests(ctx));
    const name = deployment!.manifest.name;
    const claimName = claim!.manifest.name;
    const { k8s, namespace } = await kube(ctx);
    const apps = await ctx.kube.api(k8s.AppsV1Api);
    const live = await readOptional(ctx, `get deployment ${name}`, () => apps.readNamespacedDeployment({ name, namespace }));
    if (!live || !claimVolume(live, claimName)) {
      return fail({
        message: live
          ? `Deployment ${name} in the cluster does not use claim ${claimName}: your fixed file is not applied yet.`
          : `Deployment ${name} is not in namespace ${namespace}.`,
        expected: `Deployment ${name} with a volume from claim ${claimName}`,
        actual: live ? `volumes: ${(live.spec?.template?.spec?.volumes ?? []).map((v) => v.name).join(', ') || 'none'}` : 'not found',
        hint: `\`kubectl apply -n ${namespace} -f k8s/\``,
      });
    }
    const pods = await listPods(ctx, live);
    const rollout = rolloutState(live);
    const withoutClaim = pods.filter((p) => !(p.spec?.volumes ?? []).some((v) => v.persistentVolumeClaim?.claimName === claimName));
    const troubles = pods.map(podTrouble).filter((t): t is string => t !== undefined);
    if (!rollout.done || pods.length === 0 || troubles.length > 0 || withoutClaim.length > 0) {
      return fail({
        message:
          withoutClaim.length > 0
            ? `${withoutClaim.length} pod${withoutClaim.length === 1 ? '' : 's'} of ${name} still run${withoutClaim.length === 1 ? 's' : ''} without the claim (the rollout has not replaced ${withoutClaim.length === 1 ? 'it' : 'them'}).`
            : `Deployment ${name} has not finished rolling out: ${rollout.text}.`,
        expected: `every replica of ${name} Ready with claim ${claimName} mounted`,
        actual: [
          `deployment ${name}: ${rollout.text}`,
          ...troubles,
          ...withoutClaim.map((p) => `${p.metadata?.name}: no volume from ${claimName}`),
          ...(pods.length === 0 ? ['no pods'] : []),
        ].join('\n'),
        hint: `\`kubectl rollout status deployment/${name} -n ${namespace}\`; events: \`kubectl get events -n ${namespace} --sort-by=.lastTimestamp\`.`,
      });
    }
    return pass(
      `Deployment ${name}: ${rollout.text}; ${pods.map((p) => p.metadata?.name).join(', ')} mount${pods.length === 1 ? 's' : ''} claim ${claimName}.`,
    );
  },
});
