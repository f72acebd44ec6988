/**
 * node site/bench/terminal.ts [--runs N] [--write] [--only ours,wetty,shellinabox,pty]
 *
 * The lab terminal against two web terminals, same run, same machine, each
 * serving bash on 127.0.0.1 to a headless client in this process that honours
 * the system's own flow control:
 *   - ours: the real lab server (createLabServer, a fresh MLOPS_LAB_HOME and
 *     learner, the lab started), a `ws` client speaking terminal/protocol.ts
 *     and acking every ACK_EVERY_BYTES (64 KiB) as the island does;
 *   - wetty 3.2 (npm, installed outside the repo: $MLOPS_LAB_WETTY_DIR or
 *     /var/cache/mlops-lab-bench/wetty), `--command '/bin/bash --norc
 *     --noprofile'`, driven with the socket.io-client it ships: `input` and
 *     `resize` out, `data` in, `commit` of 256 KiB for every 256 KiB received
 *     (its browser client's FlowControlClient);
 *   - shellinabox (Debian's shellinaboxd, --disable-ssl --localhost-only,
 *     service `/:uid:gid:HOME:/bin/bash --norc --noprofile`), driven like its
 *     ShellInABox.js: one long-poll POST `/?` (width, height, session) in
 *     flight at a time, keys as hex in a separate POST, one key POST in flight.
 * Measures, per run (a fresh session each):
 *   1. output throughput: `head -c 50000000 /dev/zero | tr '\0' a`, from
 *      sending the command until the marker echoed after it arrives;
 *   2. keystroke echo: one printable character, time until it comes back
 *      (then a backspace, awaited), 200 samples idle and 200 while a SECOND
 *      session on the same server floods output (`yes`, drained by its own
 *      client honouring flow control in this process);
 *   3. Ctrl-C to prompt: `yes`, 500 ms, \x03, time until the PS1 marker.
 * Prints a table; --write replaces the section between
 * <!-- bench:terminal:start --> and <!-- bench:terminal:end --> in BENCHMARKS.md.
 * A peer that is not installed is reported as missing. Exit codes: 0 done,
 * 1 a measurement failed, 2 usage.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { cpus, release, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { WebSocket } from 'ws';
import { spawn as spawnPty, type IPty } from 'node-pty';
import { LAB, request } from '../server/test-helpers.ts';
import { getToken } from '../server/terminal/test-client.ts';
import { ACK_EVERY_BYTES } from '../server/terminal/protocol.ts';
import { sectionMarkers, writeBenchmarkSection } from '../../grader/bench/benchmarks-file.ts';

const THROUGHPUT_BYTES = 50_000_000;
const ECHO_SAMPLES = 200;
const PROMPT = '@@BENCH_PROMPT@@';
const WETTY_DEFAULT_DIR = '/var/cache/mlops-lab-bench/wetty';
const SHELL_CMD = '/bin/bash --norc --noprofile';
const MIN_RUNS_FOR_WRITE = 3;
const SYSTEMS = ['ours', 'wetty', 'shellinabox', 'pty'] as const;
const SITE_DIR = dirname(dirname(fileURLToPath(import.meta.url)));
type SystemName = (typeof SYSTEMS)[number];

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const now = (): number => performance.now();

// ---------------------------------------------------------------- clients

/** A terminal session as the bench sees it: input out, output text in. */
abstract class Session {
  received = 0;
  closed = false;
  #tail = '';
  #waiters = new Set<(hay: string) => boolean>();

  abstract send(data: string): void;
  abstract close(): Promise<void>;

