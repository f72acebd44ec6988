import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixtureServer, type FixtureServer } from '@mlops-lab/cluster/fixture';
import { parseManifests, type ManifestSet } from '@mlops-lab/grader/authoring';
import {
  judgeManifestsValid,
  judgeNonRoot,
  judgePasswordFromSecret,
  judgeProbes,
  judgeResources,
  judgeScrape,
  judgeService,
} from './container-k8s.ts';

const solutionK8s = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'solution', 'k8s');

/** One manifest file's text as the set readManifests would give. */
async function setOf(files: Record<string, string>): Promise<ManifestSet> {
  const set: ManifestSet = { files: [], objects: [], problems: [] };
  for (const [file, text] of Object.entries(files)) {
    const parsed = await parseManifests(text, file);
    set.files.push(file);
    set.objects.push(...parsed.objects);
    set.problems.push(...parsed.problems);
  }
  return set;
}

async function referenceFiles(): Promise<Record<string, string>> {
  const names = (await readdir(solutionK8s)).filter((n) => n.endsWith('.yaml')).sort();
  return Object.fromEntries(await Promise.all(names.map(async (n) => [`k8s/${n}`, await readFile(join(solutionK8s, n), 'utf8')] as const)));
}

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: adult-income
spec:
  selector:
    matchLabels: { app: adult-income }
  template:
    metadata:
      labels: { app: adult-income, tier: api }
      annotations:
        prometheus.io/scrape: "true"
        prometheus.io/path: /metrics
    spec:
      securityContext:
        runAsNonRoot: true
      containers:
        - name: api
          image: adult-income:1.0.0
          ports:
            - { name: http, containerPort: 8080 }
          env:
            - name: SERVING_PASSWORD
              valueFrom:
                secretKeyRef: { name: adult-income-auth, key: SERVING_PASSWORD }
          livenessProbe:
            httpGet: { path: /health, port: http }
          readinessProbe:
            httpGet: { path: /ready, port: 8080 }
          resources:
            requests: { cpu: 250m, memory: 256Mi }
            limits: { memory: 512Mi }
`;
const SERVICE = `apiVersion: v1
kind: Service
metadata:
  name: adult-income
  labels: { app: adult-income }
spec:
  selector: { app: adult-income }
  ports:
    - { port: 80, targetPort: http }
`;
const SECRET = `apiVersion: v1
kind: Secret
metadata:
  name: adult-income-auth
stringData:
  SERVING_PASSWORD: "<set with kubectl create secret>"
`;

/** The good set, with one replacement in the Deployment (checked to apply). */
async function good(find?: string, replace?: string, extra: Record<string, string> = {}): Promise<ManifestSet> {
  let deployment = DEPLOYMENT;
  if (find !== undefined) {
    expect(deployment).toContain(find);
    deployment = deployment.replace(find, replace ?? '');
  }
  return setOf({ 'k8s/deployment.yaml': deployment, 'k8s/service.yaml': SERVICE, 'k8s/secret.yaml': SECRET, ...extra });
}

describe('the k8s/ judgements', () => {
  it('returns pass for every judgement on the reference solution’s manifests (Secret documented in k8s/README.md)', async () => {
    const set = await setOf(await referenceFiles());
    const docs = await readFile(join(solutionK8s, 'README.md'), 'utf8');
    expect(judgeManifestsValid(set)).toMatchObject({ status: 'pass' });
    for (const judge of [judgeProbes, judgeResources, judgeNonRoot, judgeService, judgeScrape]) {
      expect(judge(set), judge.name).toMatchObject({ status: 'pass' });
    }
    expect(judgePasswordFromSecret(set, docs).message).toContain('the README says how to create it');
  });

  it('returns pass for every judgement on a minimal good set with a Secret template', async () => {
    const set = await good();
    for (const judge of [judgeManifestsValid, judgeProbes, judgeResources, judgeNonRoot, judgeService, judgeScrape]) {
      expect(judge(set), judge.name).toMatchObject({ status: 'pass' });
    }
    expect(judgePasswordFromSecret(set, '').message).toContain('k8s/ keeps a template of it without the value (k8s/secret.yaml)');
  });

  it('returns fail naming file, line and field of a schema problem, and of a missing Service', async () => {
    const typo = judgeManifestsValid(await good('      containers:', '      container:'));
    expect(typo.status).toBe('fail');
    expect(typo.status === 'fail' && typo.actual).toContain('k8s/deployment.yaml:17 spec.template.spec.container');
    const noService = judgeManifestsValid(await setOf({ 'k8s/deployment.yaml': DEPLOYMENT }));
    expect(noService).toMatchObject({ status: 'fail', actual: 'Deployment/adult-income (k8s/deployment.yaml)' });
    expect(noService.message).toContain('no Service');
  });

  it('accepts a ServiceMonitor (a CRD the schemas do not know) and judges it as the scrape configuration', async () => {
    const monitor = `apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: adult-income
