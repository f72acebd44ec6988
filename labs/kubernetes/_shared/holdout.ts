/**
 * The hold-out harness of the Kubernetes labs: learner submissions (good
 * ones and subtly broken ones) kept as fixture folders, each graded against
 * the Kubernetes API fixture server after the learner's steps, and held to
 * the verdict a senior reviewer gives, check by check.
 *
 * A submission is a folder under the lab's `__fixtures__/holdout/`, laid
 * over a fresh workspace from the starter: its `k8s/` replaces the
 * starter's, other files (a `.gitignore`, an env file) sit beside it.
 * `__NAMESPACE__` in its manifests becomes the lab namespace (a
 * ClusterRoleBinding names the ServiceAccount's namespace). The namespace
 * starts empty, as `mlops-lab start` leaves it for labs 01–05: a lab's own
 * setup (06–08 apply the starter) does not run.
 *
 * What the learner did is the `act` step (default `kubectl apply -f k8s/`):
 * create a Secret by hand first, roll out a broken tag and undo it, create a
 * Job from a CronJob. The verdict is grader/test-support/holdout.ts's
 * (`expectVerdict`): the statuses of the named checks, no errors, the
 * reviewer's words, and a hint with a command on every failing check.
 */
import { cp, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as K8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixtureServer, type FixtureServer } from '@mlops-lab/cluster/fixture';
import { cleanupLab, createEvidence, findLab, runLab, workspaceId, type AttemptResult, type CheckStatus } from '@mlops-lab/grader';
import { ensureLabNamespace, labNamespace, loadKubernetesClient, type LabHookContext } from '@mlops-lab/grader/authoring';
import { expectVerdict, fixtureFolders, submissionWorkspace } from '../../../grader/test-support/holdout.ts';
import { applyK8sFolder } from './apply.ts';

/** What an `act` step or an `after` assertion has at hand: the lab hook context, the namespace and the API clients. */
export interface HoldoutContext extends LabHookContext {
  namespace: string;
  core: K8s.CoreV1Api;
  apps: K8s.AppsV1Api;
  discovery: K8s.DiscoveryV1Api;
  networking: K8s.NetworkingV1Api;
  /** `kubectl apply -n <namespace> -f k8s/` of the workspace as it is now. */
  apply(): Promise<void>;
  /** Lays another fixture folder (by name, under the suite's fixtures) over the workspace: the learner edited files. */
  overlay(folder: string): Promise<void>;
}

export interface HoldOut {
  /** Folder under `__fixtures__/holdout/`; left out, the workspace keeps the starter's files. */
  submission?: string;
  /** What a senior reviewer would say, in one line (the test's name). */
  verdict: string;
  /** What the learner did with the files. Default: `kubectl apply -n <namespace> -f k8s/`. */
  act?: (ctx: HoldoutContext) => Promise<void>;
  /** The status each named check must have; the others may pass, fail or skip, never error. */
  expect: Record<string, CheckStatus>;
  /** Words the message (or actual) of a check must contain, or a pattern it must match. */
  says?: Record<string, string | RegExp>;
  /** Assertions after grading: on the cluster as a real one would behave, or on the result itself. */
  after?: (ctx: HoldoutContext, result: AttemptResult) => Promise<void>;
}

export interface HoldoutOptions {
  /** Where the submissions are. Default: the lab's `__fixtures__/holdout/`. */
  fixtures?: string;
  /** Fixture folders no case starts from, laid over a workspace by an `act` step (`ctx.overlay`). */
  overlays?: string[];
  /** Fixture seconds per wall second. Default 30: rollouts and probes settle in well under a second. */
  timeScale?: number;
  /** Wall milliseconds to let the simulated controllers settle between the act and grading. Default 0 (checks retry). */
  settleMs?: number;
}

/** What a reviewer expects of every check named in `allPass`: a pass, but for those listed, which fail or are skipped. */
export function allPassBut(
  allPass: Readonly<Record<string, 'pass'>>,
  but: { fail?: string[]; skip?: string[] },
): Record<string, CheckStatus> {
  const expected: Record<string, CheckStatus> = { ...allPass };
  for (const id of but.fail ?? []) expected[id] = 'fail';
  for (const id of but.skip ?? []) expected[id] = 'skip';
  return expected;
}

