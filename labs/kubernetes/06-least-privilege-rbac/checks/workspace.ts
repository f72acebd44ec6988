import { EvidenceError, applyManifests, readManifests, type LabHookContext } from '@mlops-lab/grader/authoring';

/**
 * `kubectl apply -n <namespace> -f k8s/` of the workspace's manifests. Setup
 * runs it on the starter, so the colleague's version is live when the
 * learner arrives; solve runs it on the solution.
 */
export async function applyWorkspaceManifests(ctx: LabHookContext): Promise<void> {
  const set = await readManifests(ctx.files, 'k8s');
  if (set.problems.length > 0) {
    const first = set.problems[0]!;
    throw new EvidenceError(
      'MANIFEST_INVALID',
      `${first.file}:${first.line} ${first.path}: ${first.message}`,
      `Fix ${first.file}, then \`kubectl apply --dry-run=server -f k8s/\`.`,
    );
  }
  await applyManifests(
    ctx,
    set.objects.map((o) => o.object),
  );
}
