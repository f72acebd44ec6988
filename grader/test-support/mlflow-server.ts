/**
 * A real MLflow tracking server for tests: a database backend (SQLite) and an
 * artifact root in a fresh temp dir, on a free loopback port, started from
 * the project venv (`npm run setup:tools`) and stopped with its whole
 * process group (uvicorn forks workers).
 *
 *   const mlflow = await toolGate('mlflow', probes.venvTool('mlflow'));
 *   describeWithTool(mlflow, '…', () => {
 *     let server: MlflowServer;
 *     beforeAll(async () => { server = await startMlflowServer({ mlflow: mlflow.detail! }); });
 *     afterAll(() => server?.stop());
 *   });
 *
 * One worker, and the job executor off (MLFLOW_SERVER_ENABLE_JOB_EXECUTION):
 * tests read and write a few hundred runs; four workers only slow the start.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { constants as fsConstants } from 'node:fs';
import { access, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export interface MlflowServer {
  /** `http://127.0.0.1:<port>`: the tracking URI. */
  uri: string;
  port: number;
  /** The temp dir holding mlflow.db and artifacts/ (removed by stop). */
  dir: string;
  /** `<dir>/artifacts`: the --default-artifact-root. */
  artifactRoot: string;
  /** How long the server took to answer /health, in ms. */
  startMs: number;
  /** The server's stdout and stderr so far (for failure messages). */
  log(): string;
  /** Stops the server (SIGTERM to its process group, SIGKILL after 10 s) and removes its dir. */
  stop(): Promise<void>;
}

export interface StartMlflowOptions {
  /** Path of the `mlflow` executable (the gate's `detail`). */
  mlflow: string;
  /** Give up waiting for /health after this long. Default: 180 000 ms (a cold start on a busy machine). */
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

/** A port nothing listens on right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const LOG_CAP = 64 * 1024;

export async function startMlflowServer(options: StartMlflowOptions): Promise<MlflowServer> {
  const timeoutMs = options.timeoutMs ?? 180_000;
  const dir = await mkdtemp(join(tmpdir(), 'mlops-lab-mlflow-'));
  const artifactRoot = join(dir, 'artifacts');
  const port = await freePort();
  const uri = `http://127.0.0.1:${port}`;
  const started = performance.now();
  const child = spawn(
    options.mlflow,
    [
      'server',
      '--backend-store-uri',
      `sqlite:///${join(dir, 'mlflow.db')}`,
      '--default-artifact-root',
      artifactRoot,
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--workers',
      '1',
    ],
    {
      cwd: dir,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...(options.env ?? process.env), MLFLOW_SERVER_ENABLE_JOB_EXECUTION: 'false', PYTHONUNBUFFERED: '1' },
    },
  );
  let log = '';
  const append = (chunk: Buffer): void => {
    log = (log + chunk.toString('utf8')).slice(-LOG_CAP);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let exitCode: number | null | undefined;
  child.once('exit', (code) => {
    exitCode = code;
  });

  // If the test process dies before stop() (a worker killed on timeout), take the server with it.
  const onExit = (): void => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  process.once('exit', onExit);

  const stop = async (): Promise<void> => {
    process.off('exit', onExit);
    await killGroup(child, exited);
    await rm(dir, { recursive: true, force: true });
  };

  try {
    for (;;) {
      if (exitCode !== undefined) throw new Error(`mlflow server exited with code ${exitCode} before answering /health`);
      if (performance.now() - started > timeoutMs)
        throw new Error(`mlflow server did not answer ${uri}/health within ${timeoutMs / 1000} s`);
      if (await healthy(uri)) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\n--- server output (tail) ---\n${log.slice(-4000)}`, { cause: error });
  }

  return { uri, port, dir, artifactRoot, startMs: Math.round(performance.now() - started), log: () => log, stop };
}

async function healthy(uri: string): Promise<boolean> {
  try {
    const response = await fetch(`${uri}/health`, { signal: AbortSignal.timeout(2_000) });
    await response.body?.cancel();
    return response.status === 200;
  } catch {
    return false;
  }
}

async function killGroup(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const signal = (name: NodeJS.Signals): void => {
    try {
      process.kill(-child.pid!, name);
    } catch {
      // already gone
    }
  };
  signal('SIGTERM');
  const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 10_000).unref());
  if ((await Promise.race([exited, timer])) === 'timeout') {
    signal('SIGKILL');
    await exited;
  }
  // uvicorn's worker may outlive the parent by a moment: make sure the group is gone.
  signal('SIGKILL');
}

/** The Python that runs `mlflow` (the venv's), to drive MLflow's own client from tests. */
export async function pythonBeside(mlflow: string): Promise<string> {
  const candidate = join(dirname(mlflow), 'python');
  try {
    await access(candidate, fsConstants.X_OK);
    return candidate;
  } catch {
    return 'python3';
  }
}

export interface PythonResult {
  stdout: string;
  stderr: string;
  durationMs: number;
}

/** Runs a Python script with argv (no shell); rejects with the output tail on a non-zero exit or a timeout. */
export function runPython(
  python: string,
  args: string[],
  options: { timeoutMs?: number; env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<PythonResult> {
  const timeoutMs = options.timeoutMs ?? 240_000;
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(python, args, {
      cwd: options.cwd,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...(options.env ?? process.env), PYTHONUNBUFFERED: '1' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout = (stdout + c.toString('utf8')).slice(-LOG_CAP);
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr = (stderr + c.toString('utf8')).slice(-LOG_CAP);
    });
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      const durationMs = Math.round(performance.now() - started);
      if (code === 0) resolve({ stdout, stderr, durationMs });
      else
        reject(
          new Error(
            `${python} ${args.join(' ')} ${signal ? `was killed (${signal}${signal === 'SIGKILL' ? `, timeout ${timeoutMs / 1000} s` : ''})` : `exited with ${code}`}\n--- stderr (tail) ---\n${stderr.slice(-4000)}`,
          ),
        );
    });
  });
}
