/**
 * Cluster tier (`npm run test:cluster`): learner isolation on a live k3s
 * (cluster/README.md, "The test:cluster suite"). Two throwaway learners are
 * provisioned, then, acting with learner A's real ServiceAccount token:
 * the can-i matrix (A may work in A's namespace, not in B's, and not
 * around the isolation), a privileged pod is refused by Pod Security
 * Admission, an exceeded quota and a LimitRange refuse objects, and a pod
 * in A cannot reach a pod in B while a pod in B can (default deny,
 * enforced by k3s's network policy controller). Both learners are
 * deprovisioned afterwards, whatever happened. Needs the cluster to pull
 * busybox:1.36 (internet or a mirror).
 */
import { randomBytes } from 'node:crypto';
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithTool, toolGate } from '../../../grader/test-support/tools.ts';
import { findKubeconfig, loadKubeconfig } from '../bringup/kubeconfig.ts';
import { learnerNamespace } from './names.ts';
import { deprovisionLearner, provisionLearner, statusOf } from './provision.ts';

const cluster = await toolGate('a Kubernetes cluster', async () => {
  const path = findKubeconfig(process.env);
  if (!path)
    return {
      available: false,
      reason: 'no KUBECONFIG, ~/.kube/config or /etc/rancher/k3s/k3s.yaml',
      hint: 'run `npm run cluster:up` (cluster/README.md)',
    };
  try {
    const kc = loadKubeconfig(path);
    const version = await kc.makeApiClient(k8s.VersionApi).getCode();
    return { available: true, detail: `${version.gitVersion} via ${path}` };
  } catch (error) {
    return {
      available: false,
      reason: (error as Error).message,
      hint: 'start the cluster: `sudo systemctl start k3s`, then `npm run cluster:status`',
    };
  }
});

const suffix = randomBytes(3).toString('hex');
const A = `Isolation Test A ${suffix}`;
const B = `Isolation Test B ${suffix}`;
const nsA = learnerNamespace(A);
const nsB = learnerNamespace(B);
const BUSYBOX = 'busybox:1.36';

/** A pod that passes Pod Security `restricted`. */
function restrictedPod(name: string, command: string[], labels: Record<string, string> = {}): k8s.V1Pod {
  return {
    metadata: { name, labels },
    spec: {
      restartPolicy: 'Never',
      securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [
        {
          name: 'main',
          image: BUSYBOX,
          command,
          resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { cpu: '100m', memory: '32Mi' } },
          securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
        },
      ],
    },
  };
}

async function waitPod(
  core: k8s.CoreV1Api,
  namespace: string,
  name: string,
  done: (p: k8s.V1Pod) => boolean,
  ms = 180_000,
): Promise<k8s.V1Pod> {
  const end = Date.now() + ms;
  for (;;) {
    const pod = await core.readNamespacedPod({ name, namespace });
    if (done(pod)) return pod;
    if (Date.now() > end)
      throw new Error(`pod ${namespace}/${name} is ${pod.status?.phase}: ${JSON.stringify(pod.status?.containerStatuses?.[0]?.state)}`);
    await new Promise((r) => setTimeout(r, 1_000));
  }
}

