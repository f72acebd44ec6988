/**
 * The browser side of the terminal gateway protocol (site/server/terminal/),
 * without any UI: token, WebSocket, hello/replay, flow-control acks, pings,
 * reconnects with capped exponential backoff. Terminal.tsx owns the xterm
 * instance and renders the status this reports.
 *
 * Protocol:
 *   GET /api/terminal/token?lab=<id>  -> { token, expiresAt } (60 s, single use;
 *     a new one for every (re)connect)
 *   WS  /api/terminal?token=<t>&lab=<id>[&session=<id>]
 *   client -> server (text JSON): input, resize, ping, ack
 *   server -> client: binary = output bytes; text JSON hello, pong, exit, error
 */
import { apiGet, type ApiError } from '../../lib/api.ts';

export type TerminalStatus =
  | { kind: 'connecting' }
  | { kind: 'connected'; latencyMs?: number }
  | { kind: 'reconnecting'; seconds: number; attempt: number; reason?: string }
  | { kind: 'exited'; code: number }
  | { kind: 'not-started' }
  | { kind: 'error'; message: string; nextStep?: string };

/** What the connection needs from the terminal it feeds. */
export interface TerminalSink {
  /** Writes output; `done` fires once xterm has parsed it (flow control). */
  write(bytes: Uint8Array, done: () => void): void;
  /** Clears the screen and scrollback before the server replays them. */
  reset(): void;
  size(): { cols: number; rows: number };
}

type ServerMessage =
  | { t: 'hello'; session: string; replay: number; cols: number; rows: number }
  | { t: 'pong'; id: number }
  | { t: 'exit'; code: number }
  | { t: 'error'; code: string; message: string; nextStep?: string };

/** Ack written bytes at least this often (xterm.js flow-control guide). */
export const ACK_BYTES = 64 * 1024;
/** …and after this much quiet, so small outputs are acked too. */
export const ACK_IDLE_MS = 100;
export const PING_EVERY_MS = 15_000;
/** No pong for this long: the socket is dead even if it has not said so. */
export const PONG_TIMEOUT_MS = 40_000;
const BACKOFF_FIRST_S = 1;
export const BACKOFF_MAX_S = 30;
/** While the lab has no workspace, look again this often. */
const NOT_STARTED_POLL_MS = 2_000;

/** Delay before reconnect attempt `attempt` (1-based): 1, 2, 4, 8, 16, 30, 30, … seconds. */
export function backoffSeconds(attempt: number): number {
  return Math.min(BACKOFF_MAX_S, BACKOFF_FIRST_S * 2 ** Math.max(0, attempt - 1));
}

/** Close codes of the gateway (site/server/terminal/protocol.ts CLOSE). */
const CLOSE_TRY_LATER = 1013;
const CLOSE_REPLACED = 4000;

const NOT_STARTED = /NOT_STARTED|NO_WORKSPACE|WORKSPACE_MISSING|WORKSPACE_NOT_FOUND/i;
const STALE_SESSION = /SESSION/i;

export function sessionKey(labId: string): string {
  return `mlops-lab:terminal-session:${labId}`;
}

/** A fresh single-use token for one WebSocket connect; the HTTP status tells retryable from refused. */
async function fetchToken(labId: string): Promise<{ ok: true; token: string } | { ok: false; status: number; problem: ApiError }> {
  let response: Response;
  try {
    response = await fetch(`/api/terminal/token?lab=${encodeURIComponent(labId)}`, {
      headers: { accept: 'application/json' },
      cache: 'no-store',
    });
  } catch {
    return {
      ok: false,
      status: 0,
      problem: { code: 'SERVER_UNREACHABLE', message: 'The lab server is not reachable.', nextStep: 'Is `npm start` still running?' },
    };
  }
  let body: { token?: string; error?: ApiError } | undefined;
  try {
    body = (await response.json()) as typeof body;
  } catch {
    body = undefined;
  }
  if (response.ok && typeof body?.token === 'string') return { ok: true, token: body.token };
  return {
    ok: false,
    status: response.ok ? 500 : response.status,
    problem: body?.error ?? {
      code: `HTTP_${response.status}`,
      message:
        response.status === 404
          ? 'The terminal gateway is not available on this server.'
          : `The terminal gateway answered ${response.status}.`,
      nextStep: 'Update MLOps Lab and restart `npm start`, or work in your own terminal meanwhile.',
    },
  };
}

