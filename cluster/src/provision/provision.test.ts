import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { fixturePerTest } from '../fixture/test-support.ts';
import { validateObjects, formatProblems } from '../validate.ts';
import { learnerNamespace } from './names.ts';
import { LEARNER_CLUSTER_ROLE, learnerObjects } from './objects.ts';
import { callApi, deprovisionLearner, provisionLearner, statusOf } from './provision.ts';

const ADA = 'Ada Lovelace';
const GRACE = 'Grace Hopper';

async function rejection(promise: Promise<unknown>): Promise<{ code: string; kind: string; message: string; nextStep: string }> {
  return promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (error: unknown) => error as { code: string; kind: string; message: string; nextStep: string },
  );
}

describe('learnerObjects', () => {
  it('builds objects that validate against the Kubernetes schemas', async () => {
    const problems = await validateObjects(learnerObjects({ learner: ADA }));
    expect(formatProblems(problems)).toBe('');
  });

  it('isolates the learner: restricted Pod Security, a RoleBinding (never a ClusterRoleBinding), quotas, default deny', () => {
    const objects = learnerObjects({ learner: ADA });
    const ns = learnerNamespace(ADA);
    const kinds = objects.map((o) => `${o.kind}/${o.metadata.name}`);
    expect(kinds).toEqual([
      `ClusterRole/${LEARNER_CLUSTER_ROLE}`,
      `Namespace/${ns}`,
      'ServiceAccount/workspace',
      'RoleBinding/learner',
      'ResourceQuota/compute',
      'ResourceQuota/objects',
      'LimitRange/defaults',
      'NetworkPolicy/default-deny',
      'NetworkPolicy/allow-dns',
      'NetworkPolicy/allow-same-namespace',
      'NetworkPolicy/allow-from-traefik',
      'NetworkPolicy/allow-from-grader',
      'NetworkPolicy/allow-to-lab-services',
      'NetworkPolicy/allow-to-api-server',
      'PersistentVolumeClaim/workspace',
      'Pod/workspace',
    ]);
    const namespace = objects[1]!;
    expect(namespace.metadata.labels).toMatchObject({ 'pod-security.kubernetes.io/enforce': 'restricted' });
    expect(namespace.metadata.annotations).toEqual({ 'mlops-lab.org/learner': ADA });
    for (const o of objects.slice(2)) expect(o.metadata.namespace).toBe(ns);
    const quota = objects.find((o) => o.metadata.name === 'objects') as { spec: { hard: Record<string, string> } } | undefined;
    expect(quota?.spec.hard).toMatchObject({ 'services.nodeports': '0', 'services.loadbalancers': '0' });
    const deny = objects.find((o) => o.metadata.name === 'default-deny') as unknown as { spec: unknown };
    expect(deny.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
  });

  it('gives the learner role no escalate, bind, impersonate, namespace patch, PersistentVolumes or nodes', () => {
    const role = learnerObjects({ learner: ADA })[0] as unknown as {
      rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[];
    };
    const verbs = role.rules.flatMap((r) => r.verbs);
    const resources = role.rules.flatMap((r) => r.resources);
    for (const v of ['escalate', 'bind', 'impersonate', '*']) expect(verbs).not.toContain(v);
    for (const r of ['persistentvolumes', 'nodes', 'nodes/proxy', 'roles', 'rolebindings', 'clusterroles', 'serviceaccounts/token', '*'])
      expect(resources).not.toContain(r);
    const nsRule = role.rules.find((r) => r.resources.includes('namespaces'));
    expect(nsRule?.verbs).toEqual(['get']);
  });

  it('runs the workspace non-root, without capabilities, with RuntimeDefault seccomp and a PVC', () => {
    const workspace = learnerObjects({ learner: ADA }).at(-1) as unknown as {
      metadata: { name: string };
      spec: {
        securityContext: Record<string, unknown>;
        containers: { name: string; securityContext: Record<string, unknown> }[];
        volumes: unknown[];
      };
    };
    // The lab server's terminal execs into pod `workspace`, container `workspace`.
    expect(workspace.metadata.name).toBe('workspace');
    expect(workspace.spec.containers[0]!.name).toBe('workspace');
    const pod = workspace.spec;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.containers[0]!.securityContext).toMatchObject({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(pod.volumes).toContainEqual({ name: 'home', persistentVolumeClaim: { claimName: 'workspace' } });
  });
});

describe('option and API errors', () => {
  it('refuses a bad image, volume size or CIDR before contacting a cluster', () => {
    const code = (options: Partial<Parameters<typeof learnerObjects>[0]>): string => {
      try {
        learnerObjects({ learner: ADA, ...options });
        return 'none';
      } catch (error) {
        return `${(error as { code: string }).code} ${(error as { kind: string }).kind}`;
      }
    };
    expect(code({ image: 'my image; rm -rf /' })).toBe('IMAGE_INVALID usage');
    expect(code({ storage: 'lots' })).toBe('STORAGE_INVALID usage');
    expect(code({ storage: '11Gi' })).toBe('STORAGE_INVALID usage');
    expect(code({ apiServerCidr: 'everywhere' })).toBe('CIDR_INVALID usage');
    expect(code({ image: 'registry.localhost:5000/mlops-lab/workspace:0.2.0', storage: '512Mi', apiServerCidr: '192.168.1.10/32' })).toBe(
      'none',
    );
  });

  it("turns an API refusal other than 404/409 into CLUSTER_API_ERROR with the API server's words", async () => {
    const kc = new k8s.KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'c', server: 'http://127.0.0.1:1' }],
      users: [{ name: 'u' }],
      contexts: [{ name: 'c', cluster: 'c', user: 'u' }],
      currentContext: 'c',
    });
    const body = JSON.stringify({ kind: 'Status', message: 'Pod "workspace" is invalid: spec.containers[0].image: Required value' });
    const error = await rejection(
      callApi(kc, 'create Pod x/workspace', () => Promise.reject(new k8s.ApiException(422, 'Unprocessable', body, {}))),
    );
    expect(error.code).toBe('CLUSTER_API_ERROR');
    expect(error.message).toBe(
      'The Kubernetes API refused "create Pod x/workspace" (422): Pod "workspace" is invalid: spec.containers[0].image: Required value',
    );
    const unserved = await rejection(
      callApi(kc, 'create NetworkPolicy x/default-deny', () =>
        Promise.reject(new Error('Unrecognized API version and kind: networking.k8s.io/v1 NetworkPolicy')),
      ),
    );
    expect(unserved.code).toBe('KIND_NOT_SERVED');
    expect(unserved.message).toContain('does not serve networking.k8s.io/v1 NetworkPolicy');
    const notFound = await callApi(kc, 'get', () => Promise.reject(new k8s.ApiException(404, 'NotFound', '{}', {}))).catch(
      (e: unknown) => e,
    );
    expect(statusOf(notFound)).toBe(404);
  });
});

