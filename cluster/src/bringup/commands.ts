/**
 * `npm run cluster:up | cluster:down | cluster:status`. External programs
 * (the k3s installer, docker, k3s ctr) go through a Shell the caller gives,
 * so tests see the plan without running it; everything else is the
 * Kubernetes API with deadlines.
 */
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as k8s from '@kubernetes/client-node';
import { ClusterError } from '../provision/errors.ts';
import {
  LABEL_MANAGED_BY,
  LEARNER_CLUSTER_ROLE,
  SERVICES_NAMESPACE,
  ANNOTATION_LEARNER,
  DEFAULT_WORKSPACE_IMAGE,
} from '../provision/objects.ts';
import { applyObjects, callApi, statusOf, supportedServerVersion } from '../provision/provision.ts';
import { LAB_SERVICES } from '../provision/services.ts';
import { K3S_VERSION, type BringupArgs } from './args.ts';
import { K3S_KUBECONFIG_PATH, findKubeconfig, loadKubeconfig } from './kubeconfig.ts';
import { serviceManifests } from './manifests.ts';

/** Runs one shell command line (stdio to the terminal); resolves to its exit code. */
export type Shell = (command: string) => Promise<number>;

export interface BringupContext {
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
  shell: Shell;
  log: (line: string) => void;
  /** Milliseconds per API call (default 10 s). */
  callTimeoutMs?: number;
}

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** The real shell: `sh -c`, inheriting stdio, killed after `timeoutMs`. */
export function systemShell(timeoutMs = 15 * 60_000): Shell {
  return (command) =>
    new Promise((resolve) => {
      const child = spawn('sh', ['-c', command], { stdio: 'inherit', cwd: REPO });
      const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
      child.on('error', () => resolve(127));
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve(code ?? 1);
      });
    });
}

/** The lab images: tag and build context. */
export const LAB_IMAGES = [
  { tag: DEFAULT_WORKSPACE_IMAGE, context: '.', dockerfile: 'cluster/images/workspace/Dockerfile' },
  { tag: 'mlops-lab/mlflow:3.17.2', context: 'cluster/images/mlflow', dockerfile: 'cluster/images/mlflow/Dockerfile' },
  { tag: 'mlops-lab/server:0.1.0', context: '.', dockerfile: 'cluster/images/server/Dockerfile' },
];

/** The k3s install command: the installer script of that very release, so the script is pinned too. */
export function k3sInstallCommand(version = K3S_VERSION): string {
  const script = `https://raw.githubusercontent.com/k3s-io/k3s/${encodeURIComponent(version)}/install.sh`;
  return `curl -sfL ${script} | INSTALL_K3S_VERSION='${version}' INSTALL_K3S_EXEC='--write-kubeconfig-mode 644' sh -`;
}

/** containerd's mirror for the in-cluster registry (NodePort 30500), written before k3s starts. */
export const REGISTRIES_YAML = 'mirrors:\n  "registry.localhost":\n    endpoint:\n      - "http://127.0.0.1:30500"\n';

async function reachable(kubeconfig: string | undefined, ctx: BringupContext): Promise<k8s.KubeConfig | undefined> {
  if (!kubeconfig) return undefined;
  const kc = loadKubeconfig(kubeconfig);
  try {
    await callApi(kc, 'GET /version', () => kc.makeApiClient(k8s.VersionApi).getCode(), ctx.callTimeoutMs ?? 5_000);
    return kc;
  } catch (error) {
    if (error instanceof ClusterError && (error.code === 'CLUSTER_UNREACHABLE' || error.code === 'CLUSTER_TIMEOUT')) return undefined;
    throw error;
  }
}

async function waitFor(what: string, deadlineMs: number, check: () => Promise<string | true>, nextStep: string): Promise<void> {
  for (;;) {
    let state: string | true;
    try {
      state = await check();
    } catch (error) {
      state = error instanceof Error ? error.message : String(error);
    }
    if (state === true) return;
    if (Date.now() > deadlineMs) throw new ClusterError('WAIT_TIMEOUT', 'environment', `Timed out waiting for ${what}: ${state}`, nextStep);
    await new Promise((r) => setTimeout(r, 2_000));
  }
}