function storage(): Storage | undefined {
  try {
    return window.sessionStorage;
  } catch {
    return undefined;
  }
}

/** Heartbeat timing (tests shorten it). */
export interface ConnectionTiming {
  pingEveryMs: number;
  pongTimeoutMs: number;
}

export class TerminalConnection {
  readonly #labId: string;
  readonly #timing: ConnectionTiming;
  readonly #sink: TerminalSink;
  readonly #onStatus: (status: TerminalStatus) => void;
  #ws: WebSocket | undefined;
  #status: TerminalStatus = { kind: 'connecting' };
  #attempt = 0;
  #timers = new Set<ReturnType<typeof setTimeout>>();
  #pingTimer: ReturnType<typeof setInterval> | undefined;
  #ackTimer: ReturnType<typeof setTimeout> | undefined;
  #unacked = 0;
  #pingId = 0;
  #pings = new Map<number, number>();
  #latencyMs: number | undefined;
  /** Set when the close that follows must not reconnect (exit, a refusal, dispose). */
  #final = false;
  #disposed = false;

  constructor(
    labId: string,
    sink: TerminalSink,
    onStatus: (status: TerminalStatus) => void,
    timing: ConnectionTiming = { pingEveryMs: PING_EVERY_MS, pongTimeoutMs: PONG_TIMEOUT_MS },
  ) {
    this.#labId = labId;
    this.#timing = timing;
    this.#sink = sink;
    this.#onStatus = onStatus;
  }

  get status(): TerminalStatus {
    return this.#status;
  }

