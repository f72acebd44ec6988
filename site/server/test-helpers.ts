/**
 * Helpers for the lab server tests: a server on a free port with its own
 * data folder and learner, plain node:http requests (so tests control
 * every header, Host and Origin included), and an SSE reader.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LogFields, Logger } from './log.ts';
import { createLabServer, type LabServer } from './server.ts';

export const LAB = 'docker/01-containerise-model-api';

export interface TestServer extends LabServer {
  home: string;
  env: NodeJS.ProcessEnv;
  learner: string;
  logs: { level: string; msg: string; fields: LogFields }[];
  /** Closes the server and removes its data folder. */
  dispose(): Promise<void>;
}

/** A logger that keeps lines for assertions instead of printing them. */
export function memoryLogger(into: TestServer['logs']): Logger {
  return {
    info: (msg, fields = {}) => into.push({ level: 'info', msg, fields }),
    warn: (msg, fields = {}) => into.push({ level: 'warn', msg, fields }),
    error: (msg, fields = {}) => into.push({ level: 'error', msg, fields }),
  };
}

export interface StartOptions {
  /** Extra environment (e.g. DOCKER_HOST). By default Docker points at a socket that does not exist. */
  env?: NodeJS.ProcessEnv;
  /** The site folder; by default an empty folder (no build). */
  siteDir?: string;
}

export async function startTestServer(options: StartOptions = {}): Promise<TestServer> {
  const home = await mkdtemp(join(tmpdir(), 'mlops-lab-server-'));
  const learner = `server-test-${randomBytes(4).toString('hex')}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    MLOPS_LAB_HOME: home,
    MLOPS_LAB_LEARNER: learner,
    NO_COLOR: '1',
    DOCKER_HOST: `unix://${join(home, 'no-docker.sock')}`,
    ...options.env,
  };
  delete env.MLOPS_LAB_LABS_DIR;
  delete env.FORCE_COLOR;
  const logs: TestServer['logs'] = [];
  const server = await createLabServer({ port: 0, env, siteDir: options.siteDir ?? home, log: memoryLogger(logs) });
  return {
    ...server,
    home,
    env,
    learner,
    logs,
    async dispose() {
      await server.close();
      await rm(home, { recursive: true, force: true });
    },
  };
}

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** The body parsed as JSON (undefined when it is not JSON). */
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- test convenience
}

export interface RequestOptions {
  /** JSON-encoded unless a string or Buffer. */
  body?: unknown;
  headers?: Record<string, string | undefined>;
}

/**
 * One request. State-changing methods get a same-origin `Origin` and a
 * JSON content type unless the test overrides them (a header set to
 * undefined is left out).
 */
export function request(server: { url: string }, method: string, path: string, options: RequestOptions = {}): Promise<Reply> {
  const url = new URL(path, server.url);
  const changing = !['GET', 'HEAD'].includes(method);
  const body =
    options.body === undefined
      ? changing
        ? '{}'
        : undefined
      : typeof options.body === 'string' || Buffer.isBuffer(options.body)
        ? options.body
        : JSON.stringify(options.body);
  const headers: Record<string, string> = {};
  const wanted: Record<string, string | undefined> = {
    ...(changing ? { origin: server.url, 'content-type': 'application/json' } : {}),
    ...options.headers,
  };
  // Node sends DELETE bodies without a length unless told: say it.
  if (body !== undefined && !('transfer-encoding' in wanted)) headers['content-length'] = String(Buffer.byteLength(body));
  for (const [k, v] of Object.entries(wanted)) {
    if (v !== undefined) headers[k] = v;
    else delete headers[k];
  }
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers, setHost: !('host' in headers) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    if (body !== undefined) req.end(body);
    else req.end();
  });
}

export interface SseEvent {
  id?: string;
  event: string;
  data: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- test convenience
}

export interface SseReader {
  status: number;
  headers: IncomingHttpHeaders;
  events: SseEvent[];
  /** Comment lines seen (heartbeats, "connected"). */
  comments: string[];
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  /** Resolves with the first event (already received or future) that matches. */
  waitFor(match: (e: SseEvent) => boolean, timeoutMs?: number): Promise<SseEvent>;
  close(): void;
}

/** Opens an event stream and parses it as it arrives. */
export function openSse(server: { url: string }, path: string, headers: Record<string, string> = {}): Promise<SseReader> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(new URL(path, server.url), { headers: { accept: 'text/event-stream', ...headers } }, (res) => {
      const events: SseEvent[] = [];
      const comments: string[] = [];
      const waiters = new Set<() => void>();
      let buffer = '';
      let endedResolve!: () => void;
      const ended = new Promise<void>((r) => (endedResolve = r));
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let cut: number;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const e: Partial<SseEvent> & { dataLines: string[] } = { dataLines: [] };
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) comments.push(line.slice(1).trim());
            else if (line.startsWith('event: ')) e.event = line.slice(7);
            else if (line.startsWith('data: ')) e.dataLines.push(line.slice(6));
            else if (line.startsWith('id: ')) e.id = line.slice(4);
          }
          if (e.event || e.dataLines.length > 0) {
            const text = e.dataLines.join('\n');
            let data: unknown = text;
            try {
              data = JSON.parse(text);
            } catch {
              // keep the text
            }
            events.push({ event: e.event ?? 'message', data, ...(e.id !== undefined ? { id: e.id } : {}) });
            for (const w of [...waiters]) w();
          }
        }
      });
      res.on('end', () => {
        endedResolve();
        for (const w of [...waiters]) w();
      });
      res.on('close', () => endedResolve());
      let done = false;
      void ended.then(() => (done = true));
      resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        events,
        comments,
        ended,
        waitFor(match, timeoutMs = 20_000) {
          return new Promise((resolveEvent, rejectEvent) => {
            const check = (): void => {
              const found = events.find(match);
              if (found) {
                cleanup();
                resolveEvent(found);
              } else if (done) {
                cleanup();
                rejectEvent(new Error(`the stream ended without the event; got: ${events.map((x) => x.event).join(', ')}`));
              }
            };
            const timer = setTimeout(() => {
              cleanup();
              rejectEvent(new Error(`no matching event within ${timeoutMs} ms; got: ${JSON.stringify(events).slice(0, 2000)}`));
            }, timeoutMs);
            const cleanup = (): void => {
              clearTimeout(timer);
              waiters.delete(check);
            };
            waiters.add(check);
            check();
          });
        },
        close: () => {
          req.destroy();
        },
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * A Unix socket that accepts connections and never answers: a Docker
 * engine that hangs. Grading against it takes the Docker probe's full
 * timeout (3 s), which keeps a run busy long enough to race it.
 */
export async function hangingSocket(path: string): Promise<{ close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: NetServer = createNetServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve());
  });
  return {
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
