/**
 * The island's connection logic (connection.ts) against the real lab server
 * and terminal gateway over real sockets, with a TCP proxy in between that a
 * test can cut (a dropped connection) or silence (a half-open socket, the
 * case only the heartbeat notices). The browser globals it uses are
 * provided as a browser would: `window.location` (the proxy's address),
 * `sessionStorage`, a `fetch` that resolves relative URLs against the page,
 * and a WebSocket (the `ws` package) that sends the page's Origin.
 */
import { createServer, connect as netConnect, type Server, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { WebSocket as NodeWebSocket } from 'ws';
import { LAB, request, startTestServer, type TestServer } from '../../../server/test-helpers.ts';
import { backoffSeconds, sessionKey, TerminalConnection, type TerminalSink, type TerminalStatus } from './connection.ts';

/** A TCP proxy to the lab server that tests can cut or silence. */
class Proxy {
  readonly #server: Server;
  readonly #pairs = new Set<{ client: Socket; upstream: Socket; silent: boolean; terminal: boolean | undefined }>();
  port = 0;
  /** Where connections go (set once the lab server listens). */
  targetPort = 0;
  constructor() {
    this.#server = createServer((client) => {
      const upstream = netConnect(this.targetPort, '127.0.0.1');
      const pair = { client, upstream, silent: false, terminal: undefined as boolean | undefined };
      this.#pairs.add(pair);
      client.on('data', (d: Buffer) => {
        pair.terminal ??= d.subarray(0, 20).toString('latin1').startsWith('GET /api/terminal?');
        if (!pair.silent) upstream.write(d);
      });
      upstream.on('data', (d) => {
        if (!pair.silent) client.write(d);
      });
      const end = (): void => {
        this.#pairs.delete(pair);
        client.destroy();
        upstream.destroy();
      };
      client.on('close', end).on('error', end);
      upstream.on('close', end).on('error', end);
    });
  }
  async listen(): Promise<void> {
    await new Promise<void>((r) => this.#server.listen(0, '127.0.0.1', r));
    this.port = (this.#server.address() as { port: number }).port;
  }
  /** Cuts every open connection (a network drop). */
  cut(): void {
    for (const p of this.#pairs) {
      p.client.destroy();
      p.upstream.destroy();
    }
  }
  /** Open terminal sockets stay open but carry nothing more either way (half-open); plain HTTP is left alone. */
  silence(): void {
    for (const p of this.#pairs) if (p.terminal) p.silent = true;
  }
  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((r) => this.#server.close(() => r()));
  }
}

class MemoryStorage {
  #items = new Map<string, string>();
  getItem(k: string): string | null {
    return this.#items.get(k) ?? null;
  }
  setItem(k: string, v: string): void {
    this.#items.set(k, String(v));
  }
  removeItem(k: string): void {
    this.#items.delete(k);
  }
}

/** What the terminal would show: output text, with xterm's parse callback run a tick later. */
class RecordingSink implements TerminalSink {
  text = '';
  resets = 0;
  write(bytes: Uint8Array, done: () => void): void {
    this.text += Buffer.from(bytes).toString('latin1');
    setImmediate(done);
  }
  reset(): void {
    this.resets += 1;
    this.text = '';
  }
  size(): { cols: number; rows: number } {
    return { cols: 100, rows: 30 };
  }
}

async function until<T>(what: string, get: () => T | undefined | false, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = get();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('terminal island connection (real gateway and sockets, a cuttable proxy between)', () => {
  let server: TestServer;
  let proxy: Proxy;
  let storage: MemoryStorage;
  const open: TerminalConnection[] = [];

  beforeAll(async () => {
    // The page talks to the proxy; the server is told to accept that address (as behind a reverse proxy).
    proxy = new Proxy();
    await proxy.listen();
    server = await startTestServer({
      env: { MLOPS_LAB_TERMINAL_MAX_SESSIONS: '50', MLOPS_LAB_ALLOWED_HOSTS: `127.0.0.1:${proxy.port}` },
    });
    proxy.targetPort = server.port;
    Object.assign(server.env, { SHELL: '/bin/bash', HOME: server.home, HISTFILE: '/dev/null', PS1: 'lab$ ' });
    const r = await request(server, 'POST', `/api/labs/${LAB}/start`, { body: {} });
    expect([200, 201]).toContain(r.status);
    const page = `http://127.0.0.1:${proxy.port}/labs/${LAB}/`;
    const realFetch = globalThis.fetch;
    storage = new MemoryStorage();
    vi.stubGlobal('window', { location: { href: page, protocol: 'http:' }, sessionStorage: storage });
    vi.stubGlobal('fetch', (input: string | URL, init?: RequestInit) => realFetch(new URL(input, page), init));
    class BrowserLikeWebSocket extends NodeWebSocket {
      constructor(url: string | URL) {
        super(url, { origin: new URL(page).origin });
      }
    }
    vi.stubGlobal('WebSocket', BrowserLikeWebSocket);
  });

  afterEach(() => {
    for (const c of open.splice(0)) c.dispose();
    storage.removeItem(sessionKey(LAB));
  });

  afterAll(async () => {
    vi.unstubAllGlobals();
    await proxy?.close();
    await server?.dispose();
  });

  function start(timing?: { pingEveryMs: number; pongTimeoutMs: number }): {
    conn: TerminalConnection;
    sink: RecordingSink;
    statuses: TerminalStatus[];
  } {
    const sink = new RecordingSink();
    const statuses: TerminalStatus[] = [];
    const conn = new TerminalConnection(LAB, sink, (s) => statuses.push(s), timing);
    open.push(conn);
    conn.connect();
    return { conn, sink, statuses };
  }

  const connected = (c: TerminalConnection): Promise<true> =>
    until('connected', () => c.status.kind === 'connected').catch((e: Error) => {
      throw new Error(`${e.message}; status ${JSON.stringify(c.status)}`);
    });

  it('backoff doubles from 1 s and stays at 30 s', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 20].map(backoffSeconds)).toEqual([1, 2, 4, 8, 16, 30, 30, 30]);
  });

  it('connects, reports latency, and streams 2 MB through flow control (the gateway pauses at 512 KiB unacked)', async () => {
    const { conn, sink } = start();
    await connected(conn);
    await until('a latency figure', () => conn.status.kind === 'connected' && conn.status.latencyMs !== undefined);
    conn.input("head -c 2000000 /dev/zero | tr '\\0' b; echo; echo END-$((1+1))\r");
    await until('END-2', () => sink.text.includes('END-2'), 20_000);
    expect(sink.text.split('b').length - 1).toBeGreaterThanOrEqual(2_000_000);
  }, 30_000);

  it('a dropped connection reconnects after the backoff, to the same shell, and replays its output once', async () => {
    const { conn, sink, statuses } = start();
    await connected(conn);
    const session = storage.getItem(sessionKey(LAB));
    expect(session).toBeTruthy();
    conn.input('echo before-$((6*7))\r');
    await until('before-42', () => sink.text.includes('before-42'));
    proxy.cut();
    await until('reconnecting', () => statuses.find((s) => s.kind === 'reconnecting'));
    expect(statuses.find((s) => s.kind === 'reconnecting')).toMatchObject({ seconds: 1, attempt: 1 });
    await until('connected again', () => statuses.at(-1)?.kind === 'connected' && sink.resets > 0, 5_000);
    expect(storage.getItem(sessionKey(LAB))).toBe(session);
    // The screen was reset, then the scrollback replayed: the earlier output shows once.
    await until('the replay', () => sink.text.includes('before-42'));
    expect(sink.text.split('before-42').length - 1).toBe(1); // the command line reads before-$((6*7))
    conn.input('echo after-$((6*7))\r');
    await until('after-42', () => /[\r\n]after-42/.test(sink.text)).catch((e: Error) => {
      throw new Error(`${e.message}; screen ${JSON.stringify(sink.text.slice(-300))}`);
    });
  });

  it('heartbeat: a connection that goes silent (half-open) is given up after the pong timeout and replaced', async () => {
    const { conn, sink, statuses } = start({ pingEveryMs: 100, pongTimeoutMs: 400 });
    await connected(conn);
    conn.input('echo alive\r');
    await until('alive', () => sink.text.includes('alive'));
    const t0 = Date.now();
    proxy.silence();
    const gaveUp = await until(
      'the pong timeout',
      () => statuses.find((s) => s.kind === 'reconnecting' && s.reason === 'The terminal stopped answering.'),
      5_000,
    );
    const after = Date.now() - t0;
    expect(gaveUp).toMatchObject({ attempt: 1 });
    // At least the timeout, and not the close handshake's long wait.
    expect(after).toBeGreaterThanOrEqual(400);
    expect(after).toBeLessThan(2_000);
    // New connections through the proxy work: back on the same shell.
    await until('connected again', () => statuses.at(-1)?.kind === 'connected', 5_000);
    conn.input('echo still-$((2+3))\r');
    await until('still-5', () => sink.text.includes('still-5'));
  });

  it('another tab that takes the session over leaves this one with a clear message, not a reconnect loop', async () => {
    const first = start();
    await connected(first.conn);
    const second = start(); // shares sessionStorage, like a duplicated tab
    await connected(second.conn);
    await until('replaced', () => first.conn.status.kind === 'error');
    expect(first.conn.status).toMatchObject({ kind: 'error', message: 'This terminal session was opened in another tab.' });
    await new Promise((r) => setTimeout(r, 1_500));
    expect(first.statuses.filter((s) => s.kind === 'reconnecting')).toEqual([]);
    expect(second.conn.status.kind).toBe('connected');
  });

  it('`exit` ends the session: status exited with the code, the stored session forgotten, no reconnect', async () => {
    const { conn, statuses } = start();
    await connected(conn);
    conn.input('exit 7\r');
    await until('exited', () => conn.status.kind === 'exited');
    expect(conn.status).toEqual({ kind: 'exited', code: 7 });
    expect(storage.getItem(sessionKey(LAB))).toBeNull();
    await new Promise((r) => setTimeout(r, 1_500));
    expect(statuses.at(-1)).toEqual({ kind: 'exited', code: 7 });
  });
});
