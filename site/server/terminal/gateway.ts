import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { MlopsLabError } from '@mlops-lab/grader';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { workspaceState, type ServerContext } from '../context.ts';
import { checkRequest } from '../security.ts';
import type { TerminalBackend } from './backend.ts';
// Backend choice (MLOPS_LAB_TERMINAL_BACKEND=local|cluster): see kube-backend.ts.
import { terminalBackendFromEnv } from './kube-backend.ts';
import { CLOSE, MAX_PAYLOAD_BYTES, parseClientMessage, TERMINAL_PATH, type ServerMessage } from './protocol.ts';
import { DEFAULT_IDLE_MS, DEFAULT_MAX_SESSIONS, SessionManager, type SessionSink, type TerminalSession } from './sessions.ts';
import { TokenStore } from './tokens.ts';

export const HEARTBEAT_MS = 20_000;
/** The size of a new session's pty until the client's first resize. */
const DEFAULT_COLS = 80;
const DEFAULT_ROWS = 24;

export interface TerminalGatewayOptions {
  ctx: ServerContext;
  /** The Host values the server answers to (known once it listens). */
  allowedHosts: () => ReadonlySet<string>;
  /** Default: from MLOPS_LAB_TERMINAL_BACKEND — shells on this machine (node-pty), or in the workspace pod (`cluster`). */
  backend?: TerminalBackend;
  heartbeatMs?: number;
}

export interface TerminalGateway {
  readonly tokens: TokenStore;
  readonly sessions: SessionManager;
  /** The HTTP server's `upgrade` listener. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Kills every pty and closes every socket. */
  close(): Promise<void>;
}

function positiveInt(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return value && Number.isInteger(n) && n > 0 ? n : fallback;
}

/** `true` when `origin` is `http://<host>` for the request's own Host. */
export function sameOrigin(origin: string | undefined, host: string | undefined): boolean {
  if (!origin || origin === 'null' || !host) return false;
  try {
    const o = new URL(origin);
    const h = new URL(`http://${host}`);
    return o.protocol === 'http:' && o.host === h.host;
  } catch {
    return false;
  }
}

class Refusal extends Error {
  readonly status: number;
  readonly code: string;
  readonly nextStep: string | undefined;
  constructor(status: number, code: string, message: string, nextStep?: string) {
    super(message);
    this.status = status;
    this.code = code;
    this.nextStep = nextStep;
  }
}

