import { readMarker, runLab, type AttemptResult, type CheckResult } from '@mlops-lab/grader';
import { z } from 'zod';
import { requireWorkspace, type ServerContext } from '../context.ts';
import { describeFailure } from '../errors.ts';
import { parseBody, readJsonBody, sendJson } from '../http.ts';
import { LAB_ID, type Router } from '../router.ts';

const AttemptBodySchema = z.object({}).strict();

export function registerAttempts(router: Router, ctx: ServerContext): void {
  // What `mlops-lab check <lab>` does, in the background, with its progress as events.
  router.add('POST', new RegExp(`^/api/labs/${LAB_ID}/attempts$`), async ({ req, res, params }) => {
    const lab = await ctx.lab(params.labId!);
    parseBody(AttemptBodySchema, await readJsonBody(req, res));
    const { dir } = await requireWorkspace(ctx, lab);
    const labId = lab.manifest.id;
    const run = ctx.runs.start(
      labId,
      async (current) => {
        const marker = await readMarker(dir);
        const started = new Set<string>();
        const checkStart = (c: { id: string; title: string }): void => {
          if (started.has(c.id)) return;
          started.add(c.id);
          current.emit('check-start', { id: c.id, title: c.title });
        };
        const result: AttemptResult = await runLab({
          lab,
          workspaceDir: dir,
          learner: ctx.learner,
          source: 'site',
          credit: marker?.solutionApplied ? 'solution' : 'learner',
          env: ctx.env,
          signal: current.controller.signal,
          onCheckStart: checkStart,
          onCheckFinish: (c: CheckResult) => {
            // Skipped checks and checks whose tool is missing finish without
            // starting; every check still gets its check-start first.
            checkStart(c);
            current.emit('check', c);
          },
        });
        if (current.controller.signal.aborted) {
          current.emit('failed', {
            code: 'SERVER_STOPPING',
            message: 'The lab server stopped while grading; this attempt was not saved.',
            nextStep: 'Start the lab server again (npm start) and press Check.',
          });
          return;
        }
        await ctx.store.appendAttempt(result);
        ctx.feed.publish(result);
        current.emit('done', result);
      },
      (failed, error) => failed.emit('failed', describeFailure(error, ctx.log, { lab: labId, runId: failed.id })),
    );
    sendJson(res, 202, { runId: run.id, events: `/api/runs/${run.id}/events` }, { location: `/api/runs/${run.id}/events` });
  });

  // Read from the store every time: attempts made with the CLI appear too.
  router.add('GET', new RegExp(`^/api/labs/${LAB_ID}/attempts$`), async ({ res, params }) => {
    const lab = await ctx.lab(params.labId!);
    const attempts = await ctx.store.attempts({ labId: lab.manifest.id, learner: ctx.learner });
    sendJson(res, 200, newestFirst(attempts));
  });
}

/** By finish time, newest first; equal times keep the later-stored attempt first. */
export function newestFirst(attempts: AttemptResult[]): AttemptResult[] {
  return attempts
    .map((a, index) => ({ a, index, t: Date.parse(a.finishedAt) }))
    .sort((x, y) => y.t - x.t || y.index - x.index)
    .map(({ a }) => a);
}
