/**
 * The live-cluster branch of ingress-answers-health-check, exercised without
 * a cluster: the fixture API server plays the API (its node's fixture mark
 * removed, Traefik's address moved to 127.0.0.1) and a local HTTP server on
 * port 80 plays Traefik. Skipped, with the reason, where port 80 cannot be
 * bound.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixtureServer, type FixtureServer } from '@mlops-lab/cluster/fixture';
import { applySolution, cleanupLab, createWorkspace, findLab, runLab, setupLab, type CheckResult } from '@mlops-lab/grader';

const HOST = 'model-api.127.0.0.1.sslip.io';

async function canBindPort80(): Promise<boolean> {
  return await new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(80, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

const port80 = await canBindPort80();

describe.skipIf(!port80)(
  'ingress-answers-health-check on a live cluster (fixture API server, a local server on 127.0.0.1:80 as Traefik)',
  () => {
    let fixture: FixtureServer;
    let folder: string;
    let env: NodeJS.ProcessEnv;
    let dir: string;
    let traefik: Server | undefined;
    let answer: (host: string | undefined, path: string | undefined) => { status: number; body: string } = () => ({
      status: 200,
      body: '{"status": "ok"}',
    });
    const seen: { host?: string; path?: string }[] = [];

    beforeAll(async () => {
      fixture = await startFixtureServer({ timeScale: 30 });
      folder = await mkdtemp(join(tmpdir(), 'mlops-lab-live-http-'));
      env = { ...process.env, KUBECONFIG: await fixture.writeKubeconfig(folder) };
      const kc = new k8s.KubeConfig();
      kc.loadFromFile(env.KUBECONFIG!);
      const core = kc.makeApiClient(k8s.CoreV1Api);
      // Look like a live cluster: no fixture mark on the node, Traefik published on 127.0.0.1.
      const node = (await core.listNode()).items[0]!;
      delete node.metadata!.annotations!['org.mlops-lab.fixture'];
      await core.replaceNode({ name: node.metadata!.name!, body: node });
      const service = await core.readNamespacedService({ name: 'traefik', namespace: 'kube-system' });
      await core.replaceNamespacedServiceStatus({
        name: 'traefik',
        namespace: 'kube-system',
        body: { ...service, status: { loadBalancer: { ingress: [{ ip: '127.0.0.1' }] } } },
      });

      const lab = await findLab('kubernetes/04-service-and-ingress');
      dir = (await createWorkspace(lab, join(folder, 'workspace'))).dir;
      await setupLab(lab, dir, { env });
      await applySolution(lab, dir, { env });
    });

    afterAll(async () => {
      if (traefik) await new Promise<void>((resolve) => traefik!.close(() => resolve()));
      const lab = await findLab('kubernetes/04-service-and-ingress');
      if (dir) await cleanupLab(lab, dir, { env });
      await fixture?.close();
      if (folder) await rm(folder, { recursive: true, force: true });
    });

    async function grade(): Promise<CheckResult> {
      const lab = await findLab('kubernetes/04-service-and-ingress');
      const result = await runLab({ lab, workspaceDir: dir, learner: 'test', source: 'test', credit: 'learner', env });
      return result.checks.find((c) => c.id === 'ingress-answers-health-check')!;
    }

    it('fails with the connection error and a curl --resolve hint when nothing listens', async () => {
      const check = await grade();
      expect(check.status).toBe('fail');
      expect(check.message).toContain(`Nothing answered at 127.0.0.1:80 for http://${HOST}/health`);
      expect(check.hint).toContain(`curl -i --resolve ${HOST}:80:127.0.0.1 http://${HOST}/health`);
    });

    it('passes when GET /health with the Ingress host answers 200 {"status": "ok"}', async () => {
      traefik = createServer((req, res) => {
        seen.push({ host: req.headers.host, path: req.url });
        const { status, body } = answer(req.headers.host, req.url);
        res.writeHead(status, { 'content-type': 'application/json' }).end(body);
      });
      await new Promise<void>((resolve) => traefik!.listen(80, '127.0.0.1', resolve));
      const check = await grade();
      expect(check.status).toBe('pass');
      expect(check.message).toContain(`GET http://${HOST}/health via 127.0.0.1 answered 200`);
      expect(seen.at(-1)).toEqual({ host: HOST, path: '/health' });
    });

    it('fails with Traefik’s 404 and what it means when no route matches', async () => {
      answer = () => ({ status: 404, body: '404 page not found' });
      const check = await grade();
      expect(check.status).toBe('fail');
      expect(check.message).toContain('answered 404');
      expect(check.actual).toContain('404 page not found');
    });
  },
);
