/**
 * What `mlops-lab doctor` says about the Kubernetes cluster: configured or
 * not, reachable, its version and whether the labs support it, the shared
 * lab services ready, the learner's namespace and workspace pod, and the
 * one command to run next. Never throws: every failure is a finding.
 */
import { isEnvironmentCode, MlopsLabError } from '../errors.ts';
import { KubeEvidence, apiStatus, kubeconfigSource, loadKubernetesClient } from '../evidence/kube.ts';
import { currentLearner } from '../learner.ts';

export interface ClusterServiceStatus {
  name: string;
  role: string;
  ready: boolean;
  detail: string;
}

export interface ClusterReport {
  /** A kubeconfig was found (KUBECONFIG, ~/.kube/config or k3s's). */
  configured: boolean;
  /** Where the kubeconfig came from. */
  kubeconfig?: string;
  reachable: boolean;
  /** The server's version, e.g. `v1.31.4+k3s1`. */
  version?: string;
  /** The version is one the labs support (1.28 or newer). */
  supported?: boolean;
  /** The shared lab services in the `mlops-lab` namespace; empty when not looked at. */
  services: ClusterServiceStatus[];
  learner?: { name: string; namespace: string; present: boolean; workspace: 'ready' | 'not ready' | 'missing' | 'unknown'; detail: string };
  /** True when everything above is in place. */
  ok: boolean;
  /** What is wrong, in one sentence (absent when ok). */
  problem?: string;
  /** The one command to run next. */
  next: string;
}

export interface ClusterProbeOptions {
  env?: NodeJS.ProcessEnv;
  /** The learner whose namespace to look for. Default: MLOPS_LAB_LEARNER or the OS user. */
  learner?: string;
  /** Milliseconds per API call (default 3000). */
  timeoutMs?: number;
}

const SETUP_DOC = 'cluster/README.md';

/** Looks at the cluster the way `kubectl version`, `kubectl -n mlops-lab get deploy,sts` and `kubectl get ns <learner ns>` would. */
export async function probeCluster(options: ClusterProbeOptions = {}): Promise<ClusterReport> {
  const env = options.env ?? process.env;
  const timeoutMs = options.timeoutMs ?? 3_000;
  const source = kubeconfigSource(env);
  if (!source) {
    return {
      configured: false,
      reachable: false,
      services: [],
      ok: false,
      problem: 'No Kubernetes cluster is configured (no KUBECONFIG, ~/.kube/config or /etc/rancher/k3s/k3s.yaml).',
      next: `npm run cluster:up   (Linux: installs k3s; macOS/Windows: k3d or Rancher Desktop, see ${SETUP_DOC})`,
    };
  }
  const base = { configured: true, kubeconfig: source.path, services: [] as ClusterServiceStatus[] };
  const kube = new KubeEvidence(env);
  let version: string;
  try {
    version = await kube.serverVersion(timeoutMs);
  } catch (error) {
    return {
      ...base,
      reachable: false,
      ok: false,
      problem: messageOf(error),
      next: nextOf(error) ?? 'sudo systemctl start k3s   (or npm run cluster:up)',
    };
  }
  const p = await import('@mlops-lab/cluster/provision');
  const parsed = p.parseVersion(version);
  const [major, minor] = p.MIN_KUBERNETES;
  const supported = Boolean(parsed && (parsed[0] > major || (parsed[0] === major && parsed[1] >= minor)));
  if (!supported) {
    return {
      ...base,
      reachable: true,
      version,
      supported,
      ok: false,
      problem: `Kubernetes ${version} is older than ${major}.${minor}, the oldest the labs support.`,
      next: 'npm run cluster:up   (installs the pinned k3s), or point KUBECONFIG at a newer cluster',
    };
  }

  const k8s = await loadKubernetesClient();
  const kc = await kube.config();
  const apps = kc.makeApiClient(k8s.AppsV1Api);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const services: ClusterServiceStatus[] = [];
  let servicesProblem: string | undefined;
  try {
    const [deployments, statefulSets] = await Promise.all([
      kube.call('list deployments in mlops-lab', () => apps.listNamespacedDeployment({ namespace: p.SERVICES_NAMESPACE }), timeoutMs),
      kube.call('list statefulsets in mlops-lab', () => apps.listNamespacedStatefulSet({ namespace: p.SERVICES_NAMESPACE }), timeoutMs),
    ]);
    for (const service of p.LAB_SERVICES) {
      const items: { metadata?: { name?: string }; spec?: { replicas?: number }; status?: { readyReplicas?: number } }[] =
        service.kind === 'Deployment' ? deployments.items : statefulSets.items;
      const found = items.find((w) => w.metadata?.name === service.name);
      const want = found?.spec?.replicas ?? 1;
      const ready = found?.status?.readyReplicas ?? 0;
      services.push({
        name: service.name,
        role: service.role,
        ready: Boolean(found) && ready >= want && want > 0,
        detail: found ? `${ready}/${want} ready` : `no ${service.kind} ${service.name} in namespace ${p.SERVICES_NAMESPACE}`,
      });
    }
  } catch (error) {
    servicesProblem = apiStatus(error) === 403 ? `Your kubeconfig may not read namespace ${p.SERVICES_NAMESPACE} (403).` : messageOf(error);
  }

  const learnerName = options.learner ?? currentLearner(env);
  let learner: ClusterReport['learner'];
  try {
    const namespace = p.learnerNamespace(learnerName);
    learner = await learnerStatus(kube, core, learnerName, namespace, timeoutMs);
  } catch (error) {
    learner = { name: learnerName, namespace: '', present: false, workspace: 'unknown', detail: messageOf(error) };
  }

  const report: ClusterReport = { ...base, reachable: true, version, supported, services, learner, ok: false, next: '' };
  const notReady = services.filter((s) => !s.ready);
  if (servicesProblem) {
    report.problem = servicesProblem;
    report.next = `kubectl -n ${p.SERVICES_NAMESPACE} get deploy,sts   (needs a cluster admin kubeconfig)`;
  } else if (notReady.length === services.length) {
    report.problem = `The lab services are not installed (namespace ${p.SERVICES_NAMESPACE}).`;
    report.next = 'npm run cluster:up   (installs them on the cluster your kubeconfig points at)';
  } else if (notReady.length > 0) {
    report.problem = `Not ready: ${notReady.map((s) => `${s.name} (${s.detail})`).join(', ')}.`;
    report.next = `kubectl -n ${p.SERVICES_NAMESPACE} get pods   (then kubectl -n ${p.SERVICES_NAMESPACE} describe pod <name> for the one that is not Running)`;
  } else if (!learner.present) {
    report.problem = learner.namespace ? `No namespace ${learner.namespace} for learner "${learnerName}".` : learner.detail;
    report.next = `mlops-lab cluster provision --learner ${shellQuote(learnerName)}`;
  } else if (learner.workspace !== 'ready') {
    report.problem = `The workspace pod of "${learnerName}" is ${learner.workspace}: ${learner.detail}.`;
    report.next =
      learner.workspace === 'missing'
        ? `mlops-lab cluster provision --learner ${shellQuote(learnerName)}`
        : `kubectl -n ${learner.namespace} describe pod workspace`;
  } else {
    report.ok = true;
    report.next = 'mlops-lab list   (the cluster is ready for the Kubernetes labs)';
  }
  return report;
}