describe('provisionLearner on the fixture API server', () => {
  const server = fixturePerTest();

  async function canI(learner: string, verb: string, resource: string, namespace?: string, group = ''): Promise<boolean> {
    const ns = learnerNamespace(learner);
    const review = await server.api(k8s.AuthorizationV1Api).createSubjectAccessReview({
      body: {
        spec: {
          user: `system:serviceaccount:${ns}:workspace`,
          groups: ['system:serviceaccounts', `system:serviceaccounts:${ns}`, 'system:authenticated'],
          resourceAttributes: { verb, resource, group, ...(namespace ? { namespace } : {}) },
        },
      },
    });
    return review.status?.allowed === true;
  }

  it('creates every object, then changes nothing when run again', async () => {
    const first = await provisionLearner(server.kc, { learner: ADA });
    expect(first.namespace).toBe(learnerNamespace(ADA));
    expect(first.serverVersion).toMatch(/^v1\./);
    expect(first.objects.map((o) => o.action)).toEqual(first.objects.map(() => 'created'));
    const core = server.api(k8s.CoreV1Api);
    const ns = await core.readNamespace({ name: first.namespace });
    expect(ns.metadata?.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
    const policies = await server.api(k8s.NetworkingV1Api).listNamespacedNetworkPolicy({ namespace: first.namespace });
    expect(policies.items.map((p) => p.metadata?.name).sort()).toContain('default-deny');
    // `from` survives client-node's models (they call it `_from`).
    const traefik = policies.items.find((p) => p.metadata?.name === 'allow-from-traefik');
    expect(traefik?.spec?.ingress?.[0]?._from?.[0]?.namespaceSelector?.matchLabels).toEqual({
      'kubernetes.io/metadata.name': 'kube-system',
    });
    const crbs = await server.api(k8s.RbacAuthorizationV1Api).listClusterRoleBinding();
    expect(crbs.items.some((b) => b.subjects?.some((s) => s.namespace === first.namespace))).toBe(false);

    const again = await provisionLearner(server.kc, { learner: ADA });
    expect(again.objects.filter((o) => o.action !== 'unchanged')).toEqual([]);
  });

  it('repairs drift: a deleted policy comes back, a loosened quota is put back', async () => {
    const { namespace } = await provisionLearner(server.kc, { learner: ADA });
    await server.api(k8s.NetworkingV1Api).deleteNamespacedNetworkPolicy({ name: 'default-deny', namespace });
    await server
      .api(k8s.CoreV1Api)
      .patchNamespacedResourceQuota(
        { name: 'objects', namespace, body: { spec: { hard: { 'services.nodeports': '5' } } } },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
      );
    const repaired = await provisionLearner(server.kc, { learner: ADA });
    const changed = repaired.objects.filter((o) => o.action !== 'unchanged').map((o) => `${o.action} ${o.kind}/${o.name}`);
    expect(changed).toEqual(['configured ResourceQuota/objects', 'created NetworkPolicy/default-deny']);
    const quota = await server.api(k8s.CoreV1Api).readNamespacedResourceQuota({ name: 'objects', namespace });
    expect(quota.spec?.hard?.['services.nodeports']).toBe('0');
  });

  it('replaces the workspace pod when its spec changes (a pod is immutable), keeping the volume', async () => {
    await provisionLearner(server.kc, { learner: ADA, image: 'mlops-lab/workspace:0.1.0' });
    const again = await provisionLearner(server.kc, { learner: ADA, image: 'mlops-lab/workspace:0.2.0' }, { callTimeoutMs: 10_000 });
    expect(again.objects.filter((o) => o.action !== 'unchanged').map((o) => `${o.action} ${o.kind}/${o.name}`)).toEqual([
      'replaced Pod/workspace',
    ]);
    const pod = await server.api(k8s.CoreV1Api).readNamespacedPod({ name: 'workspace', namespace: again.namespace });
    expect(pod.spec?.containers[0]?.image).toBe('mlops-lab/workspace:0.2.0');
  });

  it("keeps learners apart: A's ServiceAccount may work in A's namespace and not in B's (can-i matrix)", async () => {
    await provisionLearner(server.kc, { learner: ADA });
    await provisionLearner(server.kc, { learner: GRACE });
    const a = learnerNamespace(ADA);
    const b = learnerNamespace(GRACE);
    const matrix: [string, string, string | undefined, string, boolean][] = [
      ['create', 'deployments', a, 'apps', true],
      ['get', 'pods', a, '', true],
      ['create', 'pods/exec', a, '', true],
      ['get', 'pods', b, '', false],
      ['list', 'secrets', b, '', false],
      ['create', 'deployments', b, 'apps', false],
      ['patch', 'namespaces', a, '', false],
      ['create', 'rolebindings', a, 'rbac.authorization.k8s.io', false],
      ['escalate', 'roles', a, 'rbac.authorization.k8s.io', false],
      ['bind', 'clusterroles', undefined, 'rbac.authorization.k8s.io', false],
      ['impersonate', 'serviceaccounts', a, '', false],
      ['create', 'networkpolicies', a, 'networking.k8s.io', false],
      ['delete', 'resourcequotas', a, '', false],
      ['list', 'persistentvolumes', undefined, '', false],
      ['get', 'nodes', undefined, '', false],
      ['list', 'namespaces', undefined, '', false],
    ];
    const answers: boolean[] = [];
    for (const [verb, resource, ns, group] of matrix) answers.push(await canI(ADA, verb, resource, ns, group));
    expect(matrix.map(([v, r, ns], i) => `${v} ${r} in ${ns ?? 'cluster'}: ${answers[i]}`)).toEqual(
      matrix.map(([v, r, ns, , want]) => `${v} ${r} in ${ns ?? 'cluster'}: ${want}`),
    );
  });

  it('tears down: the namespace and everything in it go, the other learner and the shared role stay', async () => {
    await provisionLearner(server.kc, { learner: ADA });
    await provisionLearner(server.kc, { learner: GRACE });
    const gone = await deprovisionLearner(server.kc, ADA, { deleteTimeoutMs: 20_000 });
    expect(gone.objects).toEqual([{ kind: 'Namespace', name: learnerNamespace(ADA), action: 'deleted' }]);
    const core = server.api(k8s.CoreV1Api);
    const names = (await core.listNamespace()).items.map((n) => n.metadata?.name);
    expect(names).not.toContain(learnerNamespace(ADA));
    expect(names).toContain(learnerNamespace(GRACE));
    expect((await core.listNamespacedServiceAccount({ namespace: learnerNamespace(ADA) })).items).toEqual([]);
    await server.api(k8s.RbacAuthorizationV1Api).readClusterRole({ name: LEARNER_CLUSTER_ROLE });
    const again = await deprovisionLearner(server.kc, ADA);
    expect(again.objects[0]!.action).toBe('absent');
  });

  it('leaves a namespace it did not make alone', async () => {
    const ns = learnerNamespace(ADA);
    await server.api(k8s.CoreV1Api).createNamespace({ body: { metadata: { name: ns } } });
    const error = await rejection(provisionLearner(server.kc, { learner: ADA }));
    expect(error.code).toBe('NAMESPACE_NOT_OURS');
    expect(error.nextStep).toContain(`kubectl get namespace ${ns}`);
    expect((await rejection(deprovisionLearner(server.kc, ADA))).code).toBe('NAMESPACE_NOT_OURS');
  });

  it('errors with CLUSTER_FORBIDDEN for a kubeconfig without rights', async () => {
    await server.start({ forbiddenTokens: ['no-rights'] });
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(await server.fixture.writeKubeconfig(server.dir, { token: 'no-rights' }));
    const error = await rejection(provisionLearner(kc, { learner: ADA }));
    expect(error).toMatchObject({ code: 'CLUSTER_FORBIDDEN', kind: 'environment' });
    expect(error.nextStep).toContain('KUBECONFIG=/etc/rancher/k3s/k3s.yaml');
  });
});

describe('provisionLearner against a cluster that is not there or too old', () => {
  async function kubeconfigFor(url: string, dir: string, token = 't'): Promise<k8s.KubeConfig> {
    const file = join(dir, 'kubeconfig.yaml');
    await writeFile(
      file,
      `apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: ${url}\n    insecure-skip-tls-verify: true\nusers:\n- name: u\n  user:\n    token: ${token}\ncontexts:\n- name: c\n  context:\n    cluster: c\n    user: u\ncurrent-context: c\n`,
    );
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(file);
    return kc;
  }
  const server = fixturePerTest({ lazy: true });

  it('errors with CLUSTER_UNREACHABLE when nothing listens', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const error = await rejection(provisionLearner(await kubeconfigFor(`http://127.0.0.1:${port}`, server.dir), { learner: ADA }));
    expect(error).toMatchObject({ code: 'CLUSTER_UNREACHABLE', kind: 'environment' });
    expect(error.nextStep).toContain('cluster:up');
  });

  it('errors with CLUSTER_TIMEOUT when the API hangs, and with CLUSTER_VERSION_UNSUPPORTED on an old cluster', async () => {
    const sockets = new Set<import('node:net').Socket>();
    const api = createServer((req, res) => {
      if (req.url?.startsWith('/version') && req.headers.authorization === 'Bearer old') {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ major: '1', minor: '24', gitVersion: 'v1.24.17+k3s1' }));
      }
      // otherwise: never answer
    });
    api.on('connection', (s) => sockets.add(s));
    await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
    try {
      const hanging = await rejection(provisionLearner(await kubeconfigFor(url, server.dir), { learner: ADA }, { callTimeoutMs: 500 }));
      expect(hanging.code).toBe('CLUSTER_TIMEOUT');
      const kc = await kubeconfigFor(url, server.dir, 'old');
      const old = await rejection(provisionLearner(kc, { learner: ADA }, { callTimeoutMs: 2000 }));
      expect(old.code).toBe('CLUSTER_VERSION_UNSUPPORTED');
      expect(old.message).toContain('v1.24.17+k3s1');
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => api.close(() => r()));
    }
  });
});
