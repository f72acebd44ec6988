/**
 * The namespace hooks, applyManifests and waitFor, against the Kubernetes
 * API fixture server (cluster/src/fixture) through @kubernetes/client-node.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { startFixtureServer, type FixtureServer } from '@mlops-lab/cluster/fixture';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EnvironmentError } from '../../errors.ts';
import type { LabHookContext } from '../../lab/context.ts';
import { KubeEvidence } from '../kube.ts';
import { applyManifests, waitFor, type KubeObject } from './apply.ts';
import { deleteLabNamespace, ensureLabNamespace, kubeLabHooks, labNamespace } from './namespace.ts';

let dir: string;
let fixture: FixtureServer;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mlops-lab-kube-lab-'));
  fixture = await startFixtureServer({ timeScale: 30, tokens: ['admin-token'], forbiddenTokens: ['viewer-token'] });
});

afterEach(async () => {
  expect(fixture.loop.errors).toEqual([]);
  await fixture.close();
  await rm(dir, { recursive: true, force: true });
});

async function context(token = 'admin-token'): Promise<LabHookContext & { lines: string[] }> {
  const kubeconfig = await fixture.writeKubeconfig(join(dir, token), { token });
  const lines: string[] = [];
  return {
    kube: new KubeEvidence({ ...process.env, KUBECONFIG: kubeconfig }),
    lab: { id: 'kubernetes/01-deploy-model-api', version: '1.0.0' },
    workspace: { dir, id: 'a1b2c3d4e5f6' },
    signal: new AbortController().signal,
    log: (line: string) => lines.push(line),
    lines,
  } as unknown as LabHookContext & { lines: string[] };
}

const deployment = (replicas: number, namespace?: string): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'model-api', ...(namespace ? { namespace } : {}) },
  spec: {
    replicas,
    selector: { matchLabels: { app: 'model-api' } },
    template: {
      metadata: { labels: { app: 'model-api' } },
      spec: { containers: [{ name: 'model-api', image: 'mlops-lab/model-api:1.0.0' }] },
    },
  },
});

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
}

describe('labNamespace', () => {
  it('returns mlops-lab-<workspace id>, a valid DNS label', () => {
    expect(labNamespace({ workspace: { id: 'a1b2c3d4e5f6' } })).toBe('mlops-lab-a1b2c3d4e5f6');
  });
});

describe('kubeLabHooks (fixture API server)', () => {
  it('creates the namespace labelled with workspace and lab on setup, tells its name, and deletes it on cleanup', async () => {
    const ctx = await context();
    const hooks = kubeLabHooks();
    await hooks.setup(ctx);
    const core = await ctx.kube.api(k8s.CoreV1Api);
    const ns = await core.readNamespace({ name: 'mlops-lab-a1b2c3d4e5f6' });
    expect(ns.metadata?.labels).toMatchObject({ 'org.mlops-lab.workspace': 'a1b2c3d4e5f6', 'org.mlops-lab.lab': '01-deploy-model-api' });
    expect(ctx.lines.at(-1)).toBe(
      "Your namespace is mlops-lab-a1b2c3d4e5f6. Make it kubectl's default: kubectl config set-context --current --namespace=mlops-lab-a1b2c3d4e5f6",
    );
    await hooks.setup(ctx); // a second start keeps it
    await hooks.cleanup(ctx);
    await waitFor(
      ctx,
      'namespace gone',
      () => core.listNamespace({ labelSelector: 'org.mlops-lab.workspace=a1b2c3d4e5f6' }),
      (l) => l.items.length === 0,
      { timeoutMs: 5_000 },
    );
    expect(await deleteLabNamespace(ctx)).toBe(false);
  });

  it('waits for a namespace still terminating from an earlier run, then creates it again', async () => {
    const ctx = await context();
    await ensureLabNamespace(ctx);
    await applyManifests(ctx, [deployment(2)]);
    // A finalizer holds the namespace in Terminating, as a slow controller would on a real cluster.
    const core = await ctx.kube.api(k8s.CoreV1Api);
    const namespace = labNamespace(ctx);
    await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'held', finalizers: ['example.com/hold'] } } });
    await deleteLabNamespace(ctx);
    await waitFor(
      ctx,
      'the deployment to go',
      () => ctx.kube.api(k8s.AppsV1Api).then((a) => a.listNamespacedDeployment({ namespace })),
      (l) => l.items.length === 0,
      { timeoutMs: 5_000 },
    );
    expect((await core.readNamespace({ name: namespace })).status?.phase).toBe('Terminating');
    const ensured = ensureLabNamespace(ctx);
    await new Promise((resolve) => setTimeout(resolve, 700));
    await core.patchNamespacedConfigMap({ name: 'held', namespace, body: [{ op: 'remove', path: '/metadata/finalizers' }] });
    await ensured;
    const fresh = await core.readNamespace({ name: labNamespace(ctx) });
    expect(fresh.status?.phase).toBe('Active');
    expect((await (await ctx.kube.api(k8s.AppsV1Api)).listNamespacedDeployment({ namespace: labNamespace(ctx) })).items).toEqual([]);
  });

  it('errors with CLUSTER_UNAUTHORIZED for a token the API server refuses (401), naming kubectl config view', async () => {
    const error = await rejection(ensureLabNamespace(await context('stolen-token')));
    expect(error).toBeInstanceOf(EnvironmentError);
    expect(error).toMatchObject({ code: 'CLUSTER_UNAUTHORIZED' });
    expect((error as EnvironmentError).nextStep).toContain('kubectl config view --minify');
  });

  it('errors with CLUSTER_FORBIDDEN for a user without rights (403), naming kubectl auth can-i', async () => {
    const error = await rejection(ensureLabNamespace(await context('viewer-token')));
    expect(error).toMatchObject({ code: 'CLUSTER_FORBIDDEN' });
    expect((error as EnvironmentError).message).toContain('403 Forbidden');
    expect((error as EnvironmentError).nextStep).toContain('kubectl auth can-i');
  });
});

describe('applyManifests (fixture API server)', () => {
  it('creates objects in the lab namespace, whatever namespace the manifest names, then updates them like kubectl apply', async () => {
    const ctx = await context();
    await ensureLabNamespace(ctx);
    const [created] = await applyManifests(ctx, [deployment(2, 'default')]);
    expect(created?.metadata?.namespace).toBe(labNamespace(ctx));
    expect(created?.metadata?.generation).toBe(1);
    const [updated] = await applyManifests(ctx, [deployment(3)]);
    expect((updated as k8s.V1Deployment).spec?.replicas).toBe(3);
    expect(updated?.metadata?.generation).toBe(2);
    expect(updated?.metadata?.uid).toBe(created?.metadata?.uid);
    expect(
      fixture.requests.filter((r) => r.startsWith('PATCH')).every((r) => r.includes('fieldManager=mlops-lab') && r.includes('force=true')),
    ).toBe(true);
  });

  it('errors with KIND_NOT_SERVED for a kind the cluster does not serve', async () => {
    const ctx = await context();
    await ensureLabNamespace(ctx);
    const error = await rejection(applyManifests(ctx, [{ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } }]));
    expect(error).toBeInstanceOf(Error);
    expect(String((error as Error).message)).toMatch(/Widget/);
  });

  it('errors with the API server message for an object it refuses (422)', async () => {
    const ctx = await context();
    await ensureLabNamespace(ctx);
    const bad = deployment(2);
    (bad.spec as { selector: unknown }).selector = { matchLabels: { app: 'other' } };
    const error = await rejection(applyManifests(ctx, [bad]));
    expect(error).toMatchObject({ code: 'CLUSTER_API_ERROR' });
    expect((error as Error).message).toContain('`selector` does not match template `labels`');
  });
});

describe('waitFor', () => {
  it('returns the value once the predicate holds', async () => {
    let n = 0;
    expect(
      await waitFor(
        {},
        'n to reach 3',
        async () => ++n,
        (v) => v >= 3,
        { intervalMs: 5 },
      ),
    ).toBe(3);
  });

  it('errors with WAIT_TIMEOUT, what was awaited and the last state, within the timeout', async () => {
    const started = Date.now();
    const error = await rejection(
      waitFor(
        {},
        'the rollout',
        async () => 'stuck at 1/2',
        () => false,
        { timeoutMs: 300, intervalMs: 50, describe: (v) => v },
      ),
    );
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(error).toMatchObject({ code: 'WAIT_TIMEOUT' });
    expect((error as Error).message).toBe('Gave up waiting for the rollout after 0 s. Last seen: stuck at 1/2.');
  });
});
