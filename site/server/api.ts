import type { IncomingMessage, ServerResponse } from 'node:http';
import { registerAttempts } from './api/attempts.ts';
import { registerDoctor } from './api/doctor.ts';
import { registerLabs } from './api/labs.ts';
import { registerProgress } from './api/progress.ts';
import { registerReport } from './api/report.ts';
import { registerRuns } from './api/runs.ts';
import { registerSettings } from './api/settings.ts';
import { registerSolve } from './api/solve.ts';
import { registerStream } from './api/stream.ts';
import { labSummary, type ServerContext } from './context.ts';
import { HttpError, sendJson } from './http.ts';
import { registerMentorApi } from './mentor/api/index.ts';
import type { MentorContext } from './mentor/context.ts';
import { Router } from './router.ts';
import type { TerminalGateway } from './terminal/gateway.ts';
import { registerTerminal } from './terminal/routes.ts';

/**
 * The JSON API under /api, one module per resource (see README.md for the
 * table). Handlers call the same engine functions as the CLI commands.
 */
export function createApi(
  ctx: ServerContext,
  terminal?: TerminalGateway,
): (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void> {
  const router = new Router();
  registerLabs(router, ctx);
  registerAttempts(router, ctx);
  registerSolve(router, ctx);
  registerRuns(router, ctx);
  registerProgress(router, ctx);
  registerSettings(router, ctx);
  registerDoctor(router, ctx);
  registerReport(router, ctx);
  registerStream(router, ctx);
  if (terminal) registerTerminal(router, ctx, terminal);
  // Mentor mode's routes do not exist here; say so rather than a bare 404.
  answerEverywhere(router, /^\/api\/(mentor|sync)(\/.*)?$/, () => {
    throw new HttpError(
      404,
      'NOT_FOUND',
      'This lab server runs in learner mode: it has no mentor or sync endpoints.',
      'Mentors run the server with MLOPS_LAB_MODE=mentor (or `node site/server/main.ts --mentor`); learners sync to it with `mlops-lab sync`.',
    );
  });
  return (req, res, url) => router.handle(req, res, url);
}

const ALL_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

function answerEverywhere(router: Router, pattern: RegExp, handler: () => void): void {
  for (const method of ALL_METHODS) router.add(method, pattern, handler);
}

/**
 * The API of a mentor server: the lab catalogue (GET /api/labs), the sync
 * API and the mentor API. What acts on a learner's machine (workspaces,
 * grading, solving, terminals, the local progress) answers 404: a mentor
 * server grades nothing of a learner's workspace.
 */
export function createMentorModeApi(
  ctx: ServerContext,
  mentor: MentorContext,
): (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void> {
  const router = new Router();
  router.add('GET', /^\/api\/labs$/, async ({ res }) => {
    sendJson(res, 200, (await ctx.labs()).map(labSummary));
  });
  registerMentorApi(router, mentor);
  answerEverywhere(router, /^\/api\/(labs\/.+|runs(\/.*)?|progress|settings|doctor|stream|terminal(\/.*)?|capstone(\/.*)?)$/, () => {
    throw new HttpError(
      404,
      'MENTOR_MODE',
      'This is a mentor server: it does not start, grade or solve labs, and has no terminal.',
      'Work on your labs with the lab server on your own machine (`npm start`), then send your attempts here with `mlops-lab sync`.',
    );
  });
  return (req, res, url) => router.handle(req, res, url);
}
