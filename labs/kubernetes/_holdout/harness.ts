/**
 * The hold-out habit for Kubernetes labs: learner submissions (good ones and
 * subtly broken ones) graded against the Kubernetes API fixture server, so a
 * test can assert the grader judges each as a senior reviewer would. Not a
 * lab (no lab.ts): the loader skips this folder.
 *
 * A submission is the files of its `k8s/` folder plus what the learner did
 * with them (apply, roll out, undo, create a Job). It starts from an empty
 * lab namespace, not from the starter.
 */
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { startFixtureServer, type FixtureServer } from '@mlops-lab/cluster/fixture';
import { createEvidence, loadAllLabs, runLab, workspaceId, type CheckResult, type LoadedLab } from '@mlops-lab/grader';
import {
  applyManifests,
  deleteLabNamespace,
  ensureLabNamespace,
  labNamespace,
  readManifests,
  type LabHookContext,
} from '@mlops-lab/grader/authoring';

export type SubmissionContext = LabHookContext;

export interface Submission {
  /** Files of `k8s/`, by name: `{ 'rbac.yaml': '...' }`. */
  files: Record<string, string>;
  /** What the learner did after writing the files. Default: `kubectl apply -n <namespace> -f k8s/`. */
  act?: (ctx: SubmissionContext) => Promise<void>;
}

/** `kubectl apply -n <namespace> -f k8s/` of the submission's files. */
export async function applyK8sFolder(ctx: SubmissionContext): Promise<void> {
  const set = await readManifests(ctx.files, 'k8s');
  if (set.problems.length > 0)
    throw new Error(
      `the submission's manifests are invalid: ${set.problems.map((p) => `${p.file}:${p.line} ${p.path} ${p.message}`).join('; ')}`,
    );
  await applyManifests(
    ctx,
    set.objects.map((o) => o.object),
  );
}

/**
 * Registers a fixture server for the describe block it is called in and
 * returns `grade(submission)`: the check results by id.
 */
export function holdoutGrader(
  labId: string,
  options: { timeScale?: number } = {},
): (submission: Submission) => Promise<Map<string, CheckResult>> {
  let fixture: FixtureServer | undefined;
  let folder = '';
  let env: NodeJS.ProcessEnv = process.env;
  let lab: LoadedLab | undefined;
  beforeAll(async () => {
    lab = (await loadAllLabs()).find((l) => l.manifest.id === labId);
    if (!lab) throw new Error(`no lab ${labId}`);
    fixture = await startFixtureServer({ timeScale: options.timeScale ?? 60 });
    folder = await mkdtemp(join(tmpdir(), 'mlops-lab-holdout-'));
    env = { ...process.env, KUBECONFIG: await fixture.writeKubeconfig(folder) };
  });
  afterAll(async () => {
    await fixture?.close();
    if (folder) await rm(folder, { recursive: true, force: true });
  });
  let count = 0;
  return async (submission) => {
    const dir = join(folder, `submission-${++count}`);
    await mkdir(join(dir, 'k8s'), { recursive: true });
    const namespace = labNamespace({ workspace: { id: workspaceId(dir) } });
    // A ClusterRoleBinding names the ServiceAccount's namespace; fixtures write it as __NAMESPACE__.
    for (const [name, text] of Object.entries(submission.files))
      await writeFile(join(dir, 'k8s', name), text.replaceAll('__NAMESPACE__', namespace));
    const ctx: SubmissionContext = {
      ...createEvidence(dir, env),
      lab: { id: lab!.manifest.id, version: lab!.manifest.version },
      workspace: { dir, id: workspaceId(dir) },
      signal: new AbortController().signal,
      log: () => {},
    };
    await ensureLabNamespace(ctx);
    try {
      await (submission.act ?? applyK8sFolder)(ctx);
      const result = await runLab({ lab: lab!, workspaceDir: dir, learner: 'holdout', source: 'test', credit: 'learner', env });
      return new Map(result.checks.map((c) => [c.id, c]));
    } finally {
      await deleteLabNamespace(ctx);
    }
  };
}

/** The files of a fixture folder, by name (`__fixtures__/holdout/<scenario>/`). */
export async function readScenario(folder: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const name of (await readdir(folder)).sort()) files[name] = await readFile(join(folder, name), 'utf8');
  return files;
}

/** The ids of checks with the given status, sorted, for compact assertions. */
export function idsWith(results: Map<string, CheckResult>, status: CheckResult['status']): string[] {
  return [...results.values()]
    .filter((c) => c.status === status)
    .map((c) => c.id)
    .sort();
}