/** A plain HTTP answer on a socket that was never upgraded, then the socket is closed. */
function refuse(socket: Duplex, refusal: Refusal): void {
  if (socket.destroyed) return;
  const body = JSON.stringify({
    error: { code: refusal.code, message: refusal.message, ...(refusal.nextStep ? { nextStep: refusal.nextStep } : {}) },
  });
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${refusal.status} ${STATUS_CODES[refusal.status] ?? 'Error'}\r\n` +
      'connection: close\r\n' +
      'content-type: application/json; charset=utf-8\r\n' +
      `content-length: ${Buffer.byteLength(body)}\r\n` +
      'cache-control: no-store\r\n' +
      'x-content-type-options: nosniff\r\n' +
      '\r\n' +
      body,
  );
}

function rawText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

/**
 * The terminal gateway: tokens, the WebSocket upgrade at /api/terminal (all
 * checks happen before upgrading), sessions, heartbeats. See protocol.ts.
 */
export function createTerminalGateway(options: TerminalGatewayOptions): TerminalGateway {
  const { ctx } = options;
  const env = ctx.env;
  const log = ctx.log;
  const tokens = new TokenStore({ ttlMs: positiveInt(env.MLOPS_LAB_TERMINAL_TOKEN_TTL_MS, 60_000) });
  const sessions = new SessionManager({
    backend: options.backend ?? terminalBackendFromEnv(env),
    idleMs: positiveInt(env.MLOPS_LAB_TERMINAL_IDLE_MS, DEFAULT_IDLE_MS),
    maxPerLearner: positiveInt(env.MLOPS_LAB_TERMINAL_MAX_SESSIONS, DEFAULT_MAX_SESSIONS),
    log,
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_PAYLOAD_BYTES, perMessageDeflate: false });
  const alive = new WeakMap<WebSocket, boolean>();
  let closing = false;

  const heartbeat = setInterval(() => {
    for (const ws of wss.clients) {
      if (alive.get(ws) === false) {
        ws.terminate();
        continue;
      }
      alive.set(ws, false);
      try {
        ws.ping();
      } catch {
        // closing
      }
    }
  }, options.heartbeatMs ?? HEARTBEAT_MS);
  heartbeat.unref();

  /** Every check before the upgrade; what to attach (an existing session, or a new one in `cwd`). */
  async function admit(
    req: IncomingMessage,
    url: URL,
  ): Promise<{ learner: string; labId: string; session?: TerminalSession; cwd?: string }> {
    const hostRefusal = checkRequest(req, options.allowedHosts());
    if (hostRefusal) throw new Refusal(hostRefusal.status, hostRefusal.code, hostRefusal.message, hostRefusal.nextStep);
    const origin = req.headers.origin;
    if (!sameOrigin(origin, req.headers.host)) {
      throw new Refusal(
        403,
        'CROSS_ORIGIN',
        origin ? `Refused a terminal from another origin (${origin}).` : 'Refused a terminal without an Origin header.',
        'Open the terminal from the lab site itself.',
      );
    }
    const grant = tokens.consume(url.searchParams.get('token'));
    if (!grant) {
      throw new Refusal(
        401,
        'TOKEN_INVALID',
        'The terminal token is missing, unknown, expired or already used.',
        'Get a fresh one: GET /api/terminal/token?lab=<lab id>.',
      );
    }
    const labId = url.searchParams.get('lab') ?? '';
    try {
      await ctx.lab(labId);
    } catch (error) {
      if (error instanceof MlopsLabError && error.code === 'LAB_UNKNOWN')
        throw new Refusal(404, 'LAB_UNKNOWN', error.message, error.nextStep);
      throw error;
    }
    if (grant.labId !== labId) throw new Refusal(401, 'TOKEN_INVALID', `The terminal token is for another lab (${grant.labId}).`);
    const sessionId = url.searchParams.get('session');
    if (sessionId) {
      const access = sessions.check(sessionId, grant.learner, labId);
      if (!access.ok) throw new Refusal(access.status, access.code, access.message, 'Open a new terminal (leave out `session`).');
      return { learner: grant.learner, labId, session: access.session };
    }
    const lab = await ctx.lab(labId);
    const workspace = await workspaceState(ctx, lab);
    if (!workspace.exists) {
      throw new Refusal(
        409,
        'WORKSPACE_MISSING',
        `${labId} has no workspace yet: start the lab first.`,
        `Press Start on the lab page (POST /api/labs/${labId}/start), or run \`mlops-lab start ${labId}\`.`,
      );
    }
    return { learner: grant.learner, labId, cwd: workspace.dir };
  }

  function sinkFor(ws: WebSocket): SessionSink {
    return {
      send(message: ServerMessage) {
        if (ws.readyState === 1) ws.send(JSON.stringify(message));
      },
      output(data: Buffer) {
        if (ws.readyState === 1) ws.send(data, { binary: true });
      },
      close(code: number, reason: string) {
        ws.close(code, reason);
      },
    };
  }

  function connected(ws: WebSocket, admitted: Awaited<ReturnType<typeof admit>>): void {
    alive.set(ws, true);
    ws.on('pong', () => alive.set(ws, true));
    ws.on('error', (error) => log.warn('terminal socket error', { message: error.message }));
    const sink = sinkFor(ws);
    const fail = (code: string, message: string, closeCode: number): void => {
      sink.send({ t: 'error', code, message });
      ws.close(closeCode, code);
    };
    let session = admitted.session;
    if (session) {
      // It may have ended while the upgrade was under way.
      if (sessions.get(session.id) !== session) return fail('SESSION_UNKNOWN', 'The terminal session has ended.', CLOSE.normal);
    } else {
      if (!sessions.canCreate(admitted.learner)) {
        return fail(
          'TOO_MANY_SESSIONS',
          `You already have ${sessions.maxPerLearner} terminals open; close one (type exit) or re-attach to it.`,
          CLOSE.tryAgainLater,
        );
      }
      try {
        session = sessions.create({
          labId: admitted.labId,
          learner: admitted.learner,
          cwd: admitted.cwd!,
          env,
          cols: DEFAULT_COLS,
          rows: DEFAULT_ROWS,
        });
      } catch (error) {
        log.error('terminal spawn failed', { lab: admitted.labId, message: (error as Error).message });
        return fail('SPAWN_FAILED', `The shell could not be started: ${(error as Error).message}`, 1011);
      }
    }
    const attachment = sessions.attach(session, sink);
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        ws.close(CLOSE.policy, 'binary frames are not accepted');
        return;
      }
      const parsed = parseClientMessage(rawText(data));
      if (!parsed.ok) {
        ws.close(CLOSE.policy, parsed.reason);
        return;
      }
      attachment.handle(parsed.message);
    });
    ws.on('close', () => attachment.detach());
  }

  return {
    tokens,
    sessions,
    handleUpgrade(req, socket, head) {
      socket.on('error', () => {});
      let url: URL;
      try {
        url = new URL(req.url ?? '/', 'http://lab.invalid');
      } catch {
        url = new URL('http://lab.invalid/');
      }
      if (closing) return refuse(socket, new Refusal(503, 'STOPPING', 'The lab server is stopping.'));
      if (url.pathname !== TERMINAL_PATH)
        return refuse(socket, new Refusal(404, 'NOT_FOUND', `There is no WebSocket endpoint ${url.pathname}.`));
      admit(req, url).then(
        (admitted) => {
          if (socket.destroyed) return;
          if (closing) return refuse(socket, new Refusal(503, 'STOPPING', 'The lab server is stopping.'));
          wss.handleUpgrade(req, socket, head, (ws) => connected(ws, admitted));
        },
        (error: unknown) => {
          if (error instanceof Refusal) {
            log.info('terminal refused', { status: error.status, code: error.code });
            refuse(socket, error);
            return;
          }
          log.error('terminal upgrade failed', { message: (error as Error)?.message });
          refuse(socket, new Refusal(500, 'INTERNAL', 'The lab server hit an unexpected error; the details are in its log.'));
        },
      );
    },
    async close() {
      if (closing) return;
      closing = true;
      clearInterval(heartbeat);
      tokens.clear();
      sessions.closeAll(CLOSE.goingAway, 'the lab server is stopping');
      const open = [...wss.clients];
      for (const ws of open) ws.close(CLOSE.goingAway, 'the lab server is stopping');
      await Promise.race([
        Promise.all(open.map((ws) => (ws.readyState === 3 ? undefined : new Promise<void>((r) => ws.once('close', () => r()))))),
        new Promise((r) => setTimeout(r, 1_000).unref()),
      ]);
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
    },
  };
}
