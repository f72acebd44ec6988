/**
 * Sends M6's traffic to the service at a steady pace: one POST /predict of
 * `rowsPerRequest` rows every `rowsPerRequest / rowsPerSecond` seconds, one
 * request at a time (a slow service gets fewer rows, never a pile of them),
 * until stopped, until `seconds` pass, or after 10 failed requests in a row.
 */
import type { CheckContext } from '@mlops-lab/grader/authoring';
import type { TrafficStream } from './drift-traffic.ts';

export interface PaceOptions {
  rowsPerSecond: number;
  rowsPerRequest: number;
  /** Stop after this long (default: only when stopped). */
  seconds?: number;
  /** Stop after this many rows (default: no limit). */
  rows?: number;
}

export interface SentTraffic {
  rows: number;
  requests: number;
  failedRequests: number;
  /** The first few failures, as "HTTP 422: {…}" or the transport error. */
  failures: string[];
  /** ms since the epoch of the first request (undefined when none was sent). */
  firstRequestAt?: number;
  /** Why sending stopped early, when it did. */
  gaveUp?: string;
}

export interface RunningTraffic {
  /** Resolves when sending stopped (stop(), the limits, the check's signal, or 10 failures in a row). */
  readonly done: Promise<SentTraffic>;
  /** What was sent so far. */
  sent(): SentTraffic;
  stop(): Promise<SentTraffic>;
}

const CONSECUTIVE_FAILURES = 10;
const KEPT_FAILURES = 5;

export function startTraffic(
  ctx: Pick<CheckContext, 'http' | 'signal'>,
  target: { url: string; authHeader: string },
  stream: TrafficStream,
  pace: PaceOptions,
): RunningTraffic {
  const sent: SentTraffic = { rows: 0, requests: 0, failedRequests: 0, failures: [] };
  const stopper = new AbortController();
  const signal = AbortSignal.any([stopper.signal, ctx.signal]);
  const gapMs = (1000 * pace.rowsPerRequest) / pace.rowsPerSecond;
  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      if (signal.aborted || ms <= 0) return resolve();
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done, { once: true });
    });
  const loop = async (): Promise<SentTraffic> => {
    const started = Date.now();
    let inARow = 0;
    for (let i = 0; !signal.aborted; i++) {
      if (pace.seconds !== undefined && Date.now() - started >= pace.seconds * 1000) break;
      if (pace.rows !== undefined && sent.rows >= pace.rows) break;
      await sleep(started + i * gapMs - Date.now());
      if (signal.aborted) break;
      const rows = stream.take(pace.rowsPerRequest);
      sent.firstRequestAt ??= Date.now();
      sent.requests += 1;
      sent.rows += rows.length;
      let problem: string | undefined;
      try {
        const answer = await ctx.http.request(`${target.url}/predict`, {
          method: 'POST',
          json: { rows },
          headers: { authorization: target.authHeader },
          timeoutMs: 10_000,
          maxBytes: 1024 * 1024,
          maxRedirects: 0,
          signal: ctx.signal,
        });
        if (answer.status !== 200) problem = `HTTP ${answer.status}: ${answer.body.replace(/\s+/g, ' ').slice(0, 200)}`;
      } catch (error) {
        if (ctx.signal.aborted) break;
        problem = (error as Error).message.split('\n')[0]!.slice(0, 200);
      }
      if (problem === undefined) {
        inARow = 0;
        continue;
      }
      sent.failedRequests += 1;
      if (sent.failures.length < KEPT_FAILURES) sent.failures.push(`request ${sent.requests}: ${problem}`);
      if (++inARow >= CONSECUTIVE_FAILURES) {
        sent.gaveUp = `${CONSECUTIVE_FAILURES} requests in a row failed`;
        break;
      }
    }
    return sent;
  };
  const done = loop();
  return {
    done,
    sent: () => ({ ...sent, failures: [...sent.failures] }),
    async stop() {
      stopper.abort();
      return await done;
    },
  };
}