describeWithTool(cluster, 'learner isolation on a live cluster', () => {
  let admin: k8s.KubeConfig;
  let asA: k8s.KubeConfig;

  beforeAll(async () => {
    admin = loadKubeconfig(findKubeconfig(process.env)!);
    await provisionLearner(admin, { learner: A });
    await provisionLearner(admin, { learner: B });
    // A's real identity: a short-lived token of A's ServiceAccount (what `kubectl` in A's workspace uses).
    const token = await admin.makeApiClient(k8s.CoreV1Api).createNamespacedServiceAccountToken({
      name: 'workspace',
      namespace: nsA,
      body: { spec: { expirationSeconds: 3600 } },
    });
    asA = new k8s.KubeConfig();
    const current = admin.getCurrentCluster()!;
    asA.loadFromOptions({
      clusters: [{ ...current }],
      users: [{ name: 'learner-a', token: token.status!.token }],
      contexts: [{ name: 'a', cluster: current.name, user: 'learner-a', namespace: nsA }],
      currentContext: 'a',
    });
  });

  afterAll(async () => {
    for (const learner of [A, B])
      await deprovisionLearner(admin, learner).catch((error: unknown) => console.warn(`cleanup of ${learner}: ${String(error)}`));
  });

  it("answers the can-i matrix: A works in A's namespace only, and cannot undo its isolation", async () => {
    const authz = asA.makeApiClient(k8s.AuthorizationV1Api);
    const matrix: [string, string, string, string | undefined, boolean][] = [
      ['create', 'apps', 'deployments', nsA, true],
      ['create', '', 'pods/exec', nsA, true],
      ['get', '', 'pods', nsB, false],
      ['list', '', 'secrets', nsB, false],
      ['create', 'apps', 'deployments', nsB, false],
      ['patch', '', 'namespaces', undefined, false],
      ['create', 'rbac.authorization.k8s.io', 'rolebindings', nsA, false],
      ['escalate', 'rbac.authorization.k8s.io', 'roles', nsA, false],
      ['bind', 'rbac.authorization.k8s.io', 'clusterroles', undefined, false],
      ['impersonate', '', 'serviceaccounts', nsA, false],
      ['delete', 'networking.k8s.io', 'networkpolicies', nsA, false],
      ['update', '', 'resourcequotas', nsA, false],
      ['list', '', 'persistentvolumes', undefined, false],
      ['get', '', 'nodes/proxy', undefined, false],
    ];
    const got: string[] = [];
    for (const [verb, group, resource, namespace] of matrix) {
      const [res, sub] = resource.split('/');
      const review = await authz.createSelfSubjectAccessReview({
        body: {
          spec: {
            resourceAttributes: { verb, group, resource: res, ...(sub ? { subresource: sub } : {}), ...(namespace ? { namespace } : {}) },
          },
        },
      });
      got.push(`${verb} ${resource} in ${namespace ?? 'cluster'}: ${review.status?.allowed === true}`);
    }
    expect(got).toEqual(matrix.map(([verb, , resource, namespace, want]) => `${verb} ${resource} in ${namespace ?? 'cluster'}: ${want}`));
    // And for real, not only on paper:
    const error = await asA
      .makeApiClient(k8s.CoreV1Api)
      .listNamespacedPod({ namespace: nsB })
      .catch((e: unknown) => e);
    expect(statusOf(error)).toBe(403);
  });

  it('refuses a privileged pod (Pod Security Admission, restricted)', async () => {
    const pod = restrictedPod('privileged', ['sleep', '1']);
    pod.spec!.containers[0]!.securityContext = { privileged: true };
    const error = (await asA
      .makeApiClient(k8s.CoreV1Api)
      .createNamespacedPod({ namespace: nsA, body: pod, dryRun: 'All' })
      .catch((e: unknown) => e)) as {
      body?: string;
    };
    expect(statusOf(error)).toBe(403);
    expect(String(error.body)).toContain('violates PodSecurity "restricted:latest"');
    // The same pod written for `restricted` is accepted.
    await asA
      .makeApiClient(k8s.CoreV1Api)
      .createNamespacedPod({ namespace: nsA, body: restrictedPod('fine', ['sleep', '1']), dryRun: 'All' });
  });

  it('refuses a NodePort (quota 0) and a container above the LimitRange maximum', async () => {
    const core = asA.makeApiClient(k8s.CoreV1Api);
    const nodePort = await core
      .createNamespacedService({
        namespace: nsA,
        body: { metadata: { name: 'open' }, spec: { type: 'NodePort', ports: [{ port: 80 }], selector: { a: 'b' } } },
      })
      .catch((e: unknown) => e as { body?: string });
    expect(statusOf(nodePort)).toBe(403);
    expect(String((nodePort as { body?: string }).body)).toContain('exceeded quota');
    const big = restrictedPod('big', ['sleep', '1']);
    big.spec!.containers[0]!.resources = { requests: { cpu: '3', memory: '16Mi' }, limits: { cpu: '3', memory: '32Mi' } };
    const tooBig = await core.createNamespacedPod({ namespace: nsA, body: big }).catch((e: unknown) => e as { body?: string });
    expect(statusOf(tooBig)).toBe(403);
    expect(String((tooBig as { body?: string }).body)).toMatch(/maximum cpu usage per Container is 2|exceeded quota/);
  });

  it("blocks traffic from A's namespace to B's (default deny) while B reaches itself", async () => {
    const core = admin.makeApiClient(k8s.CoreV1Api);
    await core.createNamespacedPod({
      namespace: nsB,
      body: restrictedPod('web', ['sh', '-c', 'mkdir -p /tmp/www && echo ok > /tmp/www/index.html && httpd -f -p 8080 -h /tmp/www'], {
        app: 'web',
      }),
    });
    const web = await waitPod(core, nsB, 'web', (p) => Boolean(p.status?.podIP) && p.status?.phase === 'Running');
    const probe = `wget -T 5 -qO- http://${web.status!.podIP}:8080/`;
    await core.createNamespacedPod({ namespace: nsB, body: restrictedPod('from-b', ['sh', '-c', probe]) });
    await core.createNamespacedPod({ namespace: nsA, body: restrictedPod('from-a', ['sh', '-c', probe]) });
    const finished = (p: k8s.V1Pod): boolean => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';
    expect((await waitPod(core, nsB, 'from-b', finished)).status?.phase).toBe('Succeeded');
    expect((await waitPod(core, nsA, 'from-a', finished)).status?.phase).toBe('Failed');
  });
});
