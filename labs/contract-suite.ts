/**
 * The lab contract's steps, shared by labs/contract.test.ts (the default
 * suite: real Docker engine, Kubernetes labs against the fixture API server)
 * and labs/contract.cluster.test.ts (`npm run test:cluster`: Kubernetes labs
 * against a live cluster). Same steps everywhere; only where the cluster
 * comes from differs.
 *
 * fresh workspace from starter/ -> setup -> the checks the starter must fail
 * do fail, each with a message, expected, actual and hint -> solve -> every
 * check passes -> cleanup leaves no containers, images, namespaces or files
 * behind.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { afterAll, expect, it } from 'vitest';
import {
  AttemptResultSchema,
  DockerEvidence,
  KubeEvidence,
  applySolution,
  cleanupLab,
  createWorkspace,
  removeWorkspace,
  runLab,
  setupLab,
  workspaceId,
  type AttemptResult,
  type LoadedLab,
} from '@mlops-lab/grader';

export interface ContractOptions {
  /** The environment the grader sees (KUBECONFIG of the fixture or of the live cluster). Read when the tests run. */
  env?: () => NodeJS.ProcessEnv;
  /** How long cleanup may take to remove the lab namespace (a live cluster deletes it asynchronously). Default 120 s. */
  namespaceGoneTimeoutMs?: number;
  /** Time for the solve-and-grade step (real training runs take longer than a build from cache). Default: the suite's testTimeout. */
  solveTimeoutMs?: number;
  /** More assertions on the solved workspace's passing result (the capstone's figures and report). */
  afterSolve?: (result: AttemptResult) => Promise<void> | void;
}

/** Registers the contract's tests for one lab; call it inside a describe. */
export function labContract(lab: LoadedLab, options: ContractOptions = {}): void {
  let dir: string | undefined;
  const cleanups: (() => Promise<void>)[] = [];
  const env = (): NodeJS.ProcessEnv => options.env?.() ?? process.env;
  const usesCluster = lab.manifest.needs.includes('cluster');

  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  });

  const grade = (credit: AttemptResult['credit']): Promise<AttemptResult> =>
    runLab({ lab, workspaceDir: dir!, learner: 'contract-test', source: 'test', credit, env: env() });

  it('starts a fresh workspace from starter/', async () => {
    const parent = await mkdtemp(join(tmpdir(), 'mlops-lab-contract-'));
    cleanups.push(() => rm(parent, { recursive: true, force: true }));
    const created = await createWorkspace(lab, join(parent, 'workspace'));
    dir = created.dir;
    cleanups.push(async () => {
      await cleanupLab(lab, dir!, { env: env() });
    });
    await setupLab(lab, dir, { env: env() });
    expect(created.files.length).toBeGreaterThan(0);
  });

  it('fails the starter on the named checks, each with message, expected, actual and hint', async () => {
    const result = await grade('learner');
    expect(AttemptResultSchema.safeParse(result).success).toBe(true);
    const byId = new Map(result.checks.map((c) => [c.id, c]));
    for (const id of lab.manifest.contract.starterFails) {
      const check = byId.get(id)!;
      expect({ id, status: check.status, message: check.message }).toMatchObject({ id, status: 'fail' });
      expect(check.message.length, `${id} message`).toBeGreaterThan(20);
      expect(check.expected, `${id} expected`).toBeTruthy();
      expect(check.actual, `${id} actual`).toBeTruthy();
      expect(check.hint, `${id} hint`).toBeTruthy();
    }
    // The starter may pass or skip the other checks, but never error: an
    // error would mean the grader, not the learner, is at fault.
    expect(result.checks.filter((c) => c.status === 'error').map((c) => `${c.id}: ${c.message}`)).toEqual([]);
    expect(result.status).toBe('fail');
  });

  it('passes every check after solve', { timeout: options.solveTimeoutMs }, async () => {
    await applySolution(lab, dir!, { env: env() });
    const result = await grade('solution');
    const notPassing = result.checks.filter((c) => c.status !== 'pass').map((c) => `${c.id} ${c.status}: ${c.message} ${c.actual ?? ''}`);
    expect(notPassing).toEqual([]);
    expect(result.status).toBe('pass');
    await options.afterSolve?.(result);
  });

  it(`leaves no ${usesCluster ? 'namespace' : 'containers, images'} or files behind after cleanup`, async () => {
    const id = workspaceId(dir!);
    await cleanupLab(lab, dir!, { env: env() });
    await removeWorkspace(dir!);
    expect(existsSync(dir!)).toBe(false);
    if (lab.manifest.needs.includes('docker')) {
      const left = await new DockerEvidence().listLabelled({ 'org.mlops-lab.workspace': id });
      expect(left).toEqual({ containers: [], images: [] });
    }
    if (usesCluster) {
      // `kubectl get namespace -l org.mlops-lab.workspace=<id>`: gone (a live
      // cluster may take a while to finish deleting what was inside).
      const kube = new KubeEvidence(env());
      const core = await kube.api(k8s.CoreV1Api);
      const deadline = Date.now() + (options.namespaceGoneTimeoutMs ?? 120_000);
      let left: string[];
      do {
        const list = await kube.call('list lab namespaces', () => core.listNamespace({ labelSelector: `org.mlops-lab.workspace=${id}` }));
        left = list.items.map((ns) => `${ns.metadata?.name} (${ns.status?.phase})`);
        if (left.length === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 500));
      } while (Date.now() < deadline);
      expect(left).toEqual([]);
    }
  });
}
