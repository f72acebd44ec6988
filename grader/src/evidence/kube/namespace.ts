import type * as K8s from '@kubernetes/client-node';
import { EnvironmentError } from '../../errors.ts';
import type { LabHookContext, WorkspaceInfo } from '../../lab/context.ts';
import { LABEL_LAB, LABEL_WORKSPACE } from '../docker.ts';
import { apiStatus, loadKubernetesClient, type KubeEvidence } from '../kube.ts';

/**
 * The namespace a Kubernetes lab runs in: one per workspace, so two labs (or
 * two learners on one cluster) never see each other's objects. The
 * workspace id is 12 hex characters, so the name is a valid DNS label.
 */
export function labNamespace(ctx: { readonly workspace: Pick<WorkspaceInfo, 'id'> }): string {
  return `mlops-lab-${ctx.workspace.id}`;
}

/** Labels every lab namespace carries, so cleanup and `kubectl get ns -l` find them. */
export function labNamespaceLabels(ctx: {
  readonly workspace: Pick<WorkspaceInfo, 'id'>;
  readonly lab: { readonly id: string };
}): Record<string, string> {
  // A label value cannot hold `/`: `kubernetes/01-deploy-model-api` -> `01-deploy-model-api`.
  const slug = ctx.lab.id.split('/').at(-1) ?? ctx.lab.id;
  return { [LABEL_WORKSPACE]: ctx.workspace.id, [LABEL_LAB]: slug };
}

type NamespaceContext = Pick<LabHookContext, 'kube' | 'workspace' | 'lab'> & { readonly log?: (line: string) => void };

/**
 * Creates the lab namespace (`kubectl create namespace`), labelled with the
 * workspace and the lab. An existing one is kept; one still terminating from
 * a previous run is waited for, then created again.
 */
export async function ensureLabNamespace(ctx: NamespaceContext, options: { timeoutMs?: number } = {}): Promise<string> {
  const name = labNamespace(ctx);
  const k8s = await loadKubernetesClient();
  const core = await ctx.kube.api(k8s.CoreV1Api);
  const deadline = Date.now() + (options.timeoutMs ?? 90_000);
  for (;;) {
    const existing = await readNamespace(ctx.kube, core, name);
    if (existing && existing.status?.phase !== 'Terminating') {
      ctx.log?.(`Kubernetes namespace ${name} is ready.`);
      return name;
    }
    if (!existing) {
      try {
        await ctx.kube.call(`create namespace ${name}`, () =>
          core.createNamespace({ body: { metadata: { name, labels: labNamespaceLabels(ctx) } } }),
        );
        ctx.log?.(`Created the Kubernetes namespace ${name}.`);
        return name;
      } catch (error) {
        if (apiStatus(error) !== 409) throw describeApiError(error, `create namespace ${name}`);
      }
    }
    if (Date.now() > deadline) {
      throw new EnvironmentError(
        'NAMESPACE_TERMINATING',
        `The namespace ${name} from an earlier run is still being deleted.`,
        `Wait for it (\`kubectl get namespace ${name}\`), then run the command again.`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/**
 * Deletes the lab namespace and, with it, every object in it
 * (`kubectl delete namespace`). A namespace that is already gone is fine.
 */
export async function deleteLabNamespace(ctx: NamespaceContext): Promise<boolean> {
  const name = labNamespace(ctx);
  const k8s = await loadKubernetesClient();
  const core = await ctx.kube.api(k8s.CoreV1Api);
  try {
    await ctx.kube.call(`delete namespace ${name}`, () => core.deleteNamespace({ name }));
    ctx.log?.(`Deleted the Kubernetes namespace ${name}.`);
    return true;
  } catch (error) {
    if (apiStatus(error) === 404) return false;
    throw describeApiError(error, `delete namespace ${name}`);
  }
}

async function readNamespace(kube: KubeEvidence, core: K8s.CoreV1Api, name: string): Promise<K8s.V1Namespace | undefined> {
  try {
    return await kube.call(`read namespace ${name}`, () => core.readNamespace({ name }));
  } catch (error) {
    if (apiStatus(error) === 404) return undefined;
    throw describeApiError(error, `read namespace ${name}`);
  }
}

/**
 * Turns an API refusal into an EnvironmentError a person can act on: 401 and
 * 403 mean the kubeconfig's user may not do it; anything else keeps the
 * server's own message. Other errors pass through.
 */
export function describeApiError(error: unknown, what: string): unknown {
  const status = apiStatus(error);
  if (status === undefined) return error;
  const message = apiMessage(error);
  if (status === 401) {
    return new EnvironmentError(
      'CLUSTER_UNAUTHORIZED',
      `The Kubernetes API refused "${what}": your kubeconfig's credentials are not accepted (401 Unauthorized${message ? `: ${message}` : ''}).`,
      'Check the user in your kubeconfig (`kubectl config view --minify`) and that `kubectl get namespaces` works.',
      { cause: error },
    );
  }
  if (status === 403) {
    return new EnvironmentError(
      'CLUSTER_FORBIDDEN',
      `The Kubernetes API refused "${what}": your kubeconfig's user lacks the permission (403 Forbidden${message ? `: ${message}` : ''}).`,
      `Use a kubeconfig with rights on namespaces and workloads (k3s: \`export KUBECONFIG=/etc/rancher/k3s/k3s.yaml\`), then check with \`kubectl auth can-i '*' '*' -A\`.`,
      { cause: error },
    );
  }
  return new EnvironmentError(
    'CLUSTER_API_ERROR',
    `The Kubernetes API answered "${what}" with ${status}${message ? `: ${message}` : ''}.`,
    'Run `mlops-lab doctor` and `kubectl get --raw /readyz`.',
    {
      cause: error,
    },
  );
}

/** The `message` of a metav1.Status error body, if there is one. */
export function apiMessage(error: unknown): string | undefined {
  const body = (error as { body?: unknown }).body;
  if (typeof body === 'string') {
    try {
      const parsed = JSON.parse(body) as { message?: unknown };
      return typeof parsed.message === 'string' ? parsed.message : body.slice(0, 300);
    } catch {
      return body.slice(0, 300) || undefined;
    }
  }
  if (body && typeof body === 'object' && typeof (body as { message?: unknown }).message === 'string')
    return (body as { message: string }).message;
  return undefined;
}

/**
 * The setup and cleanup hooks every Kubernetes lab spreads into its
 * manifest: setup creates the lab namespace and tells the learner its name,
 * cleanup deletes it with everything in it.
 *
 *     export default defineLab({ ..., needs: ['cluster'], ...kubeLabHooks() });
 */
export function kubeLabHooks(): { setup: (ctx: LabHookContext) => Promise<void>; cleanup: (ctx: LabHookContext) => Promise<void> } {
  return {
    async setup(ctx) {
      const name = await ensureLabNamespace(ctx);
      ctx.log(`Your namespace is ${name}. Make it kubectl's default: kubectl config set-context --current --namespace=${name}`);
    },
    async cleanup(ctx) {
      await deleteLabNamespace(ctx);
    },
  };
}
