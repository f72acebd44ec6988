import type { ServerContext } from '../context.ts';
import { HttpError, sendJson } from '../http.ts';
import type { Router } from '../router.ts';
import { sameOrigin, type TerminalGateway } from './gateway.ts';
import type { TerminalTokenResponse } from './protocol.ts';

/**
 * `GET /api/terminal/token?lab=<id>`: a single-use token for the terminal
 * WebSocket, bound to this learner and the lab. A cross-origin page cannot
 * read the answer (no CORS); one that sends an Origin of another site is
 * refused outright. `GET /api/terminal` without an upgrade: 426.
 */
export function registerTerminal(router: Router, ctx: ServerContext, gateway: TerminalGateway): void {
  router.add('GET', /^\/api\/terminal\/token$/, async ({ req, res, url }) => {
    const origin = req.headers.origin;
    if (origin !== undefined && !sameOrigin(origin, req.headers.host)) {
      throw new HttpError(403, 'CROSS_ORIGIN', `Refused a terminal token for another origin (${origin}).`);
    }
    const labId = url.searchParams.get('lab');
    if (!labId) throw new HttpError(400, 'LAB_REQUIRED', 'Say which lab the terminal is for.', 'GET /api/terminal/token?lab=<lab id>');
    const lab = await ctx.lab(labId);
    const { token, expiresAt } = gateway.tokens.issue(ctx.learner, lab.manifest.id);
    const body: TerminalTokenResponse = { token, expiresAt: new Date(expiresAt).toISOString() };
    sendJson(res, 200, body);
  });

  router.add('GET', /^\/api\/terminal$/, () => {
    throw new HttpError(
      426,
      'UPGRADE_REQUIRED',
      'The terminal is a WebSocket endpoint.',
      'Open it with a WebSocket: /api/terminal?token=…&lab=…',
      {
        headers: { upgrade: 'websocket' },
      },
    );
  });
}
