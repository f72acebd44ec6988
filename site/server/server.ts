import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { currentLearner, ProgressStore, SettingsStore, settingsFile, storeFile } from '@mlops-lab/grader';
import { createApi } from './api.ts';
import { labCatalogue, type ServerContext } from './context.ts';
import { toHttpError } from './errors.ts';
import { AttemptFeed } from './feed.ts';
import { sendHttpError } from './http.ts';
import { jsonLogger, type Logger } from './log.ts';
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
}

export interface LabServer {
  /** e.g. `http://127.0.0.1:4321`. */
  url: string;
  port: number;
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
  await feed.start();
  let allowed = new Set<string>();
  // The terminal: tokens under /api, the WebSocket on the `upgrade` event (see terminal/protocol.ts).
  const terminal = createTerminalGateway({ ctx, allowedHosts: () => allowed });
  const api = createApi(ctx, terminal);
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
      const refused = checkRequest(req, allowed);
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
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => terminal.handleUpgrade(req, socket, head));
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
    await terminal.close();
    throw error;
  }
  const port = (server.address() as AddressInfo).port;
  allowed = allowedHosts(port, host, env);
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;

  let closing: Promise<void> | undefined;
  return {
    url: `http://${shown}:${port}`,
    port,
    close() {
      closing ??= (async () => {
        shutdown.abort(new Error('the lab server is stopping'));
        feed.close();
        const stopped = new Promise<void>((r) => server.close(() => r()));
        await ctx.runs.close();
        ctx.streams.closeAll();
        await terminal.close();
        server.closeIdleConnections();
        // Give in-flight answers a moment, then cut what is left.
        const timer = setTimeout(() => server.closeAllConnections(), 2_000);
        await stopped;
        clearTimeout(timer);
      })();
      return closing;
    },
  };
}