  protected output(text: string): void {
    this.received += text.length;
    const hay = this.#tail + text;
    for (const w of [...this.#waiters]) if (w(hay)) this.#waiters.delete(w);
    this.#tail = hay.length > 8192 ? hay.slice(-8192) : hay;
  }

  protected ended(): void {
    this.closed = true;
    for (const w of [...this.#waiters]) if (w('')) this.#waiters.delete(w);
  }

  /** Forget what was seen: the next wait looks only at newer output. */
  mark(): void {
    this.#tail = '';
  }

  waitFor(text: string, timeoutMs = 10_000): Promise<number> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(
          new Error(`timed out after ${timeoutMs} ms waiting for ${JSON.stringify(text)}; tail ${JSON.stringify(this.#tail.slice(-200))}`),
        );
      }, timeoutMs);
      const check = (hay: string): boolean => {
        if (hay.includes(text)) {
          clearTimeout(timer);
          resolve(now());
          return true;
        }
        if (this.closed) {
          clearTimeout(timer);
          reject(new Error(`session closed while waiting for ${JSON.stringify(text)}`));
          return true;
        }
        return false;
      };
      if (!check(this.#tail)) this.#waiters.add(check);
    });
  }

  /** PS1 set to the marker (quoted apart so the echoed command does not match it). */
  async prepare(): Promise<void> {
    // The shell's first prompt first (typed-ahead input can race its start), then quiet for 200 ms.
    const deadline = now() + 15_000;
    while (this.received === 0 && now() < deadline) await sleep(20);
    let last = -1;
    while (last !== this.received && now() < deadline) {
      last = this.received;
      await sleep(200);
    }
    const command = `export PS1='@@BENCH_''PROMPT@@ '; bind 'set enable-bracketed-paste off' 2>/dev/null; stty -echoctl\r`;
    this.mark();
    this.send(command);
    try {
      await this.waitFor(PROMPT, 5_000);
    } catch {
      this.mark();
      this.send(`\x03${command}`);
      await this.waitFor(PROMPT, 10_000);
    }
    await sleep(50);
  }
}

class OursSession extends Session {
  #ws: WebSocket;
  #unacked = 0;
  constructor(ws: WebSocket) {
    super();
    this.#ws = ws;
    ws.on('message', (data, isBinary) => {
      if (!isBinary) return;
      const buf = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
      this.output(buf.toString('latin1'));
      this.#unacked += buf.length;
      if (this.#unacked >= ACK_EVERY_BYTES) {
        ws.send(JSON.stringify({ t: 'ack', bytes: this.#unacked }));
        this.#unacked = 0;
      }
    });
    ws.on('close', () => this.ended());
  }
  static async open(server: { url: string }): Promise<OursSession> {
    const token = await getToken(server, LAB);
    const url = new URL('/api/terminal', server.url.replace(/^http/, 'ws'));
    url.searchParams.set('token', token);
    url.searchParams.set('lab', LAB);
    const ws = new WebSocket(url, { origin: server.url });
    const s = new OursSession(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    });
    return s;
  }
  send(data: string): void {
    this.#ws.send(JSON.stringify({ t: 'input', d: data }));
  }
  async close(): Promise<void> {
    if (this.closed) return;
    this.send('\x03exit\r');
    await Promise.race([new Promise<void>((r) => this.#ws.once('close', () => r())), sleep(2000)]);
    this.#ws.terminate();
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- socket.io-client is loaded from outside the repo
type IoSocket = any;

class WettySession extends Session {
  #socket: IoSocket;
  #counter = 0;
  constructor(socket: IoSocket) {
    super();
    this.#socket = socket;
    socket.on('data', (data: string) => {
      this.output(data);
      // FlowControlClient: commit 256 KiB per 256 KiB received (a loop, so one
      // big chunk commits every full 256 KiB it holds).
      this.#counter += data.length;
      while (this.#counter >= 262_144) {
        this.#counter -= 262_144;
        socket.emit('commit', 262_144);
      }
    });
    socket.on('logout', () => this.ended());
    socket.on('disconnect', () => this.ended());
  }
  static async open(io: (url: string, opts: object) => IoSocket, url: string): Promise<WettySession> {
    const socket = io(url, { path: '/socket.io', reconnection: false, forceNew: true });
    const s = new WettySession(socket);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('wetty: no login within 15 s')), 15_000);
      socket.once('connect_error', (e: Error) => {
        clearTimeout(timer);
        reject(e);
      });
      socket.once('connect', () => socket.emit('resize', { cols: 80, rows: 24 }));
      socket.once('login', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    return s;
  }
  send(data: string): void {
    this.#socket.emit('input', data);
  }
  async close(): Promise<void> {
    this.#socket.disconnect();
    this.ended();
  }
}

class ShellInABoxSession extends Session {
  #url: string;
  #session = '';
  #pendingKeys = '';
  #keysInFlight = false;
  #abort = new AbortController();
  #polling: Promise<void> = Promise.resolve();
  constructor(url: string) {
    super();
    this.#url = url;
  }
  async #post(body: string): Promise<Response> {
    return fetch(`${this.#url}/?`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', 'cache-control': 'no-cache' },
      body,
      signal: this.#abort.signal,
    });
  }
  static async open(url: string): Promise<ShellInABoxSession> {
    const s = new ShellInABoxSession(url);
    const r = await s.#post(`width=80&height=24&rooturl=${encodeURIComponent(`${url}/`)}`);
    const first = (await r.json()) as { session?: string; data?: string };
    if (!first.session) throw new Error('shellinabox: no session');
    s.#session = first.session;
    if (first.data) s.output(first.data);
    s.#polling = s.#poll();
    return s;
  }
  async #poll(): Promise<void> {
    // One long poll in flight at a time, re-sent as soon as one answers (ShellInABox.sendRequest).
    while (!this.closed) {
      let body: { session?: string; data?: string };
      try {
        const r = await this.#post(`width=80&height=24&session=${encodeURIComponent(this.#session)}`);
        if (r.status !== 200) {
          await r.body?.cancel();
          break;
        }
        body = (await r.json()) as typeof body;
      } catch {
        break;
      }
      if (body.data) this.output(body.data);
      if (!body.session || body.session !== this.#session) break;
    }
    this.ended();
  }
  send(data: string): void {
    let hex = '';
    for (const b of Buffer.from(data, 'utf8')) hex += b.toString(16).padStart(2, '0').toUpperCase();
    this.#pendingKeys += hex;
    this.#flushKeys();
  }
  #flushKeys(): void {
    if (this.#keysInFlight || !this.#pendingKeys || this.closed) return;
    this.#keysInFlight = true;
    const keys = this.#pendingKeys;
    this.#pendingKeys = '';
    this.#post(`width=80&height=24&session=${encodeURIComponent(this.#session)}&keys=${keys}`)
      .then((r) => r.arrayBuffer())
      .catch(() => undefined)
      .finally(() => {
        this.#keysInFlight = false;
        this.#flushKeys();
      });
  }
  async close(): Promise<void> {
    if (!this.closed) {
      this.send('\x03exit\r');
      await Promise.race([this.#polling, sleep(2000)]);
    }
    this.closed = true;
    this.#abort.abort();
    await this.#polling.catch(() => undefined);
  }
}

class PtySession extends Session {
  #pty: IPty;
  constructor(pty: IPty) {
    super();
    this.#pty = pty;
    pty.onData((data: string | Buffer) => this.output(typeof data === 'string' ? data : data.toString('latin1')));
    pty.onExit(() => this.ended());
  }
  static open(home: string): PtySession {
    const pty = spawnPty('/bin/bash', ['--norc', '--noprofile'], {
      name: 'xterm-256color',
      cols: 80,
      rows: 24,
      cwd: home,
      env: { ...process.env, HOME: home, HISTFILE: '/dev/null' } as Record<string, string>,
      encoding: null,
    });
    return new PtySession(pty);
  }
  send(data: string): void {
    this.#pty.write(data);
  }
  async close(): Promise<void> {
    if (this.closed) return;
    this.#pty.kill();
    this.ended();
  }
}

// ---------------------------------------------------------------- systems

interface System {
  name: SystemName;
  label: string;
  open(): Promise<Session>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function waitForHttp(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const r = await fetch(url);
      await r.arrayBuffer();
      return;
    } catch {
      await sleep(100);
    }
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  try {
    process.kill(-child.pid, 'SIGTERM'); // its own process group (detached), which holds its shells
  } catch {
    child.kill('SIGTERM');
  }
  await Promise.race([exited, sleep(3000)]);
  if (child.exitCode === null && child.signalCode === null) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      child.kill('SIGKILL');
    }
    await Promise.race([exited, sleep(2000)]);
  }
}

/**
 * The lab server as `npm start` runs it: `node site/server/main.ts` in its
 * own process (PORT=0, a fresh MLOPS_LAB_HOME and learner), the lab started.
 */
async function startOurs(home: string): Promise<System> {
  const dataHome = join(home, 'ours');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: '0',
    HOST: '127.0.0.1',
    MLOPS_LAB_HOME: dataHome,
    MLOPS_LAB_LEARNER: 'bench',
    MLOPS_LAB_TERMINAL_IDLE_MS: String(10 * 60_000),
    MLOPS_LAB_TERMINAL_MAX_SESSIONS: '1000',
    SHELL: '/bin/bash',
    HOME: dataHome,
    HISTFILE: '/dev/null',
    NODE_ENV: 'production',
  };
  delete env.MLOPS_LAB_LABS_DIR;
  const child = spawn(process.execPath, [join(SITE_DIR, 'server', 'main.ts')], {
    cwd: SITE_DIR,
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: true,
  });
  let url: string;
  try {
    url = await new Promise<string>((resolve, reject) => {
      let buffered = '';
      const timer = setTimeout(() => reject(new Error('the lab server did not report its address within 20 s')), 20_000);
      child.once('exit', (code) => reject(new Error(`the lab server exited (${code}) before listening`)));
      child.stdout!.on('data', (chunk: Buffer) => {
        buffered += chunk.toString('utf8');
        for (const line of buffered.split('\n')) {
          try {
            const entry = JSON.parse(line) as { msg?: string; url?: string };
            if (entry.msg === 'lab server listening' && entry.url) {
              clearTimeout(timer);
              resolve(entry.url);
            }
          } catch {
            // a partial line
          }
        }
      });
    });
    child.stdout!.resume();
    const server = { url };
    const r = await request(server, 'POST', `/api/labs/${LAB}/start`, { body: {} });
    if (r.status !== 200 && r.status !== 201) throw new Error(`lab start: ${r.status} ${r.text}`);
  } catch (error) {
    await stopChild(child);
    throw error;
  }
  return { name: 'ours', label: 'ours (lab server, ws)', open: () => OursSession.open({ url }), stop: () => stopChild(child) };
}

/** The ceiling: node-pty read in the bench process, no server, no socket. */
function startPty(home: string): System {
  return {
    name: 'pty',
    label: 'node-pty alone (no network; the ceiling)',
    open: async () => PtySession.open(home),
    stop: async () => undefined,
  };
}

function wettyDir(): string {
  return process.env.MLOPS_LAB_WETTY_DIR ?? WETTY_DEFAULT_DIR;
}

async function startWetty(home: string): Promise<System> {
  const dir = join(wettyDir(), 'node_modules');
  const main = join(dir, 'wetty', 'build', 'main.js');
  if (!existsSync(main)) throw new Error(`wetty not installed at ${wettyDir()} (npm install --prefix ${WETTY_DEFAULT_DIR} wetty@3.2.0)`);
  // The socket.io-client wetty ships (a dependency of its package), resolved from its folder.
  const ioModule = createRequire(join(dir, 'wetty', 'package.json'))('socket.io-client') as { io: (url: string, opts: object) => IoSocket };
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [main, '--host', '127.0.0.1', '--port', String(port), '--command', SHELL_CMD, '--log-level', 'error'],
    {
      cwd: home,
      env: { ...process.env, HOME: home, SHELL: '/bin/bash', HISTFILE: '/dev/null', NODE_ENV: 'production' },
      stdio: ['ignore', 'ignore', 'inherit'],
      detached: true,
    },
  );
  try {
    await waitForHttp(`http://127.0.0.1:${port}/socket.io/?EIO=4&transport=polling`, 15_000);
  } catch (error) {
    await stopChild(child);
    throw error;
  }
  const url = `http://127.0.0.1:${port}`;
  return { name: 'wetty', label: 'wetty 3.2.0 (socket.io)', open: () => WettySession.open(ioModule.io, url), stop: () => stopChild(child) };
}

async function startShellInABox(home: string): Promise<System> {
  let bin: string;
  try {
    bin = execFileSync('sh', ['-c', 'command -v shellinaboxd'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('shellinaboxd not installed (apt-get install -y shellinabox)');
  }
  const port = await freePort();
  const uid = process.getuid?.() ?? 0;
  const gid = process.getgid?.() ?? 0;
  const child = spawn(
    bin,
    ['--disable-ssl', '--localhost-only', '--no-beep', '-p', String(port), '-s', `/:${uid}:${gid}:${home}:${SHELL_CMD}`],
    {
      cwd: home,
      env: { ...process.env, HOME: home, HISTFILE: '/dev/null' },
      stdio: ['ignore', 'ignore', 'inherit'],
      detached: true,
    },
  );
  try {
    await waitForHttp(`http://127.0.0.1:${port}/ShellInABox.js`, 15_000);
  } catch (error) {
    await stopChild(child);
    throw error;
  }
  const url = `http://127.0.0.1:${port}`;
  return {
    name: 'shellinabox',
    label: `shellinabox ${shellInABoxVersion()} (HTTP long-poll)`,
    open: () => ShellInABoxSession.open(url),
    stop: () => stopChild(child),
  };
}

function shellInABoxVersion(): string {
  try {
    return execFileSync('dpkg-query', ['-W', '-f', '${Version}', 'shellinabox'], { encoding: 'utf8' }).trim();
  } catch {
    return '?';
  }
}

// ---------------------------------------------------------------- measurements

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}
const median = (values: number[]): number => percentile(values, 50);

async function throughput(s: Session): Promise<number> {
  s.mark();
  const before = s.received;
  const t0 = now();
  s.send(`head -c ${THROUGHPUT_BYTES} /dev/zero | tr '\\0' a; echo; echo DONE_$((40+2))\r`);
  await s.waitFor('DONE_42', 300_000);
  const t1 = now();
  await s.waitFor(PROMPT, 10_000);
  const bytes = s.received - before;
  if (bytes < THROUGHPUT_BYTES) throw new Error(`only ${bytes} bytes arrived`);
  return THROUGHPUT_BYTES / 1e6 / ((t1 - t0) / 1000);
}

async function echoSamples(s: Session, n: number): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const ch = 'qwertzuiop'.charAt(i % 10);
    s.mark();
    const t0 = now();
    s.send(ch);
    const t1 = await s.waitFor(ch, 10_000);
    samples.push(t1 - t0);
    s.mark();
    s.send('\x7f');
    await s.waitFor('\b', 10_000);
  }
  return samples;
}

async function echoUnderFlood(system: System, s: Session, n: number): Promise<{ samples: number[]; floodMBps: number }> {
  const flood = await system.open();
  try {
    await flood.prepare();
    flood.mark();
    flood.send('timeout 300 yes\r');
    await flood.waitFor('y\r\ny\r\ny', 10_000);
    await sleep(300);
    const floodBefore = flood.received;
    const t0 = now();
    const samples = await echoSamples(s, n);
    const moved = flood.received - floodBefore;
    const floodMBps = moved / 1e6 / ((now() - t0) / 1000);
    if (moved < 64 * 1024) throw new Error(`the flood session moved only ${moved} bytes during the samples`);
    flood.mark();
    flood.send('\x03');
    await flood.waitFor(PROMPT, 60_000).catch(() => undefined);
    return { samples, floodMBps };
  } finally {
    await flood.close();
  }
}

async function ctrlC(s: Session): Promise<number> {
  s.mark();
  s.send('timeout 300 yes\r');
  await s.waitFor('y\r\ny\r\ny', 10_000);
  await sleep(500);
  s.mark();
  const t0 = now();
  s.send('\x03');
  const t1 = await s.waitFor(PROMPT, 60_000);
  return t1 - t0;
}

interface RunFigures {
  mbps: number;
  echoIdle: number[];
  echoFlood: number[];
  /** What the flooding session received per second while the samples ran. */
  floodMBps: number;
  ctrlC: number;
}

async function measureRun(system: System): Promise<RunFigures> {
  const s = await system.open();
  try {
    await s.prepare();
    const mbps = await throughput(s);
    const echoIdle = await echoSamples(s, ECHO_SAMPLES);
    const { samples: echoFlood, floodMBps } = await echoUnderFlood(system, s, ECHO_SAMPLES);
    const c = await ctrlC(s);
    return { mbps, echoIdle, echoFlood, floodMBps, ctrlC: c };
  } finally {
    await s.close();
  }
}

interface Summary {
  system: SystemName;
  label: string;
  runs: RunFigures[];
  error?: string;
  mbps: number;
  idleP50: number;
  idleP99: number;
  floodP50: number;
  floodP99: number;
  floodMBps: number;
  ctrlC: number;
}

function summarise(system: System, runs: RunFigures[]): Summary {
  return {
    system: system.name,
    label: system.label,
    runs,
    mbps: median(runs.map((r) => r.mbps)),
    idleP50: median(runs.map((r) => percentile(r.echoIdle, 50))),
    idleP99: median(runs.map((r) => percentile(r.echoIdle, 99))),
    floodP50: median(runs.map((r) => percentile(r.echoFlood, 50))),
    floodP99: median(runs.map((r) => percentile(r.echoFlood, 99))),
    floodMBps: median(runs.map((r) => r.floodMBps)),
    ctrlC: median(runs.map((r) => r.ctrlC)),
  };
}

// ---------------------------------------------------------------- report

const f1 = (n: number): string => (Number.isFinite(n) ? n.toFixed(1) : '—');
const f2 = (n: number): string => (Number.isFinite(n) ? n.toFixed(2) : '—');

function table(results: Map<SystemName, Summary | string>, runs: number): string {
  const ours = results.get('ours');
  const o = typeof ours === 'object' ? ours : undefined;
  const cols: { key: keyof Summary; head: string; fmt: (n: number) => string; higherBetter: boolean }[] = [
    { key: 'mbps', head: 'output MB/s', fmt: f1, higherBetter: true },
    { key: 'idleP50', head: 'echo idle p50 ms', fmt: f2, higherBetter: false },
    { key: 'idleP99', head: 'echo idle p99 ms', fmt: f2, higherBetter: false },
    { key: 'floodP50', head: 'echo under flood p50 ms', fmt: f2, higherBetter: false },
    { key: 'floodP99', head: 'echo under flood p99 ms', fmt: f2, higherBetter: false },
    { key: 'floodMBps', head: 'flood MB/s during those samples', fmt: f1, higherBetter: true },
    { key: 'ctrlC', head: 'Ctrl-C to prompt ms', fmt: f1, higherBetter: false },
  ];
  const lines = [`| system | ${cols.map((c) => c.head).join(' | ')} |`, `| --- | ${cols.map(() => '---:').join(' | ')} |`];
  for (const name of SYSTEMS) {
    const r = results.get(name);
    if (r === undefined) continue;
    if (typeof r === 'string') {
      lines.push(`| ${name} | ${cols.map(() => 'not measured').join(' | ')} |`);
      continue;
    }
    lines.push(`| ${r.label} | ${cols.map((c) => c.fmt(r[c.key] as number)).join(' | ')} |`);
  }
  for (const peer of ['wetty', 'shellinabox'] as const) {
    const p = results.get(peer);
    if (!o || typeof p !== 'object') continue;
    lines.push(`| ratio ours/${peer} | ${cols.map((c) => `${f2((o[c.key] as number) / (p[c.key] as number))}×`).join(' | ')} |`);
  }
  lines.push(
    '',
    `Medians over ${runs} run(s), each a fresh session; echo p50/p99 are per run over ${ECHO_SAMPLES} samples, then the median of the runs. Throughput: higher is better; the other columns: lower is better.`,
  );
  return lines.join('\n');
}

function targets(results: Map<SystemName, Summary | string>): string[] {
  const o = results.get('ours');
  const w = results.get('wetty');
  const out: string[] = [];
  if (typeof o === 'object' && typeof w === 'object') {
    const ratio = o.mbps / w.mbps;
    out.push(
      `- Throughput at least 1.5× wetty's: ${ratio >= 1.5 ? '**met**' : '**not met**'} (${f2(ratio)}×: ${f1(o.mbps)} vs ${f1(w.mbps)} MB/s).`,
    );
  } else {
    out.push("- Throughput at least 1.5× wetty's: not measured (wetty or ours missing).");
  }
  const c = results.get('pty');
  if (typeof c === 'object') {
    const share = (r: Summary | string | undefined): string => (typeof r === 'object' ? `${Math.round((100 * r.mbps) / c.mbps)}%` : '—');
    out.push(
      `- Share of the node-pty ceiling (${f1(c.mbps)} MB/s) reached: ours ${share(o)}, wetty ${share(w)}, shellinabox ${share(results.get('shellinabox'))}.`,
    );
  }
  if (typeof o === 'object') {
    out.push(`- Echo p99 during a flood under 50 ms: ${o.floodP99 < 50 ? '**met**' : '**not met**'} (${f2(o.floodP99)} ms).`);
  }
  return out;
}

function section(results: Map<SystemName, Summary | string>, runs: number, startedAt: Date): string {
  const { start, end } = sectionMarkers('terminal');
  const missing = [...results].filter(([, r]) => typeof r === 'string').map(([n, r]) => `- ${n}: ${r}`);
  return [
    start,
    '',
    '## Terminal: throughput, keystroke echo, Ctrl-C (ours vs wetty vs shellinabox)',
    '',
    'Written by `node site/bench/terminal.ts --write`. Same run, same machine, every terminal serving bash on 127.0.0.1 to a headless client that honours its flow control:',
    '',
    '- **ours**: the lab server as `npm start` runs it (`node site/server/main.ts`, its own process, local node-pty backend), a `ws` client speaking `terminal/protocol.ts`, acking every 64 KiB like the island. The gateway coalesces the pty reads of one event-loop turn into one frame (up to 256 KiB).',
    "- **wetty 3.2.0** (npm, installed outside the repo), `--command '/bin/bash --norc --noprofile'`, driven with the socket.io-client it ships (default transports: polling, then the WebSocket upgrade): `input`/`resize` out, `data` in, a `commit` of 256 KiB per 256 KiB received (its FlowControlClient; the server pauses the pty above 2 MiB unacknowledged).",
    '- **node-pty alone**: no server and no socket, bash in a pty read by the bench process itself: the ceiling every web terminal on this machine shares (the kernel pty and the `head | tr` pipeline cost the same for all).',
    '- **shellinabox** (Debian `shellinaboxd --disable-ssl --localhost-only`, service `/:uid:gid:HOME:/bin/bash --norc --noprofile`), driven like its `ShellInABox.js`: one long-poll `POST /?` (`width`, `height`, `session`) in flight at a time and re-sent on each answer; keys hex-encoded in a separate `POST` (`keys=`), one in flight.',
    '',
    `Measures: (1) output throughput of \`head -c ${THROUGHPUT_BYTES} /dev/zero | tr '\\0' a\`, from sending the command until the marker printed after it arrives (MB = 10⁶ bytes); (2) keystroke echo: one printable character, time until it comes back (then a backspace, awaited), ${ECHO_SAMPLES} samples idle and ${ECHO_SAMPLES} while a **second session on the same server** runs \`yes\` (its client, in the same process, drains and acks it); (3) Ctrl-C to prompt: \`yes\`, 500 ms, \`\\x03\`, until the PS1 marker appears (the backlog in flight drains first).`,
    '',
    table(results, runs),
    '',
    'Targets (from the issue):',
    '',
    ...targets(results),
    ...(missing.length ? ['', 'Not measured:', '', ...missing] : []),
    '',
    `Machine: ${cpus()[0]?.model ?? 'unknown CPU'} × ${cpus().length}, ${Math.round(totalmem() / 2 ** 30)} GiB, Linux ${release()}, Node ${process.version}; ${startedAt.toISOString().slice(0, 10)}. All clients run in the bench's one Node process, so the flood's client-side cost shares its event loop with the echo samples for every system alike; the servers (ours, wetty, shellinabox) each run in their own process.`,
    '',
    end,
  ].join('\n');
}

// ---------------------------------------------------------------- main

async function main(): Promise<number> {
  let values: { runs?: string; write?: boolean; only?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      options: {
        runs: { type: 'string', default: '3' },
        write: { type: 'boolean', default: false },
        only: { type: 'string', default: SYSTEMS.join(',') },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    process.stderr.write(
      `${error instanceof Error ? error.message : String(error)}\nUsage: node site/bench/terminal.ts [--runs N] [--write] [--only ours,wetty,shellinabox,pty]\n`,
    );
    return 2;
  }
  if (values.help) {
    process.stdout.write('Usage: node site/bench/terminal.ts [--runs N] [--write] [--only ours,wetty,shellinabox,pty]\n');
    return 0;
  }
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1 || runs > 50) {
    process.stderr.write(`--runs must be a whole number from 1 to 50, not "${values.runs}".\n`);
    return 2;
  }
  if (values.write && runs < MIN_RUNS_FOR_WRITE) {
    process.stderr.write(`--write needs at least ${MIN_RUNS_FOR_WRITE} runs.\n`);
    return 2;
  }
  const only = new Set((values.only ?? '').split(',').map((x) => x.trim()));
  const startedAt = new Date();
  const home = await mkdtemp(join(tmpdir(), 'mlops-lab-bench-terminal-'));
  const results = new Map<SystemName, Summary | string>();
  let failed = false;
  try {
    for (const name of SYSTEMS) {
      if (!only.has(name)) continue;
      let system: System | undefined;
      try {
        system =
          name === 'ours'
            ? await startOurs(home)
            : name === 'wetty'
              ? await startWetty(home)
              : name === 'shellinabox'
                ? await startShellInABox(home)
                : startPty(home);
        const figures: RunFigures[] = [];
        for (let i = 0; i < runs; i++) {
          const r = await measureRun(system);
          figures.push(r);
          process.stdout.write(
            `${name} run ${i + 1}/${runs}: ${f1(r.mbps)} MB/s; echo idle p50 ${f2(percentile(r.echoIdle, 50))} p99 ${f2(percentile(r.echoIdle, 99))} ms; ` +
              `flood p50 ${f2(percentile(r.echoFlood, 50))} p99 ${f2(percentile(r.echoFlood, 99))} ms (flood ${f1(r.floodMBps)} MB/s); Ctrl-C ${f1(r.ctrlC)} ms\n`,
          );
        }
        results.set(name, summarise(system, figures));
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        process.stderr.write(`${name}: ${message}\n`);
        results.set(name, message.replace(/\|/g, '/').slice(0, 300));
        if (name === 'ours') failed = true;
      } finally {
        await system?.stop().catch((e: unknown) => process.stderr.write(`${name}: stop failed: ${String(e)}\n`));
      }
    }
  } finally {
    await rm(home, { recursive: true, force: true });
  }
  process.stdout.write(`\n${table(results, runs)}\n\n${targets(results).join('\n')}\n`);
  if (values.write) {
    await writeBenchmarkSection('terminal', section(results, runs, startedAt), (line) => process.stderr.write(`${line}\n`));
    process.stdout.write('Wrote the terminal section of BENCHMARKS.md.\n');
  }
  return failed ? 1 : 0;
}

try {
  process.exitCode = await main();
} catch (error) {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
}
// Undici keep-alive sockets and the like must not hold the process open.
setTimeout(() => process.exit(), 1000).unref();
