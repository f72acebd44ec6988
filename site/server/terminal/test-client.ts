/**
 * A terminal client for the gateway tests: a real `ws` WebSocket that
 * collects output (optionally acking it like the island does) and the
 * JSON messages, or the HTTP status of a refused upgrade.
 */
import { WebSocket } from 'ws';
import { request } from '../test-helpers.ts';
import { ACK_EVERY_BYTES, type ClientMessage, type ServerMessage } from './protocol.ts';

export interface ConnectOptions {
  token?: string;
  lab?: string;
  session?: string;
  /** Default: the server's own origin; `null` leaves the header out. */
  origin?: string | null;
  host?: string;
  /** Ack output every 64 KiB, as the island does. Default true. */
  ack?: boolean;
}

export interface Refused {
  refused: true;
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- test convenience
}

export class TermClient {
  readonly refused = false;
  readonly ws: WebSocket;
  readonly messages: ServerMessage[] = [];
  /** Output bytes received (replay included). */
  received = 0;
  ack: boolean;
  readonly closed: Promise<{ code: number; reason: string }>;
  #unacked = 0;
  #window = '';
  #chunks: Buffer[] = [];
  #waiters = new Set<() => void>();
  #isClosed = false;

  constructor(ws: WebSocket, ack: boolean) {
    this.ws = ws;
    this.ack = ack;
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        this.#isClosed = true;
        resolve({ code, reason: reason.toString('utf8') });
        this.#wake();
      });
    });
    ws.on('message', (data, isBinary) => {
      const buf = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
      if (isBinary) {
        this.received += buf.length;
        this.#chunks.push(buf);
        this.#window = (this.#window + buf.toString('latin1')).slice(-256 * 1024);
        this.#unacked += buf.length;
        if (this.ack && this.#unacked >= ACK_EVERY_BYTES) this.flushAck();
      } else {
        this.messages.push(JSON.parse(buf.toString('utf8')) as ServerMessage);
      }
      this.#wake();
    });
  }

  /** Acks everything received so far. */
  flushAck(): void {
    if (this.#unacked > 0 && this.ws.readyState === 1) this.send({ t: 'ack', bytes: this.#unacked });
    this.#unacked = 0;
  }

  send(message: ClientMessage): void {
    this.ws.send(JSON.stringify(message));
  }

  type(text: string): void {
    this.send({ t: 'input', d: text });
  }

  /** All output so far as text (small sessions only). */
  output(): string {
    return Buffer.concat(this.#chunks).toString('utf8');
  }

  /** Forgets what was seen, so the next waitForOutput looks only at newer output. */
  mark(): void {
    this.#window = '';
  }

  waitForOutput(text: string, timeoutMs = 10_000): Promise<void> {
    return this.#waitFor(
      () => this.#window.includes(text),
      () => `output ${JSON.stringify(text)}; tail: ${JSON.stringify(this.#window.slice(-400))}`,
      timeoutMs,
    ).then(() => undefined);
  }

  waitForMessage<T extends ServerMessage['t']>(t: T, timeoutMs = 10_000): Promise<Extract<ServerMessage, { t: T }>> {
    return this.#waitFor(
      () => this.messages.find((m) => m.t === t) as Extract<ServerMessage, { t: T }> | undefined,
      () => `message ${t}; got ${JSON.stringify(this.messages)}`,
      timeoutMs,
    );
  }

  close(): Promise<{ code: number; reason: string }> {
    this.ws.close();
    return this.closed;
  }

  #wake(): void {
    for (const w of [...this.#waiters]) w();
  }

  #waitFor<T>(test: () => T | undefined | false, describe: () => string, timeoutMs: number): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const found = test();
        if (found) {
          cleanup();
          resolve(found);
        } else if (this.#isClosed) {
          cleanup();
          reject(new Error(`socket closed while waiting for ${describe()}`));
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out waiting for ${describe()}`));
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        this.#waiters.delete(check);
      };
      this.#waiters.add(check);
      check();
    });
  }
}

/** A fresh token for the lab (GET /api/terminal/token). */
export async function getToken(server: { url: string }, lab: string): Promise<string> {
  const r = await request(server, 'GET', `/api/terminal/token?lab=${encodeURIComponent(lab)}`);
  if (r.status !== 200) throw new Error(`token: ${r.status} ${r.text}`);
  return r.json.token as string;
}

/** Opens the terminal socket; resolves once upgraded (a TermClient) or refused (the HTTP status). */
export function connect(server: { url: string; port: number }, options: ConnectOptions): Promise<TermClient | Refused> {
  const url = new URL('/api/terminal', server.url.replace(/^http/, 'ws'));
  if (options.token !== undefined) url.searchParams.set('token', options.token);
  if (options.lab !== undefined) url.searchParams.set('lab', options.lab);
  if (options.session !== undefined) url.searchParams.set('session', options.session);
  const headers: Record<string, string> = {};
  if (options.host) headers.host = options.host;
  const origin = options.origin === undefined ? server.url : options.origin;
  const ws = new WebSocket(url, { headers, ...(origin !== null ? { origin } : {}) });
  const client = new TermClient(ws, options.ack ?? true);
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(client));
    ws.once('unexpected-response', (_req, res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        let body: unknown;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          body = Buffer.concat(chunks).toString('utf8');
        }
        resolve({ refused: true, status: res.statusCode ?? 0, body });
      });
    });
    ws.once('error', (error) => reject(error));
  });
}

/** Connects and expects success. */
export async function open(server: { url: string; port: number }, options: ConnectOptions): Promise<TermClient> {
  const c = await connect(server, options);
  if (c.refused) throw new Error(`refused: ${c.status} ${JSON.stringify(c.body)}`);
  return c;
}
