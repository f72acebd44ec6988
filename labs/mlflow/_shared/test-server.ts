/**
 * One real MLflow tracking server shared by every MLflow lab in a test file
 * (a start costs 10-30 s): started on first use inside a suite's beforeAll,
 * stopped by an afterAll at the file's top level. Test support only.
 *
 *   const env = sharedTrackingServer(mlflowGate);   // inside a describe
 *   labContract(lab, { env });
 */
import { afterAll, beforeAll } from 'vitest';
import { startMlflowServer, type MlflowServer } from '../../../grader/test-support/mlflow-server.ts';
import type { ToolGate } from '../../../grader/test-support/tools.ts';

let server: Promise<MlflowServer> | undefined;
let stopRegistered = false;

/** Registers the file-level stop once; call at the top level of the test file. */
export function stopSharedTrackingServerAfterAll(): void {
  if (stopRegistered) return;
  stopRegistered = true;
  afterAll(async () => {
    const started = server;
    server = undefined;
    if (started) await (await started).stop();
  });
}

/** The environment with MLFLOW_TRACKING_URI of the shared server, once a beforeAll of the calling suite has started it. */
export function sharedTrackingServer(mlflow: ToolGate): () => NodeJS.ProcessEnv {
  let env: NodeJS.ProcessEnv = process.env;
  beforeAll(async () => {
    server ??= startMlflowServer({ mlflow: mlflow.detail! });
    env = { ...process.env, MLFLOW_TRACKING_URI: (await server).uri };
  });
  return () => env;
}
