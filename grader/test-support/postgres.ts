/**
 * A real PostgreSQL server for tests and benchmarks: `initdb` into a fresh
 * temp dir, then `postgres` listening on a unix socket in that dir and on a
 * free 127.0.0.1 port, with trust authentication for the `postgres` user.
 * PostgreSQL refuses to run as root, so when the tests run as root (CI, this
 * container) both run as the system user `postgres` (Debian's package
 * creates it), with the dir handed over to it.
 *
 *   const postgres = await toolGate('postgresql', probePostgres);
 *   describeWithTool(postgres, '…', () => {
 *     let server: PostgresServer;
 *     beforeAll(async () => { server = await startPostgres(); });
 *     afterAll(() => server?.stop());
 *     it('…', async () => { const url = await server.createDatabase(); … });
 *   });
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { access, chown, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { freePort } from './mlflow-server.ts';
import type { ProbeResult } from './tools.ts';

export const POSTGRES_HINT =
  'install PostgreSQL (Debian: `apt-get install postgresql`; the tests only need its initdb and postgres programs, in /usr/lib/postgresql/<N>/bin or on PATH)';

export interface PostgresServer {
  /** `postgresql://postgres@127.0.0.1:<port>/postgres` (trust authentication: no password). */
  url: string;
  port: number;
  /** The data dir; the unix socket is in it too. Removed by stop(). */
  dir: string;
  /** How long initdb and the start took, in ms. */
  startMs: number;
  /** Creates an empty database with a random name and returns its URL. */
  createDatabase(prefix?: string): Promise<string>;
  /** The server's log so far (for failure messages). */
  log(): string;
  /** Stops the server without waiting for clients to leave (as `kill -9` would, but cleanly: SIGQUIT). Start with restart(). */
  kill(): Promise<void>;
  /** Starts the stopped server again on the same port and data dir. */
  restart(): Promise<void>;
  /** Stops the server (fast shutdown, SIGKILL after 10 s) and removes its dir. */
  stop(): Promise<void>;
}

export interface StartPostgresOptions {
  /** Flush to disk on commit. Default false: tests need no durability and fsync is slow; the benchmark turns it on. */
  fsync?: boolean;
  /** Give up waiting for the server after this long. Default 60 000 ms. */
  timeoutMs?: number;
  /** Extra `-c name=value` settings. */
  settings?: Record<string, string | number>;
}

/** The folder holding initdb and postgres: PATH first, then Debian's /usr/lib/postgresql/<newest>/bin. */
export async function findPostgresBin(env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  const candidates = (env.PATH ?? '').split(delimiter).filter(Boolean);
  try {
    const versions = (await readdir('/usr/lib/postgresql')).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((v) => `/usr/lib/postgresql/${v}/bin`));
  } catch {
    // Not Debian's layout.
  }
  for (const dir of candidates) {
    if ((await isExecutable(join(dir, 'initdb'))) && (await isExecutable(join(dir, 'postgres')))) return dir;
  }
  return undefined;
}

/** PostgreSQL's initdb and postgres can be run here (as the `postgres` user when we are root). */
export async function probePostgres(): Promise<ProbeResult> {
  const bin = await findPostgresBin();
  if (!bin)
    return { available: false, reason: 'initdb and postgres are neither on PATH nor in /usr/lib/postgresql/<N>/bin', hint: POSTGRES_HINT };
  if (process.getuid?.() === 0 && !(await systemUser('postgres'))) {
    return {
      available: false,
      reason: 'running as root, and there is no `postgres` system user to run PostgreSQL as (it refuses to run as root)',
      hint: 'create one (`useradd --system postgres`) or run the tests as another user',
    };
  }
  const version = await new Promise<string>((resolve) => {
    execFile(join(bin, 'postgres'), ['--version'], { timeout: 10_000 }, (error, stdout) => resolve(error ? '' : stdout.trim()));
  });
  if (!version) return { available: false, reason: `\`${join(bin, 'postgres')} --version\` failed`, hint: POSTGRES_HINT };
  return { available: true, detail: `${version} (${bin})` };
}