/** Registers one describe per lab with a test per hold-out case, and one that keeps fixture folders and cases in step. */
export function holdoutSuite(labId: string, cases: HoldOut[], options: HoldoutOptions = {}): void {
  describe(`hold-out submissions of ${labId}, judged as a senior reviewer would (fixture API server)`, () => {
    let fixture: FixtureServer;
    let folder: string;
    let env: NodeJS.ProcessEnv;
    let fixtures: string;
    beforeAll(async () => {
      fixtures = options.fixtures ?? join((await findLab(labId)).dir, '__fixtures__', 'holdout');
      fixture = await startFixtureServer({ timeScale: options.timeScale ?? 30 });
      folder = await mkdtemp(join(tmpdir(), 'mlops-lab-holdout-'));
      env = { ...process.env, KUBECONFIG: await fixture.writeKubeconfig(folder) };
    });
    afterAll(async () => {
      await fixture?.close();
      if (folder) await rm(folder, { recursive: true, force: true });
    });

    it('keeps a fixture folder for every submission and a submission for every fixture folder', async () => {
      const used = new Set([...cases.flatMap((c) => (c.submission ? [c.submission] : [])), ...(options.overlays ?? [])]);
      expect(await fixtureFolders(fixtures)).toEqual([...used].sort());
    });

    cases.forEach((holdOut, index) => {
      it(`${holdOut.submission ?? 'the starter'}: ${holdOut.verdict}`, async () => {
        const lab = await findLab(labId);
        const dir = await submissionWorkspace(
          lab,
          join(folder, `${index}-${holdOut.submission ?? 'starter'}`),
          holdOut.submission && join(fixtures, holdOut.submission),
          { replace: ['k8s'] },
        );
        const ctx = await holdoutContext(lab.manifest, dir, env, fixtures);
        await ensureLabNamespace(ctx);
        try {
          await resolveNamespace(dir, ctx.namespace);
          await (holdOut.act ?? ((c) => c.apply()))(ctx);
          if (options.settleMs) await new Promise((resolve) => setTimeout(resolve, options.settleMs));
          const result = await runLab({ lab, workspaceDir: dir, learner: 'holdout', source: 'test', credit: 'learner', env });
          expectVerdict(result, { verdicts: holdOut.expect, says: holdOut.says }, { hintNamesCommand: true });
          await holdOut.after?.(ctx, result);
          // A controller that threw is a fixture bug, not a learner's mistake.
          expect(fixture.loop.errors).toEqual([]);
        } finally {
          await cleanupLab(lab, dir, { env });
        }
      });
    });
  });
}

async function holdoutContext(
  manifest: { id: string; version: string },
  dir: string,
  env: NodeJS.ProcessEnv,
  fixtures: string,
): Promise<HoldoutContext> {
  const workspace = { dir, id: workspaceId(dir) };
  const evidence = createEvidence(dir, env);
  const k8s = await loadKubernetesClient();
  const ctx: HoldoutContext = {
    ...evidence,
    lab: { id: manifest.id, version: manifest.version },
    workspace,
    signal: new AbortController().signal,
    log: () => {},
    namespace: labNamespace({ workspace }),
    core: await evidence.kube.api(k8s.CoreV1Api),
    apps: await evidence.kube.api(k8s.AppsV1Api),
    discovery: await evidence.kube.api(k8s.DiscoveryV1Api),
    networking: await evidence.kube.api(k8s.NetworkingV1Api),
    apply: () => applyK8sFolder(ctx),
    async overlay(name) {
      await cp(join(fixtures, name), dir, { recursive: true, force: true });
      await resolveNamespace(dir, ctx.namespace);
    },
  };
  return ctx;
}

/** `__NAMESPACE__` in k8s/*.yaml -> the lab namespace. */
async function resolveNamespace(dir: string, namespace: string): Promise<void> {
  const k8s = join(dir, 'k8s');
  for (const name of await readdir(k8s).catch(() => [] as string[])) {
    if (!/\.ya?ml$/.test(name)) continue;
    const text = await readFile(join(k8s, name), 'utf8');
    if (text.includes('__NAMESPACE__')) await writeFile(join(k8s, name), text.replaceAll('__NAMESPACE__', namespace));
  }
}
