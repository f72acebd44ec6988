/**
 * A tracking server started by `solve` the way the lab tells a learner to
 * start one, when none answers at MLFLOW_TRACKING_URI: in the workspace,
 * with a SQLite backend (`mlflow.db`) and an artifact root (`mlartifacts/`),
 * on the URI's port. Its process id goes to `.mlflow-server.pid` so cleanup
 * (and `mlops-lab reset`) stops it; a server the learner started is never
 * touched.
 */
import { spawn } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SolveContext } from '@mlops-lab/grader/authoring';

export const PID_FILE = '.mlflow-server.pid';
export const SERVER_LOG = 'mlflow-server.log';

/** The argv of the server the instructions give (`mlflow server …`), for a port. */
export function serverArgs(port: string): string[] {
  return [
    'server',
    '--backend-store-uri',
    'sqlite:///mlflow.db',
    '--default-artifact-root',
    './mlartifacts',
    '--host',
    '127.0.0.1',
    '--port',
    port,
  ];
}

async function answers(ctx: SolveContext): Promise<boolean> {
  try {
    await ctx.mlflow.ping({ signal: AbortSignal.timeout(3_000) });
    return true;
  } catch {
    return false;
  }
}

/** Starts `mlflow server` in the workspace unless a server already answers; waits for /health (up to 3 minutes). */
export async function ensureTrackingServer(ctx: SolveContext): Promise<'already-running' | 'started'> {
  if (await answers(ctx)) return 'already-running';
  const url = new URL(ctx.mlflow.trackingUri);
  if (!['127.0.0.1', 'localhost'].includes(url.hostname)) {
    throw new Error(`No tracking server answers at ${url.href}, and solve only starts one on this machine (127.0.0.1).`);
  }
  const mlflow = await ctx.process.which('mlflow');
  const log = openSync(join(ctx.workspace.dir, SERVER_LOG), 'a');
  const child = spawn(mlflow, serverArgs(url.port || '80'), {
    cwd: ctx.workspace.dir,
    detached: true,
    stdio: ['ignore', log, log],
    env: { ...process.env, MLFLOW_SERVER_ENABLE_JOB_EXECUTION: 'false', MLFLOW_DISABLE_TELEMETRY: 'true' },
  });
  closeSync(log);
  child.unref();
  await writeFile(join(ctx.workspace.dir, PID_FILE), `${child.pid}\n`);
  ctx.log(`started \`mlflow ${serverArgs(url.port).join(' ')}\` (pid ${child.pid}, log in ${SERVER_LOG})`);
  const deadline = Date.now() + 180_000;
  while (!(await answers(ctx))) {
    if (child.exitCode !== null) throw new Error(`mlflow server exited with code ${child.exitCode}; see ${SERVER_LOG} in the workspace.`);
    if (Date.now() > deadline) throw new Error(`mlflow server did not answer ${url.href} within 180 s; see ${SERVER_LOG}.`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return 'started';
}

/** Stops the server `solve` started in this workspace (its whole process group), if any. */
export async function stopSolveServer(dir: string, log: (line: string) => void): Promise<void> {
  let pid: number;
  try {
    pid = Number((await readFile(join(dir, PID_FILE), 'utf8')).trim());
  } catch {
    return;
  }
  if (Number.isInteger(pid) && pid > 1) {
    const signal = (name: NodeJS.Signals | 0): boolean => {
      try {
        process.kill(-pid, name);
        return true;
      } catch {
        return false;
      }
    };
    if (signal('SIGTERM')) {
      for (let i = 0; i < 40 && signal(0); i++) await new Promise((resolve) => setTimeout(resolve, 250));
      signal('SIGKILL');
      log(`stopped the tracking server solve started (pid ${pid})`);
    }
  }
  await rm(join(dir, PID_FILE), { force: true });
}