/** initdb + postgres in a temp dir; see the top of this file. */
export async function startPostgres(options: StartPostgresOptions = {}): Promise<PostgresServer> {
  const started = Date.now();
  const timeoutMs = options.timeoutMs ?? 60_000;
  const bin = await findPostgresBin();
  if (!bin) throw new Error(`PostgreSQL is not installed: ${POSTGRES_HINT}`);
  const asRoot = process.getuid?.() === 0;
  const user = asRoot ? await systemUser('postgres') : undefined;
  if (asRoot && !user) throw new Error('Running as root and there is no `postgres` user to run PostgreSQL as.');

  const dir = await mkdtemp(join(tmpdir(), 'mlops-lab-pg-'));
  if (user) await chown(dir, user.uid, user.gid);
  const env = { ...process.env, LC_ALL: 'C.UTF-8', LANG: 'C.UTF-8', PGTZ: 'UTC', ...(user ? { HOME: dir, USER: 'postgres' } : {}) };
  const spawnAs = user ? { uid: user.uid, gid: user.gid } : {};
  const data = join(dir, 'data');
  let output = '';

  await new Promise<void>((resolve, reject) => {
    const child = spawn(
      join(bin, 'initdb'),
      ['-D', data, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C.UTF-8', '--no-sync'],
      {
        env,
        cwd: dir,
        ...spawnAs,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`initdb exited with ${code}:\n${output.slice(-4000)}`))));
  }).catch(async (error: unknown) => {
    await rm(dir, { recursive: true, force: true });
    throw error;
  });

  const port = await freePort();
  const settings: Record<string, string | number> = {
    fsync: options.fsync ? 'on' : 'off',
    synchronous_commit: options.fsync ? 'on' : 'off',
    full_page_writes: options.fsync ? 'on' : 'off',
    max_connections: 50,
    shared_buffers: '128MB',
    ...options.settings,
  };
  const args = [
    '-D',
    data,
    '-k',
    dir,
    '-h',
    '127.0.0.1',
    '-p',
    String(port),
    ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`]),
  ];
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  const url = `postgresql://postgres@127.0.0.1:${port}/postgres`;
  const start = async (): Promise<void> => {
    const proc = spawn(join(bin, 'postgres'), args, { env, cwd: dir, ...spawnAs, stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    proc.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    proc.stderr?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-64_000)));
    exited = new Promise((resolve) => proc.once('exit', () => resolve()));
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`postgres exited at start:\n${output.slice(-4000)}`);
      if (await accepts(url)) return;
      if (Date.now() > deadline)
        throw new Error(`postgres did not accept connections within ${timeoutMs / 1000} s:\n${output.slice(-4000)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const signal = async (sig: NodeJS.Signals): Promise<void> => {
    const proc = child;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    proc.kill(sig);
    const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };

  try {
    await start();
  } catch (error) {
    await signal('SIGKILL');
    await rm(dir, { recursive: true, force: true });
    throw error;
  }

  return {
    url,
    port,
    dir,
    startMs: Date.now() - started,
    log: () => output,
    async createDatabase(prefix = 'test') {
      const name = `${prefix.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${randomBytes(6).toString('hex')}`;
      const pg = (await import('pg')).default;
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return `postgresql://postgres@127.0.0.1:${port}/${name}`;
    },
    // SIGQUIT: immediate shutdown, no checkpoint, clients cut off.
    kill: () => signal('SIGQUIT'),
    restart: start,
    async stop() {
      // SIGINT: fast shutdown (roll back open transactions, disconnect clients).
      await signal('SIGINT');
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function accepts(url: string): Promise<boolean> {
  const pg = (await import('pg')).default;
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function systemUser(name: string): Promise<{ uid: number; gid: number } | undefined> {
  try {
    const passwd = await readFile('/etc/passwd', 'utf8');
    for (const line of passwd.split('\n')) {
      const [user, , uid, gid] = line.split(':');
      if (user === name && uid && gid) return { uid: Number(uid), gid: Number(gid) };
    }
  } catch {
    // No /etc/passwd (not Unix).
  }
  return undefined;
}

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}
