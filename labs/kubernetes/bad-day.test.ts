/**
 * Kubernetes labs on a bad day, against the Kubernetes API fixture server:
 * a cluster that is down, a kubeconfig the cluster refuses, a user without
 * rights, and hostile manifests give clear `error` or `fail` results, fast.
 * (The hold-out submissions of each lab are in its holdout.test.ts.)
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFixtureServer, type FixtureServer } from '@mlops-lab/cluster/fixture';
import {
  applySolution,
  cleanupLab,
  createWorkspace,
  findLab,
  runLab,
  setupLab,
  type AttemptResult,
  type CheckStatus,
} from '@mlops-lab/grader';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const LAB_IDS = { '01': 'kubernetes/01-deploy-model-api', '02': 'kubernetes/02-probes' } as const;

let fixture: FixtureServer;
let folder: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  fixture = await startFixtureServer({ timeScale: 30, tokens: ['admin-token'], forbiddenTokens: ['viewer-token'] });
  folder = await mkdtemp(join(tmpdir(), 'mlops-lab-bad-day-'));
  env = { ...process.env, KUBECONFIG: await fixture.writeKubeconfig(join(folder, 'admin'), { token: 'admin-token' }) };
});

afterAll(async () => {
  expect(fixture.loop.errors).toEqual([]);
  await fixture.close();
  await rm(folder, { recursive: true, force: true });
});

function statuses(result: AttemptResult): Record<string, CheckStatus> {
  return Object.fromEntries(result.checks.map((c) => [c.id, c.status]));
}

describe('Kubernetes labs on a bad day (fixture API server)', () => {
  it('errors fast with CLUSTER_UNREACHABLE and next steps when the cluster is down, on start and on check', async () => {
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port: p } = server.address() as { port: number };
        server.close(() => resolve(p));
      });
    });
    const down = { ...process.env, KUBECONFIG: await fixture.writeKubeconfig(join(folder, 'down'), { token: 'admin-token' }) };
    // Same kubeconfig, dead server address.
    await writeFile(down.KUBECONFIG!, (await readFile(down.KUBECONFIG!, 'utf8')).replace(/server: .*/, `server: http://127.0.0.1:${port}`));
    const lab = await findLab(LAB_IDS['01']);
    const { dir } = await createWorkspace(lab, join(folder, 'down-ws'));
    const started = Date.now();
    await expect(setupLab(lab, dir, { env: down })).rejects.toMatchObject({ code: 'CLUSTER_UNREACHABLE' });
    const result = await runLab({ lab, workspaceDir: dir, learner: 'bad-day', source: 'test', credit: 'learner', env: down });
    expect(Date.now() - started).toBeLessThan(15_000);
    const applied = result.checks.find((c) => c.id === 'deployment-is-applied')!;
    expect(applied.status).toBe('error');
    expect(applied.message).toContain(`127.0.0.1:${port}`);
    expect(applied.hint).toContain('mlops-lab doctor');
    // The manifest checks do not need the cluster and still judge the starter.
    expect(statuses(result)['deployment-has-two-or-more-replicas']).toBe('fail');
  });

  it('errors on a 10 MB manifest and fails a YAML bomb with its file and line, without hanging; cluster checks are skipped', async () => {
    const lab = await findLab(LAB_IDS['01']);
    const { dir } = await createWorkspace(lab, join(folder, 'hostile-ws'));
    await writeFile(join(dir, 'k8s', 'huge.yaml'), `# ${'x'.repeat(10 * 1024 * 1024)}\n`);
    const started = Date.now();
    const huge = await runLab({ lab, workspaceDir: dir, learner: 'bad-day', source: 'test', credit: 'learner', env });
    const valid = huge.checks.find((c) => c.id === 'manifests-are-valid')!;
    expect(valid).toMatchObject({ status: 'error' });
    expect(valid.message).toContain('k8s/huge.yaml is 10 MiB');
    expect(statuses(huge)['deployment-is-applied']).toBe('skip');
    await rm(join(dir, 'k8s', 'huge.yaml'));
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x]',
      ...Array.from({ length: 8 }, (_, i) => `${'bcdefghi'[i]}: &${'bcdefghi'[i]} [${Array(9).fill(`*${'abcdefgh'[i]}`).join(', ')}]`),
    ];
    await writeFile(join(dir, 'k8s', 'bomb.yaml'), `${bomb.join('\n')}\n`);
    const bombed = await runLab({ lab, workspaceDir: dir, learner: 'bad-day', source: 'test', credit: 'learner', env });
    const check = bombed.checks.find((c) => c.id === 'manifests-are-valid')!;
    expect(check.status).toBe('fail');
    expect(check.actual).toMatch(/^k8s\/bomb\.yaml:1 uses YAML aliases too often/);
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('errors with CLUSTER_UNAUTHORIZED when the kubeconfig token is refused (401)', async () => {
    const lab = await findLab(LAB_IDS['01']);
    const refused = { ...process.env, KUBECONFIG: await fixture.writeKubeconfig(join(folder, 'refused'), { token: 'expired-token' }) };
    const { dir } = await createWorkspace(lab, join(folder, 'refused-ws'));
    await expect(setupLab(lab, dir, { env: refused })).rejects.toMatchObject({ code: 'CLUSTER_UNAUTHORIZED' });
    const result = await runLab({ lab, workspaceDir: dir, learner: 'bad-day', source: 'test', credit: 'learner', env: refused });
    const applied = result.checks.find((c) => c.id === 'deployment-is-applied')!;
    expect(applied.status).toBe('error');
    expect(`${applied.message} ${applied.hint ?? ''}`).toMatch(/401|Unauthorized/);
  });

  it('errors with CLUSTER_FORBIDDEN when the user may not read the namespace (403)', async () => {
    const lab = await findLab(LAB_IDS['02']);
    const { dir } = await createWorkspace(lab, join(folder, 'forbidden-ws'));
    await setupLab(lab, dir, { env });
    try {
      await applySolution(lab, dir, { env });
      const viewer = { ...process.env, KUBECONFIG: await fixture.writeKubeconfig(join(folder, 'viewer'), { token: 'viewer-token' }) };
      const result = await runLab({ lab, workspaceDir: dir, learner: 'bad-day', source: 'test', credit: 'learner', env: viewer });
      const applied = result.checks.find((c) => c.id === 'deployment-is-applied')!;
      expect(applied).toMatchObject({ status: 'error' });
      expect(applied.message).toContain('403 Forbidden');
      expect(applied.hint).toContain('kubectl auth can-i');
      expect(statuses(result)['readiness-probe-targets-health-endpoint']).toBe('pass');
    } finally {
      await cleanupLab(lab, dir, { env });
    }
  });
});
