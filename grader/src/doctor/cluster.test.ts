import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { startFixtureServer, type FixtureServer } from '@mlops-lab/cluster/fixture';
import { LAB_SERVICES, SERVICES_NAMESPACE, learnerNamespace, provisionLearner } from '@mlops-lab/cluster/provision';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { K3S_KUBECONFIG } from '../evidence/kube.ts';
import { probeCluster } from './cluster.ts';

let dir: string;
let fixture: FixtureServer | undefined;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mlops-lab-doctor-cluster-'));
});
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
  await rm(dir, { recursive: true, force: true });
});

async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (ok(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The shared services as small workloads (the fixture "runs" any image). */
async function installServices(kc: k8s.KubeConfig): Promise<void> {
  await kc.makeApiClient(k8s.CoreV1Api).createNamespace({ body: { metadata: { name: SERVICES_NAMESPACE } } });
  const apps = kc.makeApiClient(k8s.AppsV1Api);
  for (const s of LAB_SERVICES) {
    const labels = { app: s.name };
    const template = { metadata: { labels }, spec: { containers: [{ name: s.name, image: `example/${s.name}:1` }] } };
    if (s.kind === 'Deployment')
      await apps.createNamespacedDeployment({
        namespace: SERVICES_NAMESPACE,
        body: { metadata: { name: s.name }, spec: { selector: { matchLabels: labels }, template } },
      });
    else
      await apps.createNamespacedStatefulSet({
        namespace: SERVICES_NAMESPACE,
        body: { metadata: { name: s.name }, spec: { serviceName: s.name, selector: { matchLabels: labels }, template } },
      });
  }
}

describe('probeCluster', () => {
  it.skipIf(existsSync(K3S_KUBECONFIG))('says to run cluster:up when no cluster is configured', async () => {
    const report = await probeCluster({ env: { HOME: dir, PATH: process.env.PATH } });
    expect(report).toMatchObject({ configured: false, reachable: false, ok: false });
    expect(report.next).toContain('npm run cluster:up');
    expect(report.next).toContain('k3d or Rancher Desktop');
  });

  it('says the cluster is unreachable, and how to start it, when nothing answers (a closed fixture API server)', async () => {
    const down = await startFixtureServer();
    const kubeconfig = await down.writeKubeconfig(dir);
    await down.close();
    const report = await probeCluster({ env: { KUBECONFIG: kubeconfig, HOME: dir } });
    expect(report).toMatchObject({ configured: true, reachable: false, ok: false });
    expect(report.problem).toContain('unreachable');
    expect(report.next).toMatch(/systemctl start k3s/);
  });

  it('walks a fixture API server from "services not installed" to "ready", one next command at a time', async () => {
    fixture = await startFixtureServer({ timeScale: 60 });
    const kubeconfig = await fixture.writeKubeconfig(dir);
    const env = { KUBECONFIG: kubeconfig, HOME: dir };
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(kubeconfig);
    const learner = "Ada O'Lovelace";

    const bare = await probeCluster({ env, learner });
    expect(bare).toMatchObject({ configured: true, reachable: true, supported: true, ok: false });
    expect(bare.version).toMatch(/^v1\.\d+/);
    expect(bare.problem).toContain('lab services are not installed');
    expect(bare.next).toContain('npm run cluster:up');

    await installServices(kc);
    const services = await until(
      () => probeCluster({ env, learner }),
      (r) => r.services.every((s) => s.ready),
    );
    expect(services.services.map((s) => `${s.name} ${s.ready}`)).toEqual(LAB_SERVICES.map((s) => `${s.name} true`));
    expect(services.learner).toMatchObject({ present: false, namespace: learnerNamespace(learner) });
    expect(services.next).toBe(`mlops-lab cluster provision --learner 'Ada O'\\''Lovelace'`);

    await provisionLearner(kc, { learner });
    const ready = await until(
      () => probeCluster({ env, learner }),
      (r) => r.ok,
    );
    expect(ready.learner).toMatchObject({ present: true, workspace: 'ready' });
    expect(ready.ok).toBe(true);
    expect(ready.next).toContain('mlops-lab list');
  });

  it('reports a kubeconfig without rights without throwing (fixture API server)', async () => {
    fixture = await startFixtureServer({ forbiddenTokens: ['nope'] });
    const kubeconfig = await fixture.writeKubeconfig(dir, { token: 'nope' });
    const report = await probeCluster({ env: { KUBECONFIG: kubeconfig, HOME: dir } });
    expect(report).toMatchObject({ reachable: true, ok: false });
    expect(report.problem).toMatch(/may not read namespace mlops-lab|403/);
  });
});
