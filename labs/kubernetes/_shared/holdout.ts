/**
 * The hold-out habit for Kubernetes labs: learner submissions kept as
 * fixtures (good ones and subtly broken ones), each applied to the fixture
 * API server the way a learner applies it (`kubectl apply -f k8s/`, plus the
 * commands the submission's scenario names), then graded. A test states the
 * verdict a senior reviewer gives each check, and the words the failing
 * check must use.
 */
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as K8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixtureServer, type FixtureServer } from '@mlops-lab/cluster/fixture';
import {
  KubeEvidence,
  WorkspaceFiles,
  cleanupLab,
  createWorkspace,
  findLab,
  runLab,
  setupLab,
  workspaceId,
  type AttemptResult,
  type CheckStatus,
} from '@mlops-lab/grader';
import { applyManifests, labNamespace, loadKubernetesClient, readManifests } from '@mlops-lab/grader/authoring';

/** What a scenario can do besides applying k8s/, with the cluster's clients at hand. */
export interface ScenarioContext {
  namespace: string;
  core: K8s.CoreV1Api;
  apps: K8s.AppsV1Api;
  discovery: K8s.DiscoveryV1Api;
  networking: K8s.NetworkingV1Api;
}

export interface Submission {
  /** Folder under the lab's `__fixtures__/submissions/`: its files replace the starter's k8s/ (and sit beside it). */
  name: string;
  /** What a senior reviewer would say, in one line (the test's name). */
  verdict: string;
  /** Runs before `kubectl apply -f k8s/`, e.g. `kubectl create secret generic …`. */
  before?: (ctx: ScenarioContext) => Promise<void>;
  /** Apply k8s/ (default true). */
  apply?: boolean;
  /** The status each named check must have. */
  expect: Record<string, CheckStatus>;
  /** Words the message (or actual) of a check must contain: the reviewer's reason, not just a red mark. */
  says?: Record<string, string | RegExp>;
  /** Assertions on the cluster itself after grading (the fixture's controllers judged as a cluster would behave). */
  cluster?: (ctx: ScenarioContext) => Promise<void>;
}

/** Fixture seconds per wall second: rollouts and probes settle in well under a second. */
const TIME_SCALE = 30;

/** Registers one describe with a test per submission. */
export function holdoutSuite(labId: string, fixturesDir: string, submissions: Submission[]): void {
  describe(`hold-out submissions of ${labId} (fixture API server)`, () => {
    let fixture: FixtureServer;
    let folder: string;
    let env: NodeJS.ProcessEnv;
    beforeAll(async () => {
      fixture = await startFixtureServer({ timeScale: TIME_SCALE });
      folder = await mkdtemp(join(tmpdir(), 'mlops-lab-holdout-'));
      env = { ...process.env, KUBECONFIG: await fixture.writeKubeconfig(folder) };
    });
    afterAll(async () => {
      await fixture?.close();
      if (folder) await rm(folder, { recursive: true, force: true });
    });

    it('keeps a fixture folder for every submission and a submission for every fixture folder', async () => {
      const folders = (await readdir(fixturesDir, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
      expect(folders.sort()).toEqual(submissions.map((s) => s.name).sort());
    });

    for (const submission of submissions) {
      it(`${submission.name}: ${submission.verdict}`, async () => {
        const lab = await findLab(labId);
        const { dir } = await createWorkspace(lab, join(folder, submission.name));
        await setupLab(lab, dir, { env });
        try {
          await rm(join(dir, 'k8s'), { recursive: true, force: true });
          await cp(join(fixturesDir, submission.name), dir, { recursive: true });
          const k8s = await loadKubernetesClient();
          const kube = new KubeEvidence(env);
          const workspace = { dir, id: workspaceId(dir) };
          const ctx: ScenarioContext = {
            namespace: labNamespace({ workspace }),
            core: await kube.api(k8s.CoreV1Api),
            apps: await kube.api(k8s.AppsV1Api),
            discovery: await kube.api(k8s.DiscoveryV1Api),
            networking: await kube.api(k8s.NetworkingV1Api),
          };
          await submission.before?.(ctx);
          if (submission.apply !== false) {
            const set = await readManifests(new WorkspaceFiles(dir), 'k8s');
            expect(set.problems, 'a hold-out submission must be valid YAML the API server accepts').toEqual([]);
            await applyManifests(
              { kube, workspace },
              set.objects.map((o) => o.object),
            );
          }
          // Let the simulated controllers settle: ~45 s of fixture time.
          await new Promise((resolve) => setTimeout(resolve, 1_500));
          const result: AttemptResult = await runLab({
            lab,
            workspaceDir: dir,
            learner: 'holdout',
            source: 'test',
            credit: 'learner',
            env,
          });
          const got = Object.fromEntries(
            Object.keys(submission.expect).map((id) => [id, result.checks.find((c) => c.id === id)?.status ?? 'missing']),
          );
          const detail = result.checks.map((c) => `${c.id} ${c.status}: ${c.message}${c.actual ? ` [${c.actual}]` : ''}`).join('\n');
          expect(got, detail).toEqual(submission.expect);
          expect(result.checks.filter((c) => c.status === 'error').map((c) => `${c.id}: ${c.message}`)).toEqual([]);
          for (const [id, words] of Object.entries(submission.says ?? {})) {
            const check = result.checks.find((c) => c.id === id)!;
            const text = `${check.message}\n${check.actual ?? ''}`;
            if (typeof words === 'string') expect(text, `${id} should say why`).toContain(words);
            else expect(text, `${id} should say why`).toMatch(words);
            if (check.status === 'fail') expect(check.hint, `${id} hint`).toBeTruthy();
          }
          await submission.cluster?.(ctx);
          // A controller that threw is a fixture bug, not a learner's mistake.
          expect(fixture.loop.errors).toEqual([]);
        } finally {
          await cleanupLab(lab, dir, { env });
        }
      });
    }
  });
}