async function learnerStatus(
  kube: KubeEvidence,
  core: import('@kubernetes/client-node').CoreV1Api,
  name: string,
  namespace: string,
  timeoutMs: number,
): Promise<NonNullable<ClusterReport['learner']>> {
  try {
    await kube.call(`get namespace ${namespace}`, () => core.readNamespace({ name: namespace }), timeoutMs);
  } catch (error) {
    if (apiStatus(error) === 404) return { name, namespace, present: false, workspace: 'missing', detail: 'namespace not found' };
    throw error;
  }
  try {
    const pod = await kube.call(
      `get pod workspace in ${namespace}`,
      () => core.readNamespacedPod({ name: 'workspace', namespace }),
      timeoutMs,
    );
    const ready = pod.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
    const waiting = pod.status?.containerStatuses?.[0]?.state?.waiting?.reason;
    return {
      name,
      namespace,
      present: true,
      workspace: ready ? 'ready' : 'not ready',
      detail: ready ? 'Running' : (waiting ?? pod.status?.phase ?? 'Pending'),
    };
  } catch (error) {
    if (apiStatus(error) === 404) return { name, namespace, present: true, workspace: 'missing', detail: 'no pod workspace' };
    throw error;
  }
}

function messageOf(error: unknown): string {
  if (error instanceof MlopsLabError) return error.message;
  const status = apiStatus(error);
  if (status === 403) return 'Your kubeconfig is not allowed to read this (403 Forbidden).';
  if (status === 401) return "The cluster did not accept your kubeconfig's credentials (401 Unauthorized).";
  return error instanceof Error ? error.message.split('\n')[0]! : String(error);
}

function nextOf(error: unknown): string | undefined {
  return error instanceof MlopsLabError && (isEnvironmentCode(error.code) || error.kind === 'environment') ? error.nextStep : undefined;
}

/** A learner name as one shell word. */
function shellQuote(value: string): string {
  return /^[A-Za-z0-9@%+=:,./_-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