  /** Connects (or reconnects now, skipping any backoff wait). */
  connect(): void {
    if (this.#disposed) return;
    this.#clearTimers();
    this.#closeSocket();
    this.#final = false;
    this.#setStatus({ kind: 'connecting' });
    void this.#open();
  }

  /** A new shell: forgets the stored session, then connects. */
  restart(): void {
    storage()?.removeItem(sessionKey(this.#labId));
    this.#attempt = 0;
    this.connect();
  }

  /** Keystrokes and pastes go out at once, never queued behind output. */
  input(data: string): void {
    this.#send({ t: 'input', d: data });
  }

  resize(cols: number, rows: number): void {
    this.#send({ t: 'resize', cols, rows });
  }

  dispose(): void {
    this.#disposed = true;
    this.#final = true;
    this.#clearTimers();
    this.#closeSocket();
  }

  #setStatus(status: TerminalStatus): void {
    this.#status = status;
    if (!this.#disposed) this.#onStatus(status);
  }

  #send(message: object): boolean {
    const ws = this.#ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return false;
    ws.send(JSON.stringify(message));
    return true;
  }

  #later(fn: () => void, ms: number): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      fn();
    }, ms);
    this.#timers.add(timer);
  }

  #clearTimers(): void {
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    if (this.#pingTimer) clearInterval(this.#pingTimer);
    this.#pingTimer = undefined;
    if (this.#ackTimer) clearTimeout(this.#ackTimer);
    this.#ackTimer = undefined;
  }

  #closeSocket(): void {
    const ws = this.#ws;
    this.#ws = undefined;
    if (ws && ws.readyState <= WebSocket.OPEN) ws.close(1000, 'client closed');
  }

  async #open(): Promise<void> {
    const stored = storage()?.getItem(sessionKey(this.#labId)) ?? undefined;
    // A new shell needs the lab's workspace; say so instead of failing at the gateway.
    if (!stored) {
      try {
        const lab = await apiGet<{ workspace?: { exists?: boolean } }>(`/api/labs/${this.#labId}`);
        if (this.#disposed) return;
        if (lab.workspace && lab.workspace.exists === false) {
          this.#notStarted();
          return;
        }
      } catch (error) {
        if (this.#disposed) return;
        this.#retry(error as ApiError);
        return;
      }
    }
    const got = await fetchToken(this.#labId);
    if (this.#disposed) return;
    if (!got.ok) {
      const { status, problem } = got;
      if (NOT_STARTED.test(problem.code) || /start the lab/i.test(problem.message)) this.#notStarted();
      // Unreachable, a server error, no gateway (yet), rate-limited: try again later.
      else if (status === 0 || status >= 500 || status === 404 || status === 429) this.#retry(problem);
      // Refused (403, 409, …): retrying will not help; say why and what to do.
      else this.#fail(problem);
      return;
    }
    const token = got.token;
    if (this.#disposed) return;

    const url = new URL('/api/terminal', window.location.href);
    url.protocol = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
    url.searchParams.set('token', token);
    url.searchParams.set('lab', this.#labId);
    if (stored) url.searchParams.set('session', stored);

    const ws = new WebSocket(url.href);
    ws.binaryType = 'arraybuffer';
    this.#ws = ws;
    this.#unacked = 0;
    this.#pings.clear();
    let greeted = false;

    ws.onmessage = (event: MessageEvent<ArrayBuffer | string>) => {
      if (ws !== this.#ws) return;
      if (typeof event.data !== 'string') {
        const bytes = new Uint8Array(event.data);
        this.#sink.write(bytes, () => this.#written(ws, bytes.length));
        return;
      }
      let message: ServerMessage;
      try {
        message = JSON.parse(event.data) as ServerMessage;
      } catch {
        return;
      }
      switch (message.t) {
        case 'hello':
          greeted = true;
          this.#attempt = 0;
          storage()?.setItem(sessionKey(this.#labId), message.session);
          // The server replays the session's scrollback next: start from a clean screen so a
          // reconnect within the page does not show it twice.
          if (message.replay > 0) this.#sink.reset();
          {
            const { cols, rows } = this.#sink.size();
            if (cols !== message.cols || rows !== message.rows) this.resize(cols, rows);
          }
          this.#latencyMs = undefined;
          this.#setStatus({ kind: 'connected' });
          this.#ping();
          this.#pingTimer = setInterval(() => this.#ping(), this.#timing.pingEveryMs);
          break;
        case 'pong': {
          const sent = this.#pings.get(message.id);
          if (sent === undefined) break;
          // Pings are answered in order; anything older is answered too.
          for (const id of this.#pings.keys()) if (id <= message.id) this.#pings.delete(id);
          this.#latencyMs = Math.round(performance.now() - sent);
          if (this.#status.kind === 'connected') this.#setStatus({ kind: 'connected', latencyMs: this.#latencyMs });
          break;
        }
        case 'exit':
          this.#final = true;
          storage()?.removeItem(sessionKey(this.#labId));
          this.#setStatus({ kind: 'exited', code: message.code });
          break;
        case 'error':
          if (STALE_SESSION.test(message.code) && stored && !greeted) {
            // The stored session is gone (server restarted, shell ended meanwhile): start a new one.
            storage()?.removeItem(sessionKey(this.#labId));
            this.#final = true;
            this.#later(() => this.connect(), 0);
          } else if (NOT_STARTED.test(message.code)) {
            this.#final = true;
            this.#notStarted();
          } else {
            this.#final = true;
            this.#fail({ code: message.code, message: message.message, nextStep: message.nextStep });
          }
          break;
      }
    };

    let opened = false;
    ws.onopen = () => {
      opened = true;
    };

    ws.onclose = (event) => {
      if (ws !== this.#ws) return;
      this.#ws = undefined;
      if (this.#pingTimer) clearInterval(this.#pingTimer);
      this.#pingTimer = undefined;
      if (this.#final || this.#disposed) return;
      if (event.code === CLOSE_REPLACED) {
        // Another tab (a duplicated tab shares sessionStorage) took this session over; fighting back would loop.
        this.#fail({
          code: 'SESSION_REPLACED',
          message: 'This terminal session was opened in another tab.',
          nextStep: 'Use that tab, or press Try again to take it back here.',
        });
        return;
      }
      if (event.code === CLOSE_TRY_LATER) {
        this.#fail({
          code: 'TOO_MANY_SESSIONS',
          message: event.reason || 'You have too many terminal sessions open.',
          nextStep: 'Close the terminal in other tabs (type `exit`), then press Try again.',
        });
        return;
      }
      if (!opened && stored) {
        // The gateway refused the upgrade right after granting a token: the stored session is most likely
        // gone (404) or not ours (403). Forget it; the next attempt starts a new shell (or says the lab is not started).
        storage()?.removeItem(sessionKey(this.#labId));
      }
      this.#retry({
        code: 'CLOSED',
        message: greeted
          ? 'The connection to the terminal was lost.'
          : `The terminal gateway refused the connection${event.reason ? `: ${event.reason}` : ''}.`,
      });
    };
  }

  /** Flow control: count bytes xterm has parsed; ack every ACK_BYTES, or after a short quiet. */
  #written(ws: WebSocket, n: number): void {
    if (ws !== this.#ws) return;
    this.#unacked += n;
    if (this.#unacked >= ACK_BYTES) {
      this.#ack();
    } else if (!this.#ackTimer) {
      this.#ackTimer = setTimeout(() => {
        this.#ackTimer = undefined;
        this.#ack();
      }, ACK_IDLE_MS);
    }
  }

  #ack(): void {
    if (this.#ackTimer) clearTimeout(this.#ackTimer);
    this.#ackTimer = undefined;
    if (this.#unacked === 0) return;
    if (this.#send({ t: 'ack', bytes: this.#unacked })) this.#unacked = 0;
  }

  #ping(): void {
    const oldest = this.#pings.values().next().value;
    if (oldest !== undefined && performance.now() - oldest > this.#timing.pongTimeoutMs) {
      // Half-open socket: a close handshake would never finish (browsers wait up to a minute for it),
      // so let this socket go without waiting for its close event and reconnect now.
      const ws = this.#ws;
      this.#ws = undefined;
      if (this.#pingTimer) clearInterval(this.#pingTimer);
      this.#pingTimer = undefined;
      if (ws) {
        ws.onmessage = null;
        ws.onclose = null;
        ws.close(1000, 'pong timeout');
      }
      this.#retry({ code: 'PONG_TIMEOUT', message: 'The terminal stopped answering.' });
      return;
    }
    const id = ++this.#pingId;
    if (this.#send({ t: 'ping', id })) this.#pings.set(id, performance.now());
  }

  #retry(reason: ApiError): void {
    this.#attempt += 1;
    const attempt = this.#attempt;
    let seconds = backoffSeconds(attempt);
    const tick = (): void => {
      if (seconds <= 0) {
        this.connect();
        return;
      }
      this.#setStatus({ kind: 'reconnecting', seconds, attempt, reason: reason.message });
      seconds -= 1;
      this.#later(tick, 1000);
    };
    tick();
  }

  #notStarted(): void {
    this.#setStatus({ kind: 'not-started' });
    const poll = async (): Promise<void> => {
      if (this.#disposed || this.#status.kind !== 'not-started') return;
      try {
        const lab = await apiGet<{ workspace?: { exists?: boolean } }>(`/api/labs/${this.#labId}`);
        if (this.#status.kind !== 'not-started') return;
        if (lab.workspace?.exists) {
          this.connect();
          return;
        }
      } catch {
        // keep polling; the status already says what to do
      }
      this.#later(() => void poll(), NOT_STARTED_POLL_MS);
    };
    this.#later(() => void poll(), NOT_STARTED_POLL_MS);
  }

  #fail(problem: ApiError): void {
    this.#final = true;
    this.#closeSocket();
    this.#setStatus({ kind: 'error', message: problem.message, nextStep: problem.nextStep });
  }
}
