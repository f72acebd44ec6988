/**
 * What a learner does with k8s/ from the command line, for setup, solve and
 * the hold-out harness: `kubectl apply -f k8s/`, `kubectl rollout status`,
 * and a solve that copies the solution and applies it.
 */
import type { V1Deployment } from '@kubernetes/client-node';
import {
  EvidenceError,
  applyManifests,
  kubeLabHooks,
  labNamespace,
  loadKubernetesClient,
  readManifests,
  waitFor,
  type LabHookContext,
  type SolveContext,
} from '@mlops-lab/grader/authoring';
import { read, rolloutState } from './kube.ts';

/**
 * `kubectl apply -n <namespace> -f k8s/` of the workspace's manifests. A
 * problem in them (invalid YAML, a field the schema does not know) stops it
 * before anything reaches the cluster, as the API server would.
 */
export async function applyK8sFolder(ctx: LabHookContext): Promise<void> {
  const set = await readManifests(ctx.files, 'k8s');
  if (set.problems.length > 0) {
    const first = set.problems[0]!;
    throw new EvidenceError(
      'MANIFEST_INVALID',
      `k8s/ is invalid: ${set.problems.map((p) => `${p.file}:${p.line} ${p.path} ${p.message}`).join('; ')}`,
      `Fix ${first.file} line ${first.line}, then \`kubectl apply --dry-run=server -f k8s/\`.`,
    );
  }
  await applyManifests(
    ctx,
    set.objects.map((o) => o.object),
  );
}

/**
 * `kubectl rollout status deployment/<name>` until it succeeds: the newest
 * template on every replica, each available, Progressing=True
 * (NewReplicaSetAvailable).
 */
export async function waitForRollout(
  ctx: Pick<LabHookContext, 'kube' | 'workspace' | 'signal'>,
  name: string,
  options: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<V1Deployment> {
  const k8s = await loadKubernetesClient();
  const apps = await ctx.kube.api(k8s.AppsV1Api);
  const namespace = labNamespace(ctx);
  return await waitFor(
    ctx,
    `deployment/${name} to roll out`,
    () => read(ctx, `get deployment ${name}`, () => apps.readNamespacedDeployment({ name, namespace })),
    (d: V1Deployment) =>
      rolloutState(d).done && d.status?.conditions?.some((c) => c.type === 'Progressing' && c.reason === 'NewReplicaSetAvailable') === true,
    { timeoutMs: options.timeoutMs ?? 180_000, intervalMs: options.intervalMs, describe: (d) => rolloutState(d).text },
  );
}

/** The start of every Kubernetes solve: copy the solution's files over the workspace, then `kubectl apply -f k8s/`. */
export async function copySolutionAndApply(ctx: SolveContext): Promise<void> {
  const files = await ctx.copySolution();
  ctx.log(`copied ${files.length} files from the solution`);
  await applyK8sFolder(ctx);
}

/**
 * The lab namespace hooks, with the starter's k8s/ applied after setup: the
 * colleague's version is already live when the learner arrives.
 */
export function kubeLabHooksApplyingStarter(): Pick<ReturnType<typeof kubeLabHooks>, 'setup' | 'cleanup'> {
  const hooks = kubeLabHooks();
  return {
    async setup(ctx) {
      await hooks.setup(ctx);
      await applyK8sFolder(ctx);
    },
    cleanup: hooks.cleanup,
  };
}
