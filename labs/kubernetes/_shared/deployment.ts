/**
 * What labs 01 (deploy) and 02 (probes) share: the model API Deployment in
 * k8s/ and in the cluster, and the checks both run on it (it is applied as
 * written; its rollout is complete). Not a lab (no lab.ts).
 */
import type { V1Container, V1Deployment, V1PodSecurityContext, V1Probe, V1SecurityContext } from '@kubernetes/client-node';
import { defineCheck, fail, pass, type CheckContext, type CheckDefinitionInput, type ManifestObject } from '@mlops-lab/grader/authoring';
import { findMain, isReady, kube, listPods, manifests, ns, podTrouble, read, readOptional, rolloutState } from './kube.ts';
import { quantity } from './quantity.ts';

export const DEPLOYMENT = 'model-api';
/** The port the model API listens on unless its PORT variable says otherwise (app/serve.py). */
export const APP_PORT = 8000;
export const HEALTH_PATH = '/health';

/** The Deployment `model-api` of k8s/ (or the only Deployment there). */
export async function manifestDeployment(ctx: CheckContext): Promise<{ object: ManifestObject; deployment: V1Deployment } | undefined> {
  const set = await manifests(ctx);
  const object = findMain(set, 'Deployment', DEPLOYMENT);
  return object ? { object, deployment: object.object as unknown as V1Deployment } : undefined;
}

/**
 * The Deployment of k8s/ with what `judge` finds wrong with each of its
 * containers (it pushes onto `problems`), for checks that judge container by
 * container; undefined when k8s/ has no Deployment (answer `noDeployment`).
 */
export async function judgeContainers(
  ctx: CheckContext,
  judge: (container: V1Container, index: number, problems: string[], found: { object: ManifestObject; deployment: V1Deployment }) => void,
): Promise<{ object: ManifestObject; deployment: V1Deployment; problems: string[] } | undefined> {
  const found = await manifestDeployment(ctx);
  if (!found) return undefined;
  const problems: string[] = [];
  containersOf(found.deployment).forEach((c, i) => judge(c, i, problems, found));
  return { ...found, problems };
}

/** A check's answer when k8s/ has no Deployment to judge. */
export function noDeployment(labId: string) {
  return fail({
    message: `k8s/ has no Deployment named ${DEPLOYMENT}: there is nothing to judge yet.`,
    expected: `a Deployment named ${DEPLOYMENT} in k8s/deployment.yaml`,
    actual: 'no Deployment in k8s/',
    hint: `Restore the starter with \`mlops-lab reset ${labId}\`, or write k8s/deployment.yaml.`,
  });
}

export function containersOf(deployment: V1Deployment): V1Container[] {
  return deployment.spec?.template?.spec?.containers ?? [];
}

/** The port a container's process listens on: its PORT variable when set to a number, else 8000. */
export function listeningPort(container: V1Container): number {
  const value = container.env?.find((e) => e.name === 'PORT')?.value;
  return value && /^\d+$/.test(value) ? Number(value) : APP_PORT;
}

/** A container's effective user settings: the container's securityContext wins over the pod's. */
export function effectiveUser(
  pod: V1PodSecurityContext | undefined,
  container: V1SecurityContext | undefined,
): { runAsNonRoot?: boolean; runAsUser?: number } {
  return { runAsNonRoot: container?.runAsNonRoot ?? pod?.runAsNonRoot, runAsUser: container?.runAsUser ?? pod?.runAsUser };
}

/** The live Deployment, or undefined when it is not in the lab namespace. */
export async function liveDeployment(ctx: CheckContext): Promise<V1Deployment | undefined> {
  return ctx.memo('live-deployment', async () => {
    const { k8s, namespace } = await kube(ctx);
    const apps = await ctx.kube.api(k8s.AppsV1Api);
    return await readOptional(ctx, `get deployment ${DEPLOYMENT}`, () => apps.readNamespacedDeployment({ name: DEPLOYMENT, namespace }));
  });
}

/** The fields a reviewer compares between k8s/ and the cluster, normalised. */
function graded(deployment: V1Deployment): Record<string, unknown> {
  const podSecurity = deployment.spec?.template?.spec?.securityContext;
  return {
    replicas: deployment.spec?.replicas ?? 1,
    podSecurityContext: { runAsNonRoot: podSecurity?.runAsNonRoot, runAsUser: podSecurity?.runAsUser },
    containers: containersOf(deployment).map((c) => ({
      name: c.name,
      image: c.image,
      // The API server copies a limit into a missing request: compare as it stores them.
      requests: Object.fromEntries(Object.entries({ ...c.resources?.limits, ...c.resources?.requests }).map(([k, v]) => [k, quantity(v)])),
      limits: Object.fromEntries(Object.entries(c.resources?.limits ?? {}).map(([k, v]) => [k, quantity(v)])),
      securityContext: {
        runAsNonRoot: c.securityContext?.runAsNonRoot,
        runAsUser: c.securityContext?.runAsUser,
        allowPrivilegeEscalation: c.securityContext?.allowPrivilegeEscalation,
        readOnlyRootFilesystem: c.securityContext?.readOnlyRootFilesystem,
      },
      readinessProbe: probeTarget(c.readinessProbe),
      livenessProbe: probeTarget(c.livenessProbe),
    })),
  };
}

/** What a probe asks, without the defaults the API server fills in (scheme, thresholds). */
export function probeTarget(probe: V1Probe | undefined): string | undefined {
  if (!probe) return undefined;
  if (probe.httpGet) return `GET ${probe.httpGet.path ?? '/'} on port ${String(probe.httpGet.port)}`;
  if (probe.tcpSocket) return `TCP on port ${String(probe.tcpSocket.port)}`;
  if (probe.exec) return `exec ${JSON.stringify(probe.exec.command ?? [])}`;
  if (probe.grpc) return `gRPC on port ${probe.grpc.port}`;
  return 'no action';
}

