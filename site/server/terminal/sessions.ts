import { randomBytes } from 'node:crypto';
import type { Logger } from '../log.ts';
import type { SpawnOptions, TerminalBackend, TerminalProcess } from './backend.ts';
import { CLOSE, FLOW_HIGH_BYTES, FLOW_LOW_BYTES, SCROLLBACK_BYTES, type ClientMessage, type ServerMessage } from './protocol.ts';
import { RingBuffer } from './ring-buffer.ts';

/** Where an attached session's messages go: one WebSocket, or a fake in tests. */
export interface SessionSink {
  /** A TEXT frame. */
  send(message: ServerMessage): void;
  /** A BINARY frame of output. */
  output(data: Buffer): void;
  close(code: number, reason: string): void;
}

export interface SessionManagerOptions {
  backend: TerminalBackend;
  /** A session with no socket ends after this long. Default 30 min. */
  idleMs?: number;
  /** Sessions one learner may have at once. Default 4. */
  maxPerLearner?: number;
  scrollbackBytes?: number;
  highBytes?: number;
  lowBytes?: number;
  /** Flush coalesced output once this many bytes wait. Default OUTPUT_FRAME_BYTES. */
  frameBytes?: number;
  log?: Logger;
}

export const DEFAULT_IDLE_MS = 30 * 60_000;
export const DEFAULT_MAX_SESSIONS = 4;
/** Output is replayed in frames of at most this size. */
const REPLAY_FRAME_BYTES = 32 * 1024;
/**
 * Live output is coalesced: pty reads (about 4 KiB each on Linux) queued
 * in one turn of the event loop go out as one frame, flushed on
 * `setImmediate` or as soon as this many bytes are waiting. Fewer,
 * larger frames cost the server, the socket and the browser less per
 * byte; a lone keystroke echo still leaves in the same loop turn.
 */
export const OUTPUT_FRAME_BYTES = 256 * 1024;

/** One pty that outlives its sockets: owned by a learner and a lab. */
export class TerminalSession {
  readonly id: string;
  readonly learner: string;
  readonly labId: string;
  readonly createdAt = Date.now();
  cols: number;
  rows: number;
  /** Output bytes sent to the attached socket and not yet acked. */
  inFlight = 0;
  /** The pty is paused for flow control. */
  paused = false;
  exited = false;
  exitCode: number | undefined;
  readonly scrollback: RingBuffer;
  readonly process: TerminalProcess;
  sink: SessionSink | undefined;
  idleTimer: NodeJS.Timeout | undefined;
  /** Live output read but not yet framed (see OUTPUT_FRAME_BYTES). */
  pending: Buffer[] = [];
  pendingBytes = 0;
  flushScheduled = false;

  constructor(id: string, opts: SpawnOptions, process: TerminalProcess, scrollbackBytes: number) {
    this.id = id;
    this.learner = opts.learner;
    this.labId = opts.labId;
    this.cols = opts.cols;
    this.rows = opts.rows;
    this.process = process;
    this.scrollback = new RingBuffer(scrollbackBytes);
  }
}

/** The result of `check`: may this learner attach this session of this lab? */
export type SessionAccess = { ok: true; session: TerminalSession } | { ok: false; status: 403 | 404; code: string; message: string };

/** Handles the client messages of one attached socket. */
export interface Attachment {
  readonly session: TerminalSession;
  handle(message: ClientMessage): void;
  /** The socket went away (a no-op once another socket replaced it). */
  detach(): void;
}

/**
 * The terminal sessions of one lab server, keyed by id. A dropped socket
 * detaches its session; re-attaching replays the scrollback then streams
 * live output; a new attach replaces the old socket (closed with 4000).
 * Sessions without a socket end after `idleMs`. Flow control: above
 * `highBytes` unacked the pty is paused, under `lowBytes` it resumes.
 */
