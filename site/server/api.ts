import type { IncomingMessage, ServerResponse } from 'node:http';
import { registerAttempts } from './api/attempts.ts';
import { registerDoctor } from './api/doctor.ts';
import { registerLabs } from './api/labs.ts';
import { registerProgress } from './api/progress.ts';
import { registerRuns } from './api/runs.ts';
import { registerSettings } from './api/settings.ts';
import { registerSolve } from './api/solve.ts';
import { registerStream } from './api/stream.ts';
import type { ServerContext } from './context.ts';
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
  registerStream(router, ctx);
  if (terminal) registerTerminal(router, ctx, terminal);
  return (req, res, url) => router.handle(req, res, url);
}
