import { EvidenceError, buildContextFiles, dockerLab, fail, type CheckContext, type CheckOutcome } from '@mlops-lab/grader/authoring';

/** The grader's helpers for this lab: one build and one inspect per run, images tagged per workspace. */
export const lab = dockerLab({ imageRepo: 'mlops-lab/docker-02', imageName: 'loan-api' });

/** The lockfile the image must install from. */
export const LOCKFILE = 'requirements.lock';

/** The source file the cache check edits (in a copy of the workspace) to simulate a code change. */
export const SOURCE_FILE = 'app/serve.py';

/** What `docker build` sends the builder after .dockerignore, with sizes; once per run. */
export function contextFiles(ctx: CheckContext) {
  return ctx.memo('context-files', () => buildContextFiles(ctx.workspace.dir, 'Dockerfile', 512 * 1024 * 1024));
}

/** The context files, or the failure a check reports when the context is over the 512 MiB the grader sends. */
export async function contextFilesOrFailure(
  ctx: CheckContext,
  expected: string,
): Promise<{ files: { path: string; size: number }[] } | { failure: CheckOutcome }> {
  try {
    return { files: await contextFiles(ctx) };
  } catch (error) {
    if (error instanceof EvidenceError && error.code === 'BUILD_CONTEXT_TOO_LARGE') {
      return { failure: fail({ message: error.message, expected, actual: 'over the 512 MiB the grader sends', hint: error.nextStep }) };
    }
    throw error;
  }
}

/** Groups paths by their first folder (`data/`, `.venv/`) or name, largest first. */
export function sizeByTopLevel(files: { path: string; size: number }[]): { name: string; size: number; files: number }[] {
  const groups = new Map<string, { name: string; size: number; files: number }>();
  for (const f of files) {
    const slash = f.path.indexOf('/');
    const name = slash === -1 ? f.path : `${f.path.slice(0, slash)}/`;
    const group = groups.get(name) ?? { name, size: 0, files: 0 };
    group.size += f.size;
    group.files++;
    groups.set(name, group);
  }
  return [...groups.values()].sort((a, b) => b.size - a.size);
}