spec:
  selector:
    matchLabels: { app: adult-income }
  endpoints:
    - { port: http, path: /metrics }
`;
    const set = await good('        prometheus.io/scrape: "true"\n        prometheus.io/path: /metrics\n', '', {
      'k8s/servicemonitor.yaml': monitor,
    });
    expect(judgeManifestsValid(set).status).toBe('pass');
    expect(judgeScrape(set).message).toBe("servicemonitor/adult-income selects the service's Service and scrapes /metrics.");
    const wrong = await good('        prometheus.io/scrape: "true"\n        prometheus.io/path: /metrics\n', '', {
      'k8s/servicemonitor.yaml': monitor.replace('{ app: adult-income }', '{ app: other }'),
    });
    expect(judgeScrape(wrong)).toMatchObject({
      status: 'fail',
      actual: 'k8s/servicemonitor.yaml:6 spec.selector: selects no Service of k8s/',
    });
  });

  it('returns fail for probes on the wrong path, of the wrong kind, on an unknown port, or missing', async () => {
    const wrongPath = judgeProbes(await good('path: /ready', 'path: /health'));
    expect(wrongPath).toMatchObject({
      status: 'fail',
      actual: 'k8s/deployment.yaml:29 spec.template.spec.containers[0].readinessProbe.httpGet.path: /health, expected /ready',
    });
    const badPort = judgeProbes(await good('port: http }', 'port: web }'));
    expect(badPort.status === 'fail' && badPort.actual).toContain('livenessProbe.httpGet.port: web is not a port of container api');
    const missing = judgeProbes(await good('          livenessProbe:\n            httpGet: { path: /health, port: http }\n', ''));
    expect(missing.status === 'fail' && missing.actual).toContain('no livenessProbe (expected httpGet /health)');
  });

  it('returns fail for a missing request, a missing memory limit and a request above its limit', async () => {
    const outcome = judgeResources(
      await good(
        'requests: { cpu: 250m, memory: 256Mi }\n            limits: { memory: 512Mi }',
        'requests: { memory: 1Gi }\n            limits: { cpu: 1 }',
      ),
    );
    expect(outcome.status === 'fail' && outcome.actual).toBe(
      [
        'k8s/deployment.yaml:31 spec.template.spec.containers[0].resources.requests.cpu: no cpu request',
        'k8s/deployment.yaml:32 spec.template.spec.containers[0].resources.limits.memory: no memory limit',
      ].join('\n'),
    );
    const above = judgeResources(await good('limits: { memory: 512Mi }', 'limits: { memory: 128Mi }'));
    expect(above.status === 'fail' && above.actual).toContain('request 256Mi is above the limit 128Mi');
  });

  it('returns fail when runAsNonRoot is missing, overridden to false, or runAsUser is 0', async () => {
    expect(judgeNonRoot(await good('        runAsNonRoot: true\n', '        runAsUser: 10001\n'))).toMatchObject({ status: 'fail' });
    const overridden = judgeNonRoot(
      await good(
        '          image: adult-income:1.0.0',
        '          image: adult-income:1.0.0\n          securityContext: { runAsNonRoot: false }',
      ),
    );
    expect(overridden.status === 'fail' && overridden.actual).toContain(
      'containers[0].securityContext.runAsNonRoot: container api may run as root',
    );
    const zero = judgeNonRoot(await good('        runAsNonRoot: true\n', '        runAsNonRoot: true\n        runAsUser: 0\n'));
    expect(zero.status === 'fail' && zero.actual).toContain('spec.template.spec.securityContext.runAsUser: runAsUser 0 is root');
  });

  it('returns fail naming the line of a literal password in the Deployment, masked', async () => {
    const set = await good(
      '              valueFrom:\n                secretKeyRef: { name: adult-income-auth, key: SERVING_PASSWORD }',
      '              value: hunter2-but-longer',
    );
    const outcome = judgePasswordFromSecret(set, '');
    expect(outcome).toMatchObject({
      status: 'fail',
      actual: 'k8s/deployment.yaml:24 spec.template.spec.containers[0].env[0].value: SERVING_PASSWORD = hu…****',
    });
    expect(outcome.message).toContain('(k8s/deployment.yaml:24 spec.template.spec.containers[0].env[0].value)');
    expect(JSON.stringify(outcome)).not.toContain('hunter2');
  });

  it('returns fail for a Secret template that holds a real-looking password, and for one in a ConfigMap', async () => {
    const real = await setOf({
      'k8s/deployment.yaml': DEPLOYMENT,
      'k8s/service.yaml': SERVICE,
      'k8s/secret.yaml': SECRET.replace('"<set with kubectl create secret>"', 'Tr0ub4dor-3'),
    });
    expect(judgePasswordFromSecret(real, '')).toMatchObject({
      status: 'fail',
      actual:
        'k8s/secret.yaml:6 stringData.SERVING_PASSWORD: the Secret template holds a real-looking password (Tr…****); anyone with the repository reads it',
    });
    const base64 = await setOf({
      'k8s/deployment.yaml': DEPLOYMENT,
      'k8s/service.yaml': SERVICE,
      'k8s/secret.yaml': SECRET.replace(
        'stringData:\n  SERVING_PASSWORD: "<set with kubectl create secret>"',
        `data:\n  SERVING_PASSWORD: ${Buffer.from('s3cret-value').toString('base64')}`,
      ),
    });
    expect(judgePasswordFromSecret(base64, '').status).toBe('fail');
    const configMap = await good(undefined, undefined, {
      'k8s/configmap.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  SERVING_PASSWORD: letmein123\n',
    });
    expect(judgePasswordFromSecret(configMap, '')).toMatchObject({
      status: 'fail',
      actual: 'k8s/configmap.yaml:6 data.SERVING_PASSWORD: a ConfigMap holds SERVING_PASSWORD = le…****',
    });
  });

  it('returns fail when the Secret is neither in k8s/ nor created by a documented kubectl command', async () => {
    const set = await setOf({ 'k8s/deployment.yaml': DEPLOYMENT, 'k8s/service.yaml': SERVICE });
    const outcome = judgePasswordFromSecret(set, 'kubectl create secret generic something-else --from-literal=x=y');
    expect(outcome.status).toBe('fail');
    expect(outcome.message).toContain('the Secret `adult-income-auth`, but neither k8s/ nor the README says how that Secret is made');
    expect(judgePasswordFromSecret(set, 'kubectl create secret generic adult-income-auth-old --from-literal=…').status).toBe('fail');
    expect(judgePasswordFromSecret(set, 'kubectl -n capstone create secret generic adult-income-auth --from-literal=…').status).toBe(
      'pass',
    );
    expect(judgePasswordFromSecret(set, 'kubectl create secret generic adult-income-auth --from-literal=…').status).toBe('pass');
  });

  it('returns fail when SERVING_PASSWORD is missing or comes from a ConfigMap', async () => {
    const missing = judgePasswordFromSecret(await good('            - name: SERVING_PASSWORD', '            - name: SERVING_TOKEN'), '');
    expect(missing.status).toBe('fail');
    const fromConfigMap = judgePasswordFromSecret(await good('secretKeyRef:', 'configMapKeyRef:'), '');
    expect(fromConfigMap).toMatchObject({ status: 'fail', actual: 'valueFrom.configMapKeyRef' });
  });

  it('returns fail for a Service whose selector misses the pods or whose targetPort is not the container’s', async () => {
    const wrong = await setOf({
      'k8s/deployment.yaml': DEPLOYMENT,
      'k8s/service.yaml': SERVICE.replace('selector: { app: adult-income }', 'selector: { app: adult-income, tier: web }'),
    });
    expect(judgeService(wrong)).toMatchObject({
      status: 'fail',
      actual: 'k8s/service.yaml:7 spec.selector.tier: selects tier=web, the pods have app=adult-income, tier=api',
    });
    const port = await setOf({
      'k8s/deployment.yaml': DEPLOYMENT,
      'k8s/service.yaml': SERVICE.replace('targetPort: http', 'targetPort: 8000'),
    });
    expect(judgeService(port).status === 'fail' && judgeService(port)).toMatchObject({
      actual: 'k8s/service.yaml:9 spec.ports[0].targetPort: 8000 is not a port of the container',
    });
  });

  it('returns fail with no scrape configuration, a scrape annotation that is not "true", or another path', async () => {
    const none = judgeScrape(await good('        prometheus.io/scrape: "true"\n        prometheus.io/path: /metrics\n', ''));
    expect(none).toMatchObject({ status: 'fail', actual: 'no prometheus.io annotations and no ServiceMonitor or PodMonitor' });
    const off = judgeScrape(await good('prometheus.io/scrape: "true"', 'prometheus.io/scrape: "yes"'));
    expect(off.status === 'fail' && off.actual).toBe(
      'k8s/deployment.yaml:12 spec.template.metadata.annotations["prometheus.io/scrape"]: "yes" (Prometheus scrapes only "true")',
    );
    const path = judgeScrape(await good('prometheus.io/path: /metrics', 'prometheus.io/path: /stats'));
    expect(path.status === 'fail' && path.actual).toContain(
      'k8s/deployment.yaml:13 spec.template.metadata.annotations["prometheus.io/path"]: /stats',
    );
  });
});

describe('the reference manifests applied to the fixture server', () => {
  let fixture: FixtureServer;
  let dir: string;
  let kc: k8s.KubeConfig;

  beforeAll(async () => {
    fixture = await startFixtureServer({ timeScale: 60 });
    dir = await mkdtemp(join(tmpdir(), 'mlops-lab-capstone-k8s-'));
    kc = new k8s.KubeConfig();
    kc.loadFromFile(await fixture.writeKubeconfig(dir));
  });
  afterAll(async () => {
    expect(fixture.loop.errors).toEqual([]);
    await fixture.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** `kubectl -n <namespace> apply -f k8s/` (server-side apply, as the grader's apply does). */
  async function apply(namespace: string): Promise<void> {
    const client = k8s.KubernetesObjectApi.makeApiClient(kc);
    const set = await setOf(await referenceFiles());
    for (const object of set.objects) {
      const body = structuredClone(object.object);
      body.metadata.namespace = namespace;
      await client.patch(body as k8s.KubernetesObject, undefined, undefined, 'mlops-lab-test', true, k8s.PatchStrategy.ServerSideApply);
    }
  }

  async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean, ms = 20_000): Promise<T> {
    const end = Date.now() + ms;
    for (;;) {
      const value = await read();
      if (ok(value)) return value;
      if (Date.now() > end) throw new Error(`timed out; last: ${JSON.stringify(value).slice(0, 1500)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it('returns Ready pods behind the Service once the Secret is created as k8s/README.md says (fixture server)', async () => {
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const apps = kc.makeApiClient(k8s.AppsV1Api);
    const discovery = kc.makeApiClient(k8s.DiscoveryV1Api);
    await core.createNamespace({ body: { metadata: { name: 'capstone' } } });
    // kubectl -n capstone create secret generic adult-income-auth --from-literal=…
    await core.createNamespacedSecret({
      namespace: 'capstone',
      body: {
        metadata: { name: 'adult-income-auth' },
        stringData: { SERVING_USERNAME: 'mlops', SERVING_PASSWORD: 'a-password-from-openssl-rand' },
      },
    });
    await apply('capstone');
    const deployment = await until(
      () => apps.readNamespacedDeployment({ name: 'adult-income', namespace: 'capstone' }),
      (d) => d.status?.readyReplicas === 2,
    );
    expect(deployment.spec?.template.spec?.securityContext?.runAsNonRoot).toBe(true);
    const slices = await until(
      () => discovery.listNamespacedEndpointSlice({ namespace: 'capstone', labelSelector: 'kubernetes.io/service-name=adult-income' }),
      (list) => list.items.flatMap((s) => s.endpoints ?? []).filter((e) => e.conditions?.ready).length === 2,
    );
    expect(slices.items[0]!.ports?.[0]?.port).toBe(8080);
  });

  it('returns pods waiting in CreateContainerConfigError when the Secret was never created (fixture server)', async () => {
    const core = kc.makeApiClient(k8s.CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: 'capstone-no-secret' } } });
    await apply('capstone-no-secret');
    const pods = await until(
      () => core.listNamespacedPod({ namespace: 'capstone-no-secret', labelSelector: 'app.kubernetes.io/name=adult-income' }),
      (list) =>
        list.items.length === 2 &&
        list.items.every((p) => p.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'CreateContainerConfigError'),
    );
    expect(pods.items[0]!.status?.containerStatuses?.[0]?.state?.waiting?.message).toContain('adult-income-auth');
  });
});