/** The first difference between two graded views, as `field: file says X, cluster has Y`. */
function firstDifference(a: unknown, b: unknown, path = ''): string | undefined {
  if (JSON.stringify(a) === JSON.stringify(b)) return undefined;
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const key of keys) {
      const d = firstDifference(
        (a as Record<string, unknown>)[key],
        (b as Record<string, unknown>)[key],
        Array.isArray(a) ? `${path}[${key}]` : path ? `${path}.${key}` : key,
      );
      if (d) return d;
    }
  }
  return `${path}: k8s/ says ${JSON.stringify(a) ?? 'nothing'}, the cluster has ${JSON.stringify(b) ?? 'nothing'}`;
}

/** `deployment-is-applied`: the cluster runs what k8s/ says. */
export function deploymentIsApplied(labId: string): CheckDefinitionInput {
  return defineCheck({
    id: 'deployment-is-applied',
    title: `The cluster runs the Deployment ${DEPLOYMENT} as k8s/ describes it`,
    needs: ['manifests-are-valid'],
    requires: ['cluster'],
    hint: 'Apply the folder, then compare: `kubectl apply -n <namespace> -f k8s/` and `kubectl diff -n <namespace> -f k8s/`.',
    async run(ctx) {
      // Mirrors: kubectl get deployment model-api -n <namespace> -o yaml; kubectl diff -f k8s/
      const written = await manifestDeployment(ctx);
      if (!written) return noDeployment(labId);
      const live = await liveDeployment(ctx);
      const namespace = ns(ctx);
      if (!live) {
        return fail({
          message: `The Deployment ${DEPLOYMENT} is not in your namespace ${namespace}: k8s/ has not been applied yet.`,
          expected: `deployment.apps/${DEPLOYMENT} in namespace ${namespace}`,
          actual: `\`kubectl get deployment ${DEPLOYMENT} -n ${namespace}\` finds nothing`,
          hint: `Apply your manifests: \`kubectl apply -n ${namespace} -f k8s/\`.`,
        });
      }
      const difference = firstDifference(graded(written.deployment), graded(live));
      if (difference) {
        return fail({
          message: `The Deployment in the cluster differs from k8s/deployment.yaml: the file was changed after the last apply.`,
          expected: 'the cluster to run what k8s/ says',
          actual: difference,
          hint: `See every difference with \`kubectl diff -n ${namespace} -f k8s/\`, then apply: \`kubectl apply -n ${namespace} -f k8s/\`.`,
        });
      }
      return pass(`deployment.apps/${DEPLOYMENT} in ${namespace} matches k8s/.`);
    },
  });
}

/** `rollout-is-complete`: every replica runs the newest template and is available, as `kubectl rollout status` waits for. */
export function rolloutIsComplete(): CheckDefinitionInput {
  return defineCheck({
    id: 'rollout-is-complete',
    title: 'The rollout is complete: every replica is ready and available',
    needs: ['deployment-is-applied'],
    requires: ['cluster'],
    // A rollout takes a little while after `kubectl apply`: look again before failing.
    retries: 5,
    retryDelayMs: 2_000,
    hint: 'Watch it finish: `kubectl rollout status deployment/model-api -n <namespace>`; if it hangs, `kubectl describe pods -l app.kubernetes.io/name=model-api -n <namespace>`.',
    async run(ctx) {
      // Mirrors: kubectl rollout status deployment/model-api -n <namespace>
      const { k8s, namespace } = await kube(ctx);
      const apps = await ctx.kube.api(k8s.AppsV1Api);
      const live = await read(ctx, `get deployment ${DEPLOYMENT}`, () => apps.readNamespacedDeployment({ name: DEPLOYMENT, namespace }));
      const state = rolloutState(live);
      const progressing = live.status?.conditions?.find((c) => c.type === 'Progressing');
      if (state.done && progressing?.status === 'True' && progressing.reason === 'NewReplicaSetAvailable') {
        return pass(`Rolled out: ${state.text}; Progressing=True (NewReplicaSetAvailable).`);
      }
      const pods = await listPods(ctx, live);
      const troubles = pods.filter((p) => !isReady(p)).map((p) => podTrouble(p) ?? `${p.metadata?.name}: not Ready`);
      const stuck = progressing?.reason === 'ProgressDeadlineExceeded';
      return fail({
        message: stuck
          ? `The rollout of ${DEPLOYMENT} has stalled: it made no progress within progressDeadlineSeconds.`
          : `The rollout of ${DEPLOYMENT} is not complete: ${state.text}.`,
        expected: `${live.spec?.replicas ?? 1}/${live.spec?.replicas ?? 1} replicas ready and available, Progressing=True (NewReplicaSetAvailable)`,
        actual: [
          `${state.text}; Progressing=${progressing?.status ?? '?'} (${progressing?.reason ?? 'no condition yet'})`,
          ...troubles.slice(0, 4),
        ].join('\n'),
        hint: troubles.some((t) => /ImagePull|ErrImage/.test(t))
          ? `The image cannot be pulled. Import it into k3s (\`docker save mlops-lab/model-api:1.0.0 | sudo k3s ctr images import -\`) or fix the image name, then \`kubectl rollout status deployment/${DEPLOYMENT} -n ${namespace}\`.`
          : `See why: \`kubectl describe pods -l app.kubernetes.io/name=${DEPLOYMENT} -n ${namespace}\` and \`kubectl get events -n ${namespace} --sort-by=.lastTimestamp\`.`,
      });
    },
  });
}
