import type { ServerContext } from '../context.ts';
import { HttpError } from '../http.ts';
import type { Router } from '../router.ts';
import { SseStream } from '../sse.ts';

export function registerRuns(router: Router, ctx: ServerContext): void {
  // The events of one grading run: what happened so far, then live, then the stream ends.
  router.add('GET', /^\/api\/runs\/(?<runId>[^/]+)\/events$/, ({ req, res, params }) => {
    const run = ctx.runs.get(params.runId!);
    if (!run) {
      throw new HttpError(
        404,
        'RUN_UNKNOWN',
        `There is no run ${params.runId} (finished runs are kept for 10 minutes).`,
        'The stored results are at GET /api/labs/<lab>/attempts.',
      );
    }
    const lastSeen = Number(req.headers['last-event-id'] ?? 0);
    const after = Number.isInteger(lastSeen) && lastSeen > 0 ? lastSeen : 0;
    if (run.finished && after >= run.events.length) {
      // A browser reconnecting after the last event: 204 tells EventSource to stop.
      res.writeHead(204);
      res.end();
      return;
    }
    const stream = new SseStream(req, res);
    ctx.streams.add(stream);
    const unsubscribe = run.subscribe((e) => {
      stream.send(e.event, e.data, e.seq);
      if (e.event === 'done' || e.event === 'failed') queueMicrotask(() => stream.close());
    }, after);
    stream.onClose(unsubscribe);
  });
}
