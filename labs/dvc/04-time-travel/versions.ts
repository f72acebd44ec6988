/**
 * The two versions of the raw data this lab's history holds, and the
 * readings of that history the checks share.
 */
import { DvcFileSchema, readDvcFile, parseYamlAs, type CheckContext, type DvcFile } from '@mlops-lab/grader/authoring';
import { RAW_DATA_DVC, repos } from '../_shared/repo.ts';

export { LOAN_ROWS as V1_ROWS } from '../_shared/loans.ts';
export const V2_ROWS = 900;

/** The md5 a .dvc text records. */
function md5Of(file: DvcFile): string | undefined {
  return file.outs[0]?.md5;
}

/** The first commit that added data/raw/loans.csv.dvc, and the md5 it records. */
export function firstVersion(ctx: CheckContext): Promise<{ commit: string; subject: string; md5: string } | undefined> {
  return ctx.memo('dvc-lab:first-version', async () => {
    const { git } = await repos(ctx);
    const first = (await git.commitsTouching(RAW_DATA_DVC, 200)).at(-1);
    if (!first) return undefined;
    const text = await git.show(first.hash, RAW_DATA_DVC);
    if (text === undefined) return undefined;
    const md5 = md5Of(parseYamlAs(text, `${RAW_DATA_DVC} at ${first.hash}`, DvcFileSchema, 'a .dvc file'));
    return md5 ? { commit: first.hash, subject: first.subject, md5 } : undefined;
  });
}

/** The md5 the workspace's .dvc file records. */
export async function workspacePointer(ctx: CheckContext): Promise<string | undefined> {
  if (!(await ctx.files.exists(RAW_DATA_DVC))) return undefined;
  return md5Of(await readDvcFile(ctx.files, RAW_DATA_DVC));
}
