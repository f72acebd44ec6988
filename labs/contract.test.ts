/**
 * The lab contract, for every lab under labs/ (discovered, not listed):
 * fresh workspace from starter/ -> the checks the starter must fail do fail,
 * each with a message, expected, actual and hint -> solve -> every check
 * passes -> cleanup leaves no containers, images or files behind.
 *
 * It runs against the real tools each lab needs (the Docker engine for the
 * Docker labs). Kubernetes labs run against the Kubernetes API fixture
 * server here (the test names say so) and against a live cluster in
 * `npm run test:cluster` (contract.cluster.test.ts). The steps are in
 * contract-suite.ts.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startFixtureServer, type FixtureServer } from '@mlops-lab/cluster/fixture';
import { loadAllLabs, type LoadedLab, type ToolId } from '@mlops-lab/grader';
import { verifySolvedCapstone } from './capstone/01-monitored-ml-system/verify-solved.ts';
import { labContract } from './contract-suite.ts';
import { sharedTrackingServer, stopSharedTrackingServerAfterAll } from './mlflow/_shared/test-server.ts';
import {
  describeWithTools,
  probeCompose,
  probeDocker,
  probeDockerImage,
  probePython,
  probeProgram,
  probeRegistry,
  probeVenvTool,
  toolGate,
  type ToolGate,
} from '../grader/test-support/tools.ts';

const labs = await loadAllLabs();

const gateCache = new Map<string, Promise<ToolGate>>();
function gate(name: string, make: () => Promise<ToolGate>): Promise<ToolGate> {
  if (!gateCache.has(name)) gateCache.set(name, make());
  return gateCache.get(name)!;
}

async function gatesFor(lab: LoadedLab, options: { cluster?: 'fixture' } = {}): Promise<ToolGate[]> {
  const tools = new Set<ToolId>([...lab.manifest.needs, ...lab.manifest.checks.flatMap((c) => c.requires)]);
  // In the default suite the fixture API server stands in for the cluster.
  if (options.cluster === 'fixture') tools.delete('cluster');
  const gates: Promise<ToolGate>[] = [];
  for (const tool of tools) {
    if (tool === 'docker') gates.push(gate('docker', () => toolGate('docker', () => probeDocker())));
    else if (tool === 'python') gates.push(gate('python', () => toolGate('python', () => probePython())));
    else if (tool === 'registry') gates.push(gate('registry', () => toolGate('registry', () => probeRegistry())));
    else if (tool === 'compose') gates.push(gate('compose', () => toolGate('compose', () => probeCompose())));
    else if (tool === 'mlflow') gates.push(gate('mlflow', () => toolGate('mlflow', probeVenvTool('mlflow'))));
    else if (tool === 'dvc' || tool === 'git') gates.push(gate(tool, () => toolGate(tool, probeVenvTool(tool))));
    else if (tool === 'prometheus' || tool === 'promtool' || tool === 'alertmanager' || tool === 'tofu')
      gates.push(gate(tool, () => toolGate(tool, probeProgram(tool))));
    else
      gates.push(
        gate(tool, () => toolGate(tool, () => ({ available: false, reason: `the contract test has no probe for "${tool}" yet` }))),
      );
  }
  for (const image of lab.manifest.images) {
    gates.push(gate(`image:${image}`, () => toolGate(`image ${image}`, probeDockerImage(image))));
  }
  return await Promise.all(gates);
}

const defaultSuiteLabs = labs.filter((l) => !l.manifest.needs.includes('cluster'));
const clusterLabs = labs.filter((l) => l.manifest.needs.includes('cluster'));

/** The fixture's clock runs this much faster than the wall clock, so rollouts and probe windows pass quickly. */
const FIXTURE_TIME_SCALE = 30;

it('discovers every lab folder', () => {
  expect(labs.map((l) => l.manifest.id)).toContain('docker/01-containerise-model-api');
});

// MLflow labs: one real tracking server (SQLite, temp artifact root) for all
// of them, MLFLOW_TRACKING_URI passed to setup, grading, solve and cleanup.
stopSharedTrackingServerAfterAll();
for (const lab of defaultSuiteLabs) {
  const gates = await gatesFor(lab);
  const mlflow = lab.manifest.needs.includes('mlflow') ? gates.find((g) => g.tool === 'mlflow') : undefined;
  describeWithTools(gates, `lab contract: ${lab.manifest.id}`, () => {
    // monitoring/04: a real service, Prometheus and Alertmanager, clean then shifted traffic (about 65 s).
    const live = lab.manifest.needs.includes('alertmanager');
    // The capstone trains twice, builds and runs an image, and runs the drift
    // alert end to end: 155 s on a quiet machine, 290 s on a loaded one.
    const solveTimeoutMs = lab.manifest.stage === 'capstone' ? 1_200_000 : mlflow ? 300_000 : live ? 240_000 : undefined;
    labContract(lab, {
      ...(mlflow ? { env: sharedTrackingServer(mlflow) } : {}),
      ...(solveTimeoutMs !== undefined ? { solveTimeoutMs } : {}),
      // The capstone's figures, and `mlops-lab report` reproducing them from the stored attempt.
      ...(lab.manifest.stage === 'capstone' ? { afterSolve: verifySolvedCapstone } : {}),
    });
  });
}

// Kubernetes labs: the same contract against the Kubernetes API fixture
// server (cluster/src/fixture), one per lab, through a kubeconfig in a temp
// folder. `npm run test:cluster` runs it against a live cluster.
for (const lab of clusterLabs) {
  const gates = await gatesFor(lab, { cluster: 'fixture' });
  describeWithTools(gates, `lab contract: ${lab.manifest.id} (fixture API server)`, () => {
    let fixture: FixtureServer | undefined;
    let folder: string | undefined;
    let env: NodeJS.ProcessEnv = process.env;
    beforeAll(async () => {
      fixture = await startFixtureServer({ timeScale: FIXTURE_TIME_SCALE });
      folder = await mkdtemp(join(tmpdir(), 'mlops-lab-fixture-'));
      env = { ...process.env, KUBECONFIG: await fixture.writeKubeconfig(folder) };
    });
    afterAll(async () => {
      expect(fixture?.loop.errors ?? []).toEqual([]);
      await fixture?.close();
      if (folder) await rm(folder, { recursive: true, force: true });
    });
    labContract(lab, { env: () => env, namespaceGoneTimeoutMs: 10_000 });
  });
}