export class SessionManager {
  readonly #sessions = new Map<string, TerminalSession>();
  readonly #backend: TerminalBackend;
  readonly idleMs: number;
  readonly maxPerLearner: number;
  readonly #scrollbackBytes: number;
  readonly #high: number;
  readonly #frameBytes: number;
  readonly #low: number;
  readonly #log: Logger | undefined;

  constructor(options: SessionManagerOptions) {
    this.#backend = options.backend;
    this.idleMs = options.idleMs ?? DEFAULT_IDLE_MS;
    this.maxPerLearner = options.maxPerLearner ?? DEFAULT_MAX_SESSIONS;
    this.#scrollbackBytes = options.scrollbackBytes ?? SCROLLBACK_BYTES;
    this.#high = options.highBytes ?? FLOW_HIGH_BYTES;
    this.#low = options.lowBytes ?? FLOW_LOW_BYTES;
    this.#frameBytes = options.frameBytes ?? OUTPUT_FRAME_BYTES;
    this.#log = options.log;
  }

  get size(): number {
    return this.#sessions.size;
  }

  get(id: string): TerminalSession | undefined {
    return this.#sessions.get(id);
  }

  /** Sessions of a learner (all labs). */
  countFor(learner: string): number {
    let n = 0;
    for (const s of this.#sessions.values()) if (s.learner === learner) n += 1;
    return n;
  }

  canCreate(learner: string): boolean {
    return this.countFor(learner) < this.maxPerLearner;
  }

  /** Ownership: only the learner who made a session, for the same lab, may attach it. */
  check(id: string, learner: string, labId: string): SessionAccess {
    const session = this.#sessions.get(id);
    if (!session)
      return {
        ok: false,
        status: 404,
        code: 'SESSION_UNKNOWN',
        message: 'There is no such terminal session (it ended, or the server restarted).',
      };
    if (session.learner !== learner || session.labId !== labId) {
      return {
        ok: false,
        status: 403,
        code: 'SESSION_FORBIDDEN',
        message: 'That terminal session belongs to someone else or to another lab.',
      };
    }
    return { ok: true, session };
  }

  /** Starts a shell. The caller checks `canCreate` first. */
  create(opts: SpawnOptions): TerminalSession {
    const id = randomBytes(16).toString('base64url');
    const process = this.#backend.spawn(opts);
    const session = new TerminalSession(id, opts, process, this.#scrollbackBytes);
    this.#sessions.set(id, session);
    process.onData((data) => this.#output(session, data));
    process.onExit((code) => this.#exited(session, code));
    this.#log?.info('terminal session started', { session: id, lab: opts.labId, backend: this.#backend.name });
    return session;
  }

  /**
   * Attaches a socket: replaces (closes with 4000) any other one, sends
   * `hello` and the scrollback, then live output.
   */
  attach(session: TerminalSession, sink: SessionSink): Attachment {
    if (session.idleTimer) clearTimeout(session.idleTimer);
    session.idleTimer = undefined;
    const previous = session.sink;
    session.sink = sink;
    // Output not yet framed is in the scrollback: the replay carries it.
    this.#dropPending(session);
    if (previous) {
      try {
        previous.close(CLOSE.replaced, 'replaced');
      } catch {
        // already closed
      }
    }
    const replay = session.scrollback.snapshot();
    sink.send({ t: 'hello', session: session.id, replay: replay.length, cols: session.cols, rows: session.rows });
    for (let at = 0; at < replay.length; at += REPLAY_FRAME_BYTES) sink.output(replay.subarray(at, at + REPLAY_FRAME_BYTES));
    // The old socket's unacked bytes are gone with it; the replay counts.
    session.inFlight = replay.length;
    this.#flow(session);
    if (session.exited) {
      sink.send({ t: 'exit', code: session.exitCode ?? 0 });
      sink.close(CLOSE.normal, 'exited');
    }
    return {
      session,
      handle: (message) => {
        if (session.sink !== sink) return;
        this.#handle(session, sink, message);
      },
      detach: () => this.#detach(session, sink),
    };
  }

  /** Ends a session: kills its process and closes its socket. */
  end(session: TerminalSession, code: number = CLOSE.normal, reason = 'session ended'): void {
    if (session.idleTimer) clearTimeout(session.idleTimer);
    session.idleTimer = undefined;
    this.#sessions.delete(session.id);
    const sink = session.sink;
    session.sink = undefined;
    session.process.kill();
    if (sink) {
      try {
        sink.close(code, reason);
      } catch {
        // already closed
      }
    }
  }

  /** Ends every session (server shutdown). */
  closeAll(code: number = CLOSE.goingAway, reason = 'the lab server is stopping'): void {
    for (const session of [...this.#sessions.values()]) this.end(session, code, reason);
  }

  #handle(session: TerminalSession, sink: SessionSink, message: ClientMessage): void {
    switch (message.t) {
      case 'input':
        // Never held back by flow control: Ctrl-C must reach the shell at once.
        session.process.write(message.d);
        break;
      case 'resize':
        session.cols = message.cols;
        session.rows = message.rows;
        session.process.resize(message.cols, message.rows);
        break;
      case 'ping':
        sink.send({ t: 'pong', id: message.id });
        break;
      case 'ack':
        session.inFlight = Math.max(0, session.inFlight - message.bytes);
        this.#flow(session);
        break;
    }
  }

  #output(session: TerminalSession, data: Buffer): void {
    session.scrollback.push(data);
    if (!session.sink) return;
    session.pending.push(data);
    session.pendingBytes += data.length;
    if (session.pendingBytes >= this.#frameBytes) this.#flush(session);
    else if (!session.flushScheduled) {
      session.flushScheduled = true;
      setImmediate(() => {
        session.flushScheduled = false;
        this.#flush(session);
      });
    }
  }

  /** Sends the output waiting for a frame as one BINARY frame. */
  #flush(session: TerminalSession): void {
    const sink = session.sink;
    if (!sink || session.pendingBytes === 0) return;
    const frame = session.pending.length === 1 ? session.pending[0]! : Buffer.concat(session.pending, session.pendingBytes);
    const bytes = session.pendingBytes;
    this.#dropPending(session);
    sink.output(frame);
    session.inFlight += bytes;
    this.#flow(session);
  }

  #dropPending(session: TerminalSession): void {
    session.pending = [];
    session.pendingBytes = 0;
  }

  #flow(session: TerminalSession): void {
    if (session.exited) return;
    if (!session.paused && session.inFlight > this.#high) {
      session.paused = true;
      session.process.pause();
    } else if (session.paused && session.inFlight < this.#low) {
      session.paused = false;
      session.process.resume();
    }
  }

  #detach(session: TerminalSession, sink: SessionSink): void {
    if (session.sink !== sink) return;
    session.sink = undefined;
    session.inFlight = 0;
    this.#dropPending(session);
    // Nobody is watching: keep reading (into the scrollback) so the program does not block.
    this.#flow(session);
    if (!this.#sessions.has(session.id)) return;
    session.idleTimer = setTimeout(() => {
      this.#log?.info('terminal session idle, ended', { session: session.id, lab: session.labId });
      this.end(session);
    }, this.idleMs);
    session.idleTimer.unref();
  }

  #exited(session: TerminalSession, code: number): void {
    session.exited = true;
    session.exitCode = code;
    this.#log?.info('terminal session exited', { session: session.id, lab: session.labId, code });
    const sink = session.sink;
    if (session.idleTimer) clearTimeout(session.idleTimer);
    session.idleTimer = undefined;
    this.#sessions.delete(session.id);
    if (sink) {
      // Output that was still on its way goes first (node-pty may report exit before the last data).
      setImmediate(() => {
        if (session.sink !== sink) return;
        this.#flush(session);
        session.sink = undefined;
        try {
          sink.send({ t: 'exit', code });
          sink.close(CLOSE.normal, 'exited');
        } catch {
          // already closed
        }
      });
    }
  }
}
