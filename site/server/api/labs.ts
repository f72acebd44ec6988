import { buildDoctorReport, createWorkspace, MlopsLabError, setupLab } from '@mlops-lab/grader';
import { z } from 'zod';
import { labSummary, workspaceState, type ServerContext } from '../context.ts';
import { HttpError, parseBody, readJsonBody, sendJson } from '../http.ts';
import { LAB_ID, type Router } from '../router.ts';

const StartBodySchema = z
  .object({
    /** Start again over an existing workspace (overwrites the starter files), like `mlops-lab start --force`. */
    force: z.boolean().optional(),
  })
  .strict();

export function registerLabs(router: Router, ctx: ServerContext): void {
  router.add('GET', /^\/api\/labs$/, async ({ res }) => {
    sendJson(res, 200, (await ctx.labs()).map(labSummary));
  });

  router.add('GET', new RegExp(`^/api/labs/${LAB_ID}$`), async ({ res, params }) => {
    const lab = await ctx.lab(params.labId!);
    const [report, workspace] = await Promise.all([
      buildDoctorReport({ env: ctx.env, labs: [lab], tools: 'needed' }),
      workspaceState(ctx, lab),
    ]);
    const readiness = report.labs[0]!;
    sendJson(res, 200, {
      lab: labSummary(lab),
      readiness: { ready: readiness.ready, missing: readiness.missing },
      workspace,
    });
  });

  // What `mlops-lab start <lab>` does, for the lab's default workspace.
  router.add('POST', new RegExp(`^/api/labs/${LAB_ID}/start$`), async ({ req, res, params }) => {
    const lab = await ctx.lab(params.labId!);
    const body = parseBody(StartBodySchema, await readJsonBody(req, res));
    const release = ctx.runs.claim(lab.manifest.id, 'starting');
    try {
      const before = await workspaceState(ctx, lab);
      if (before.exists && !body.force) {
        sendJson(res, 200, { created: false, workspace: before, files: [] });
        return;
      }
      const { dir, files } = await createWorkspace(lab, before.dir, { force: body.force }).catch((error: unknown) => {
        if (error instanceof MlopsLabError && error.code === 'WORKSPACE_NOT_EMPTY') {
          throw new HttpError(
            409,
            error.code,
            error.message,
            `Keep working there, or start over with {"force": true} (the starter files overwrite yours), or run \`mlops-lab start ${lab.manifest.id} --force\`.`,
          );
        }
        throw error;
      });
      await setupLab(lab, dir, {
        env: ctx.env,
        signal: ctx.shutdown,
        log: (line) => ctx.log.info('lab setup', { lab: lab.manifest.id, line }),
      });
      await ctx.store.appendEvent({ type: 'start', labId: lab.manifest.id, learner: ctx.learner, workspace: dir });
      sendJson(res, 201, { created: true, workspace: await workspaceState(ctx, lab), files });
    } finally {
      release();
    }
  });
}
