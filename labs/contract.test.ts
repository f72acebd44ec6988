/**
 * The lab contract, for every lab under labs/ (discovered, not listed):
 * fresh workspace from starter/ -> the checks the starter must fail do fail,
 * each with a message, expected, actual and hint -> solve -> every check
 * passes -> cleanup leaves no containers, images or files behind.
 *
 * It runs against the real tools each lab needs (the Docker engine for the
 * Docker labs). Labs that need a live cluster run in `npm run test:cluster`.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import {
  AttemptResultSchema,
  DockerEvidence,
  applySolution,
  cleanupLab,
  createWorkspace,
  loadAllLabs,
  removeWorkspace,
  runLab,
  setupLab,
  workspaceId,
  type AttemptResult,
  type LoadedLab,
  type ToolId,
} from '@mlops-lab/grader';
import { describeWithTools, probeDocker, probeDockerImage, probePython, toolGate, type ToolGate } from '../grader/test-support/tools.ts';

const labs = await loadAllLabs();

const gateCache = new Map<string, Promise<ToolGate>>();
function gate(name: string, make: () => Promise<ToolGate>): Promise<ToolGate> {
  if (!gateCache.has(name)) gateCache.set(name, make());
  return gateCache.get(name)!;
}

async function gatesFor(lab: LoadedLab): Promise<ToolGate[]> {
  const tools = new Set<ToolId>([...lab.manifest.needs, ...lab.manifest.checks.flatMap((c) => c.requires)]);
  const gates: Promise<ToolGate>[] = [];
  for (const tool of tools) {
    if (tool === 'docker') gates.push(gate('docker', () => toolGate('docker', () => probeDocker())));
    else if (tool === 'python') gates.push(gate('python', () => toolGate('python', () => probePython())));
    else gates.push(gate(tool, () => toolGate(tool, () => ({ available: false, reason: `the contract test has no probe for "${tool}" yet` }))));
  }
  for (const image of lab.manifest.images) {
    gates.push(gate(`image:${image}`, () => toolGate(`image ${image}`, probeDockerImage(image))));
  }
  return await Promise.all(gates);
}

const defaultSuiteLabs = labs.filter((l) => !l.manifest.needs.includes('cluster'));

it('discovers every lab folder', () => {
  expect(labs.map((l) => l.manifest.id)).toContain('docker/01-containerise-model-api');
});

for (const lab of defaultSuiteLabs) {
  const gates = await gatesFor(lab);
  describeWithTools(gates, `lab contract: ${lab.manifest.id}`, () => {
    let dir: string | undefined;
    const cleanups: (() => Promise<void>)[] = [];

    afterAll(async () => {
      for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
    });

    const grade = (credit: AttemptResult['credit']): Promise<AttemptResult> =>
      runLab({ lab, workspaceDir: dir!, learner: 'contract-test', source: 'test', credit });

    it('starts a fresh workspace from starter/', async () => {
      const parent = await mkdtemp(join(tmpdir(), 'mlops-lab-contract-'));
      cleanups.push(() => rm(parent, { recursive: true, force: true }));
      const created = await createWorkspace(lab, join(parent, 'workspace'));
      dir = created.dir;
      cleanups.push(async () => {
        await cleanupLab(lab, dir!);
      });
      await setupLab(lab, dir);
      expect(created.files.length).toBeGreaterThan(0);
    });

    it('fails the starter on the named checks, each with message, expected, actual and hint', async () => {
      const result = await grade('learner');
      expect(AttemptResultSchema.safeParse(result).success).toBe(true);
      const byId = new Map(result.checks.map((c) => [c.id, c]));
      for (const id of lab.manifest.contract.starterFails) {
        const check = byId.get(id)!;
        expect({ id, status: check.status }).toEqual({ id, status: 'fail' });
        expect(check.message.length, `${id} message`).toBeGreaterThan(20);
        expect(check.expected, `${id} expected`).toBeTruthy();
        expect(check.actual, `${id} actual`).toBeTruthy();
        expect(check.hint, `${id} hint`).toBeTruthy();
      }
      // The starter may pass or skip the other checks, but never error: an
      // error would mean the grader, not the learner, is at fault.
      expect(result.checks.filter((c) => c.status === 'error').map((c) => `${c.id}: ${c.message}`)).toEqual([]);
      expect(result.status).toBe('fail');
    });

    it('passes every check after solve', async () => {
      await applySolution(lab, dir!);
      const result = await grade('solution');
      const notPassing = result.checks.filter((c) => c.status !== 'pass').map((c) => `${c.id} ${c.status}: ${c.message} ${c.actual ?? ''}`);
      expect(notPassing).toEqual([]);
      expect(result.status).toBe('pass');
    });

    it('leaves no containers, images or files behind after cleanup', async () => {
      const id = workspaceId(dir!);
      await cleanupLab(lab, dir!);
      await removeWorkspace(dir!);
      expect(existsSync(dir!)).toBe(false);
      if (lab.manifest.needs.includes('docker')) {
        const left = await new DockerEvidence().listLabelled({ 'org.mlops-lab.workspace': id });
        expect(left).toEqual({ containers: [], images: [] });
      }
    });
  });
}
