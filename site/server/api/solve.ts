import { applySolution, MlopsLabError } from '@mlops-lab/grader';
import { z } from 'zod';
import { requireWorkspace, workspaceState, type ServerContext } from '../context.ts';
import { HttpError, parseBody, readJsonBody, sendJson } from '../http.ts';
import { LAB_ID, type Router } from '../router.ts';

const SolveBodySchema = z
  .object({
    /** Must be `true`: applying the solution overwrites the learner's files and later passes earn no credit. */
    confirm: z.literal(true),
  })
  .strict();

export function registerSolve(router: Router, ctx: ServerContext): void {
  // What `mlops-lab solve <lab> --yes` does, for the lab's default workspace.
  router.add('POST', new RegExp(`^/api/labs/${LAB_ID}/solve$`), async ({ req, res, params }) => {
    const lab = await ctx.lab(params.labId!);
    const id = lab.manifest.id;
    parseBody(
      SolveBodySchema,
      await readJsonBody(req, res),
      'CONFIRM_REQUIRED',
      `Applying the solution copies it over your files and later checks count as solved by the solution, not by you. Send {"confirm": true} to go ahead.`,
    );
    const { dir } = await requireWorkspace(ctx, lab);
    const release = ctx.runs.claim(id, 'solving');
    const log: string[] = [];
    try {
      await ctx.store.appendEvent({ type: 'solve', labId: id, learner: ctx.learner, workspace: dir });
      await applySolution(lab, dir, { env: ctx.env, signal: ctx.shutdown, log: (line) => log.push(line) });
    } catch (error) {
      if (error instanceof MlopsLabError || error instanceof HttpError) throw error;
      // The lab's own solve script failed (say, the image did not build): its message is the useful part.
      ctx.log.error('solve failed', { lab: id, error, log });
      throw new HttpError(
        500,
        'SOLVE_FAILED',
        `Applying the solution of ${id} failed: ${(error as Error)?.message ?? String(error)}`,
        `Run \`mlops-lab solve ${id} --yes\` in a terminal to see the whole output.`,
        { extra: { log } },
      );
    } finally {
      release();
    }
    sendJson(res, 200, { workspace: await workspaceState(ctx, lab), log });
  });
}
