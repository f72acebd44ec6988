import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { currentLearner, ProgressStore, SettingsStore, settingsFile, storeFile, UsageError } from '@mlops-lab/grader';
import { createApi, createMentorModeApi } from './api.ts';
import { labCatalogue, type ServerContext } from './context.ts';
import { toHttpError } from './errors.ts';
import { AttemptFeed } from './feed.ts';
import { sendHttpError } from './http.ts';
import { jsonLogger, type Logger } from './log.ts';
import { createMentorContext, mentorStoreUrl } from './mentor/context.ts';
import { openMentorStore } from './mentor/store/index.ts';
import type { MentorStore } from './mentor/store/types.ts';
import { RunRegistry } from './runs.ts';
import { allowedHosts, applySecurityHeaders, checkRequest } from './security.ts';
import { createSiteHandler } from './site.ts';
import { StreamSet } from './sse.ts';
import { createTerminalGateway } from './terminal/gateway.ts';

export const DEFAULT_PORT = 4321;
export const DEFAULT_HOST = '127.0.0.1';

export interface LabServerOptions {
  /** TCP port; 0 picks a free one. Default 4321. */
  port?: number;
  /** Address to bind. Default 127.0.0.1 (loopback only). */
  host?: string;
  /** What the engine sees: MLOPS_LAB_HOME, MLOPS_LAB_LEARNER, DOCKER_HOST, MLOPS_LAB_ALLOWED_HOSTS, … Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** The site package folder (holding `dist/`). Default: this file's parent folder. */
  siteDir?: string;
  /** Where log lines go. Default: JSON lines on stdout/stderr. */
  log?: Logger;
  /**
   * `learner` (default): the learner's own machine (labs, grading, terminal).
   * `mentor`: the cohort server (sync API, mentor API; learner-machine routes answer 404).
   * Default: `MLOPS_LAB_MODE` of `env`, else `learner`.
   */
  mode?: LabServerMode;
  /** Mentor mode: the store to use (the server does not close it). Default: `openMentorStore(MLOPS_LAB_MENTOR_STORE ?? <data home>/mentor.json)`. */
  mentorStore?: MentorStore;
  /** Mentor mode: the clock (tests move it). */
  now?: () => Date;
}

export type LabServerMode = 'learner' | 'mentor';

/** The mode from options or `MLOPS_LAB_MODE`; anything else than the two modes is a usage error. */
export function serverMode(option: LabServerMode | undefined, env: NodeJS.ProcessEnv): LabServerMode {
  const value = option ?? (env.MLOPS_LAB_MODE?.trim() || 'learner');
  if (value !== 'learner' && value !== 'mentor') {
    throw new UsageError(
      'MODE_INVALID',
      `MLOPS_LAB_MODE is "${value}"; it can be "learner" or "mentor".`,
      'Unset it for the learner server, or set MLOPS_LAB_MODE=mentor.',
    );
  }
  return value;
}

export { mentorStoreUrl };

export interface LabServer {
  /** e.g. `http://127.0.0.1:4321`. */
  url: string;
  port: number;
  mode: LabServerMode;
  /** Ends event streams, stops watchers and running checks, and closes the server. */
  close(): Promise<void>;
}

/**
 * The lab server: the JSON API under /api, then the built Astro site. One
 * process, the single writer of the learner's progress in the browser;
 * the CLI writes the same store safely alongside it.
 */
export async function createLabServer(options: LabServerOptions = {}): Promise<LabServer> {
  const env = options.env ?? process.env;
  const log = options.log ?? jsonLogger();
  const host = options.host ?? DEFAULT_HOST;
  const siteDir = options.siteDir ?? resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const mode = serverMode(options.mode, env);
  const learner = currentLearner(env);
  const store = ProgressStore.open(storeFile(env));
  const shutdown = new AbortController();
  const feed = new AttemptFeed({ store, learner, log });
  const ctx: ServerContext = {
    env,
    learner,
    log,
    store,
    settings: SettingsStore.open(settingsFile(env)),
    runs: new RunRegistry(),
    feed,
    streams: new StreamSet(),
    shutdown: shutdown.signal,
    ...labCatalogue(env),
  };
  let allowed = new Set<string>();
  // Mentor mode: no local progress, no terminal; the mentor store instead.
  const ownStore = mode === 'mentor' && !options.mentorStore;
  const mentorStore = mode === 'mentor' ? (options.mentorStore ?? (await openMentorStore(mentorStoreUrl(env)))) : undefined;
  if (mode === 'learner') await feed.start();
  // The terminal: tokens under /api, the WebSocket on the `upgrade` event (see terminal/protocol.ts).
  const terminal = mode === 'learner' ? createTerminalGateway({ ctx, allowedHosts: () => allowed }) : undefined;
  const api = mentorStore
    ? createMentorModeApi(
        ctx,
        createMentorContext({ env, log, store: mentorStore, labs: ctx.labs, ...(options.now ? { now: options.now } : {}) }),
      )
    : createApi(ctx, terminal);
  const site = await createSiteHandler(siteDir, log);

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://lab.invalid');
    } catch {
      url = new URL('http://lab.invalid/');
    }
    const isApi = url.pathname === '/api' || url.pathname.startsWith('/api/');
    applySecurityHeaders(res, isApi);
    try {
      const refused = checkRequest(req, allowed, mode === 'mentor' ? { bearerPaths: /^\/api\/sync(\/|$)/, httpsOrigin: true } : {});
      if (refused) {
        // The request's body is not read: close the connection after answering.
        if (req.headers['content-length'] || req.headers['transfer-encoding']) res.setHeader('connection', 'close');
        sendHttpError(res, refused);
        return;
      }
      if (isApi) await api(req, res, url);
      else await site.handle(req, res);
    } catch (error) {
      const http = toHttpError(error, log, { method: req.method, path: url.pathname });
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (isApi || http.status !== 500) {
        sendHttpError(res, http);
      } else {
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        res.end('The lab server hit an unexpected error; the details are in its log.\n');
      }
    }
  };

  const server = createServer((req, res) => void handle(req, res));
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (terminal) {
      terminal.handleUpgrade(req, socket, head);
      return;
    }
    socket.on('error', () => {});
    const body = JSON.stringify({ error: { code: 'MENTOR_MODE', message: 'This is a mentor server: it has no terminal.' } });
    socket.end(
      `HTTP/1.1 404 Not Found\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  });
  // Slow clients cannot hold a request open forever; event streams are
  // responses, which these limits do not cover.
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;

  try {
    await new Promise<void>((resolvePromise, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? DEFAULT_PORT, host, () => {
        server.off('error', reject);
        resolvePromise();
      });
    });
  } catch (error) {
    feed.close();
    await terminal?.close();
    if (ownStore) await mentorStore?.close();
    throw error;
  }
  const port = (server.address() as AddressInfo).port;
  allowed = allowedHosts(port, host, env);
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;

  let closing: Promise<void> | undefined;
  return {
    url: `http://${shown}:${port}`,
    port,
    mode,
    close() {
      closing ??= (async () => {
        shutdown.abort(new Error('the lab server is stopping'));
        feed.close();
        const stopped = new Promise<void>((r) => server.close(() => r()));
        await ctx.runs.close();
        ctx.streams.closeAll();
        await terminal?.close();
        server.closeIdleConnections();
        // Give in-flight answers a moment, then cut what is left.
        const timer = setTimeout(() => server.closeAllConnections(), 2_000);
        await stopped;
        clearTimeout(timer);
        if (ownStore) await mentorStore?.close();
      })();
      return closing;
    },
  };
}