/** Brings the cluster up; returns the exit code. */
export async function up(args: BringupArgs, ctx: BringupContext): Promise<number> {
  const deadline = Date.now() + args.timeoutSeconds * 1000;
  let kubeconfig = findKubeconfig(ctx.env);
  let kc = args.dryRun && !kubeconfig ? undefined : await reachable(kubeconfig, ctx);
  let installed = false;
  if (kc) {
    ctx.log(`✓ Using the cluster in ${kubeconfig} (it answers; k3s is not installed again).`);
  } else if (args.existing) {
    throw new ClusterError(
      'CLUSTER_UNREACHABLE',
      'environment',
      kubeconfig
        ? `--existing: the cluster in ${kubeconfig} does not answer.`
        : '--existing: no kubeconfig found (KUBECONFIG, ~/.kube/config, /etc/rancher/k3s/k3s.yaml).',
      'Start it (`sudo systemctl start k3s`, `k3d cluster start`, or Rancher Desktop), or drop --existing to install k3s here (Linux).',
    );
  } else if (ctx.platform !== 'linux') {
    throw new ClusterError(
      'PLATFORM_UNSUPPORTED',
      'environment',
      `k3s runs on Linux; this is ${ctx.platform}.`,
      'Create a cluster with k3d (`k3d cluster create mlops-lab -p "80:80@loadbalancer"`) or Rancher Desktop (k3s inside), then `npm run cluster:up -- --existing` (cluster/README.md, "macOS and Windows").',
    );
  } else {
    ctx.log(`• Installing k3s ${K3S_VERSION} (asks for sudo).`);
    const commands = [
      // Only when there is none: a registries.yaml of your own is left as it is.
      `sudo mkdir -p /etc/rancher/k3s && { sudo test -e /etc/rancher/k3s/registries.yaml || printf '%s' '${REGISTRIES_YAML}' | sudo tee /etc/rancher/k3s/registries.yaml >/dev/null; }`,
      k3sInstallCommand(),
    ];
    for (const command of commands) {
      if (args.dryRun) ctx.log(`  would run: ${command}`);
      else if ((await ctx.shell(command)) !== 0) {
        throw new ClusterError(
          'K3S_INSTALL_FAILED',
          'environment',
          `The k3s installer failed: ${command}`,
          'Read its output above; the k3s docs list the requirements (https://docs.k3s.io/installation/requirements).',
        );
      }
    }
    installed = true;
    kubeconfig = ctx.env.KUBECONFIG ? ctx.env.KUBECONFIG : K3S_KUBECONFIG_PATH;
  }
  if (args.dryRun) {
    if (args.images) for (const image of LAB_IMAGES) ctx.log(`  would build ${image.tag} and import it into k3s`);
    ctx.log(
      `  would deploy ${LAB_SERVICES.map((s) => s.name).join(', ')} into namespace ${SERVICES_NAMESPACE} and wait until they are ready`,
    );
    return 0;
  }
  if (!kc) {
    ctx.log('• Waiting for the API server…');
    await waitFor(
      'the k3s API server',
      deadline,
      async () => {
        kc = await reachable(kubeconfig, ctx);
        return kc ? true : 'not answering yet';
      },
      'sudo systemctl status k3s; sudo journalctl -u k3s -e',
    );
  }
  const cluster = kc!;
  const version = await supportedServerVersion(cluster, ctx.callTimeoutMs);
  ctx.log(`✓ Kubernetes ${version}`);
  await waitFor(
    'a Ready node',
    deadline,
    async () => {
      const nodes = await callApi(cluster, 'list nodes', () => cluster.makeApiClient(k8s.CoreV1Api).listNode(), ctx.callTimeoutMs);
      return (
        nodes.items.some((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) || 'no node is Ready yet'
      );
    },
    'kubectl get nodes; kubectl describe node',
  );
  ctx.log('✓ A node is Ready');

  if (args.images) {
    const isK3s = installed || version.includes('+k3s');
    for (const image of LAB_IMAGES) {
      const build = `docker build -t ${image.tag} -f ${image.dockerfile} ${image.context}`;
      const load = isK3s
        ? `docker save ${image.tag} | sudo k3s ctr images import -`
        : `echo 'load ${image.tag} into your cluster (k3d image import ${image.tag} -c mlops-lab)'`;
      ctx.log(`• Building ${image.tag}`);
      for (const command of [build, load]) {
        if ((await ctx.shell(command)) !== 0) {
          throw new ClusterError(
            'IMAGE_BUILD_FAILED',
            'environment',
            `This failed: ${command}`,
            'Check Docker runs (`docker info`), then run `npm run cluster:up` again; `--no-images` skips this step.',
          );
        }
      }
    }
  }

  await ensureCredentials(cluster, ctx);
  const outcomes = await applyObjects(cluster, await serviceManifests(), { callTimeoutMs: ctx.callTimeoutMs });
  const changed = outcomes.filter((o) => o.action !== 'unchanged');
  ctx.log(`✓ Lab services applied (${changed.length} of ${outcomes.length} objects changed)`);
  ctx.log('• Waiting for the lab services to be ready…');
  await waitFor(
    'the lab services',
    deadline,
    async () => {
      const states = await serviceStates(cluster, ctx);
      const waiting = states.filter((s) => !s.ready);
      return waiting.length === 0 || waiting.map((s) => `${s.name} ${s.detail}`).join(', ');
    },
    `kubectl -n ${SERVICES_NAMESPACE} get pods; kubectl -n ${SERVICES_NAMESPACE} describe pod <the one not Running>`,
  );
  ctx.log('✓ MLflow http://mlflow.localhost · MinIO http://minio.localhost · Prometheus http://prometheus.localhost');
  ctx.log('  Alertmanager http://alertmanager.localhost · Grafana http://grafana.localhost · registry http://registry.localhost');
  ctx.log(`next: mlops-lab cluster provision --learner "$USER"   then   mlops-lab doctor`);
  return 0;
}

/** The Secret the services read their passwords from; random values, made once, never printed. */
async function ensureCredentials(kc: k8s.KubeConfig, ctx: BringupContext): Promise<void> {
  const core = kc.makeApiClient(k8s.CoreV1Api);
  try {
    await callApi(kc, `get namespace ${SERVICES_NAMESPACE}`, () => core.readNamespace({ name: SERVICES_NAMESPACE }), ctx.callTimeoutMs);
  } catch (error) {
    if (statusOf(error) !== 404) throw error;
    await applyObjects(
      kc,
      (await serviceManifests()).filter((o) => o.kind === 'Namespace'),
      { callTimeoutMs: ctx.callTimeoutMs },
    );
  }
  try {
    await callApi(
      kc,
      'get secret lab-credentials',
      () => core.readNamespacedSecret({ name: 'lab-credentials', namespace: SERVICES_NAMESPACE }),
      ctx.callTimeoutMs,
    );
    return;
  } catch (error) {
    if (statusOf(error) !== 404) throw error;
  }
  const secret = (): string => randomBytes(18).toString('base64url');
  await callApi(kc, 'create secret lab-credentials', () =>
    core.createNamespacedSecret({
      namespace: SERVICES_NAMESPACE,
      body: {
        metadata: { name: 'lab-credentials', labels: { [LABEL_MANAGED_BY]: 'mlops-lab' } },
        stringData: {
          'postgres-password': secret(),
          'minio-root-user': 'mlops-lab',
          'minio-root-password': secret(),
          'grafana-admin-password': secret(),
        },
      },
    }),
  );
  ctx.log(
    `✓ Created the Secret lab-credentials (read a value: kubectl -n ${SERVICES_NAMESPACE} get secret lab-credentials -o jsonpath='{.data.grafana-admin-password}' | base64 -d)`,
  );
}

export interface ServiceState {
  name: string;
  ready: boolean;
  detail: string;
}

async function serviceStates(kc: k8s.KubeConfig, ctx: BringupContext): Promise<ServiceState[]> {
  const list = await callApi(
    kc,
    `list deployments in ${SERVICES_NAMESPACE}`,
    () => kc.makeApiClient(k8s.AppsV1Api).listNamespacedDeployment({ namespace: SERVICES_NAMESPACE }),
    ctx.callTimeoutMs,
  );
  return LAB_SERVICES.map((s) => {
    const d = list.items.find((i) => i.metadata?.name === s.name);
    const want = d?.spec?.replicas ?? 1;
    const ready = d?.status?.readyReplicas ?? 0;
    return { name: s.name, ready: Boolean(d) && ready >= want, detail: d ? `${ready}/${want} ready` : 'missing' };
  });
}

/** Prints the cluster's state; 0 when everything is ready, 3 otherwise. */
export async function status(args: BringupArgs, ctx: BringupContext): Promise<number> {
  const kubeconfig = findKubeconfig(ctx.env);
  const report: {
    kubeconfig?: string;
    reachable: boolean;
    version?: string;
    services: ServiceState[];
    learners: { name: string; namespace: string; phase: string }[];
    next: string;
  } = { reachable: false, services: [], learners: [], next: '' };
  if (kubeconfig) report.kubeconfig = kubeconfig;
  const kc = await reachable(kubeconfig, ctx);
  if (!kc) {
    report.next = kubeconfig ? 'sudo systemctl start k3s   (or npm run cluster:up)' : 'npm run cluster:up';
  } else {
    report.reachable = true;
    report.version = await supportedServerVersion(kc, ctx.callTimeoutMs);
    report.services = await serviceStates(kc, ctx);
    const namespaces = await callApi(kc, 'list learner namespaces', () =>
      kc.makeApiClient(k8s.CoreV1Api).listNamespace({ labelSelector: `${LABEL_MANAGED_BY}=mlops-lab,mlops-lab.org/learner-id` }),
    );
    report.learners = namespaces.items.map((n) => ({
      name: n.metadata?.annotations?.[ANNOTATION_LEARNER] ?? '?',
      namespace: n.metadata?.name ?? '?',
      phase: n.status?.phase ?? 'Unknown',
    }));
    const waiting = report.services.filter((s) => !s.ready);
    report.next =
      waiting.length > 0
        ? waiting.length === report.services.length
          ? 'npm run cluster:up'
          : `kubectl -n ${SERVICES_NAMESPACE} get pods`
        : report.learners.length === 0
          ? 'mlops-lab cluster provision --learner "$USER"'
          : 'mlops-lab doctor';
  }
  const ok = report.reachable && report.services.every((s) => s.ready);
  if (args.json) {
    ctx.log(JSON.stringify({ ok, ...report }, null, 2));
  } else {
    ctx.log(
      report.reachable
        ? `✓ cluster ${report.version} via ${report.kubeconfig}`
        : `✗ no cluster answers${report.kubeconfig ? ` (kubeconfig ${report.kubeconfig})` : ''}`,
    );
    for (const s of report.services) ctx.log(`${s.ready ? '✓' : '○'} ${s.name.padEnd(13)} ${s.detail}`);
    for (const l of report.learners) ctx.log(`  learner "${l.name}" → ${l.namespace} (${l.phase})`);
    ctx.log(`next: ${report.next}`);
  }
  return ok ? 0 : 3;
}

/** Takes the lab services (and with flags, learners and k3s) down. */
export async function down(args: BringupArgs, ctx: BringupContext): Promise<number> {
  const kubeconfig = findKubeconfig(ctx.env);
  const kc = await reachable(kubeconfig, ctx);
  if (kc) {
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const targets = [SERVICES_NAMESPACE];
    if (args.learners) {
      const learners = await callApi(kc, 'list learner namespaces', () =>
        core.listNamespace({ labelSelector: `${LABEL_MANAGED_BY}=mlops-lab,mlops-lab.org/learner-id` }),
      );
      targets.push(...learners.items.map((n) => n.metadata!.name!));
    }
    for (const name of targets) {
      if (args.dryRun) {
        ctx.log(`would delete namespace ${name}`);
        continue;
      }
      try {
        await callApi(kc, `delete namespace ${name}`, () => core.deleteNamespace({ name }), ctx.callTimeoutMs);
        ctx.log(`✓ deleting namespace ${name}`);
      } catch (error) {
        if (statusOf(error) !== 404) throw error;
      }
    }
    if (args.learners) {
      if (args.dryRun) ctx.log(`would delete clusterrole ${LEARNER_CLUSTER_ROLE}`);
      else {
        try {
          await callApi(kc, `delete clusterrole ${LEARNER_CLUSTER_ROLE}`, () =>
            kc.makeApiClient(k8s.RbacAuthorizationV1Api).deleteClusterRole({ name: LEARNER_CLUSTER_ROLE }),
          );
        } catch (error) {
          if (statusOf(error) !== 404) throw error;
        }
      }
    }
  } else if (!args.uninstallK3s) {
    ctx.log('No cluster answers: nothing to delete.');
  }
  if (args.uninstallK3s) {
    const command = 'sudo /usr/local/bin/k3s-uninstall.sh';
    if (args.dryRun) ctx.log(`would run: ${command}`);
    else if ((await ctx.shell(command)) !== 0) {
      throw new ClusterError(
        'K3S_UNINSTALL_FAILED',
        'environment',
        `This failed: ${command}`,
        'Is k3s installed here (`ls /usr/local/bin/k3s*`)? k3d: `k3d cluster delete mlops-lab`.',
      );
    }
  }
  return 0;
}
