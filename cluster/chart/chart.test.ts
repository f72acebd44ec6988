/**
 * The Helm chart, rendered by a real `helm` (built by
 * cluster/scripts/setup-helm.sh) and every rendered object validated
 * against the Kubernetes schemas, the way CI proves the chart installs.
 */
import { execFile } from 'node:child_process';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { expect, it } from 'vitest';
import { describeWithTool, probeProgram, toolGate } from '../../grader/test-support/tools.ts';
import { formatProblems, validateObjects } from '../src/validate.ts';

const CHART = dirname(fileURLToPath(import.meta.url));
/**
 * The Kubernetes version rendered for: the k3s release `cluster:up` pins.
 * Explicit, because a Helm built with plain `go install` (no Makefile
 * ldflags) assumes Kubernetes v1.20 and the chart needs 1.28 or newer.
 */
const KUBE_VERSION = '1.31.4';
const helm = await toolGate('helm', probeProgram('helm'), {
  hint: 'run `bash cluster/scripts/setup-helm.sh` (builds Helm v3.22.0 from the Go module proxy into .venv/bin; needs Go)',
});

interface Rendered {
  kind: string;
  apiVersion: string;
  metadata: { name: string; namespace?: string };
  spec?: Record<string, unknown>;
}

function runHelm(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(
      helm.detail ?? 'helm',
      args,
      {
        timeout: 60_000,
        maxBuffer: 8 << 20,
        env: { ...process.env, HELM_CACHE_HOME: '/tmp/mlops-lab-helm-cache', HELM_CONFIG_HOME: '/tmp/mlops-lab-helm-config' },
      },
      (error, stdout, stderr) => done({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

async function render(...set: string[]): Promise<Rendered[]> {
  const { code, stdout, stderr } = await runHelm([
    'template',
    'lab',
    CHART,
    '--kube-version',
    KUBE_VERSION,
    '--namespace',
    'mlops-lab-system',
    ...set.flatMap((s) => ['--set', s]),
  ]);
  expect(stderr, stderr).toBe('');
  expect(code).toBe(0);
  return parseAllDocuments(stdout)
    .map((d) => d.toJS() as Rendered | null)
    .filter((o): o is Rendered => o !== null);
}

describeWithTool(helm, 'the mlops-lab Helm chart', () => {
  it('passes `helm lint --strict`', async () => {
    const { code, stdout, stderr } = await runHelm(['lint', '--strict', '--kube-version', KUBE_VERSION, CHART]);
    expect(`${stdout}${stderr}`).not.toContain('[ERROR]');
    expect(code, stdout + stderr).toBe(0);
  });

  it('renders the server, its store, Service, Ingress and RBAC, all valid against the Kubernetes schemas', async () => {
    const objects = await render();
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'ClusterRole/lab-mlops-lab',
      'ClusterRoleBinding/lab-mlops-lab',
      'Deployment/lab-mlops-lab',
      'Ingress/lab-mlops-lab',
      'PersistentVolumeClaim/lab-mlops-lab-store',
      'Service/lab-mlops-lab',
      'ServiceAccount/lab-mlops-lab',
    ]);
    expect(formatProblems(await validateObjects(objects))).toBe('');
    const role = objects.find((o) => o.kind === 'ClusterRole') as unknown as { rules: { resources: string[]; verbs: string[] }[] };
    expect(role.rules.find((r) => r.resources.includes('pods/exec'))?.verbs).toContain('create');
    expect(role.rules.flatMap((r) => r.resources)).not.toContain('secrets');
    const deployment = objects.find((o) => o.kind === 'Deployment') as unknown as {
      spec: {
        replicas: number;
        template: {
          metadata: { labels: Record<string, string> };
          spec: { securityContext: Record<string, unknown>; containers: { securityContext: Record<string, unknown> }[] };
        };
      };
    };
    expect(deployment.spec.replicas).toBe(1);
    // Learner NetworkPolicies admit the grader by this label (see cluster/src/provision/objects.ts).
    expect(deployment.spec.template.metadata.labels['app.kubernetes.io/name']).toBe('mlops-lab');
    expect(deployment.spec.template.spec.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(deployment.spec.template.spec.containers[0]!.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
    });
  });

  it('renders valid objects with the ingress off, TLS on, or a storage class', async () => {
    const off = await render('ingress.enabled=false');
    expect(off.map((o) => o.kind)).not.toContain('Ingress');
    const tls = await render(
      'ingress.host=labs.example.org',
      'ingress.tls[0].secretName=labs-tls',
      'ingress.tls[0].hosts[0]=labs.example.org',
      'store.storageClassName=fast',
    );
    expect(formatProblems(await validateObjects([...off, ...tls]))).toBe('');
    expect(tls.find((o) => o.kind === 'Ingress')?.spec).toMatchObject({ tls: [{ secretName: 'labs-tls', hosts: ['labs.example.org'] }] });
  });

  it('refuses several replicas on the file store, the database store that does not exist yet, and a wrong terminal backend', async () => {
    const cases: [string, RegExp][] = [
      ['replicaCount=3', /replicaCount is 3, but store.kind=file .* use replicaCount=1/],
      ['store.kind=database', /the lab server has no database store yet/],
      ['store.kind=redis', /store.kind is "redis"/],
      ['terminalBackend=ssh', /terminalBackend is "ssh"/],
    ];
    for (const [set, message] of cases) {
      const { code, stderr } = await runHelm(['template', 'lab', CHART, '--kube-version', KUBE_VERSION, '--set', set]);
      expect(code, set).not.toBe(0);
      expect(stderr, set).toMatch(message);
    }
  });

  it('refuses a cluster older than Kubernetes 1.28', async () => {
    const { code, stderr } = await runHelm(['template', 'lab', CHART, '--kube-version', '1.27.0']);
    expect(code).not.toBe(0);
    expect(stderr).toContain('kubeVersion');
  });
});
