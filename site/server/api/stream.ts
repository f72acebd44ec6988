import type { ServerContext } from '../context.ts';
import type { Router } from '../router.ts';
import { SseStream } from '../sse.ts';

export function registerStream(router: Router, ctx: ServerContext): void {
  // `event: attempt` for every new attempt of the learner, from the site or the CLI.
  router.add('GET', /^\/api\/stream$/, ({ req, res }) => {
    const stream = new SseStream(req, res);
    ctx.streams.add(stream);
    stream.onClose(ctx.feed.subscribe((notice) => stream.send('attempt', notice)));
  });
}
