/**
 * M1, M2 and M4 on the untouched starter, graded by the real runner with a
 * real MLflow server: it fails the checks its contract names (and errors on
 * none). The solved reference system is graded, every milestone and every
 * figure, by the repository-wide lab contract (labs/contract.test.ts with
 * verify-solved.ts).
 */
import { cp, lstat, mkdtemp, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { stopWorkspaceServices } from '@mlops-lab/grader/authoring';
import { describeWithTool, probeVenvTool, toolGate } from '../../../grader/test-support/tools.ts';
import { m1Checks } from './checks/m1.ts';
import { m2Checks } from './checks/m2.ts';
import { m4Checks } from './checks/m4.ts';
import { REPO_NODE_MODULES, capstoneHooks } from './hooks.ts';
import { HERE, grade, testRun } from './test-support.ts';

const mlflow = await toolGate('mlflow', probeVenvTool('mlflow'));
const CHECKS = [...m1Checks, ...m2Checks, ...m4Checks];
const STARTER_FAILS = [
  'm1-trains-reproducibly',
  'm1-dependencies-are-pinned',
  'm1-project-has-tests',
  'm4-ci-tests-and-lints-pull-requests',
  'm4-dvc-pipeline-has-train-stage',
];

describeWithTool(
  mlflow,
  'capstone M1, M2 and M4 on the starter (the solved reference is graded by the lab contract, labs/contract.test.ts)',
  () => {
    let parent: string;
    let dir: string;
    const log: string[] = [];

    beforeAll(async () => {
      parent = await mkdtemp(join(tmpdir(), 'mlops-lab-capstone-e2e-'));
      dir = join(parent, 'workspace');
      await cp(join(HERE, 'starter'), dir, { recursive: true });
      await capstoneHooks.setup({ ...testRun(dir).ctx, log: (l: string) => void log.push(l) });
    });
    afterAll(async () => {
      await stopWorkspaceServices(dir);
      await rm(parent, { recursive: true, force: true });
    });

    it('setup copies the data set and links node_modules', async () => {
      expect((await lstat(join(dir, 'data/adult.csv.gz'))).size).toBe(585_051);
      expect(await readlink(join(dir, 'node_modules'))).toBe(REPO_NODE_MODULES);
    });

    it('fails the starter on the contract’s checks, each with message, expected, actual and hint, and errors on none', async () => {
      const result = await grade(CHECKS, dir);
      const byId = new Map(result.checks.map((c) => [c.id, c]));
      for (const id of STARTER_FAILS) {
        const check = byId.get(id)!;
        expect({ id, status: check.status }).toEqual({ id, status: 'fail' });
        expect(check.message.length > 20 && check.expected && check.actual && check.hint, id).toBeTruthy();
      }
      expect(result.checks.filter((c) => c.status === 'error').map((c) => `${c.id}: ${c.message}`)).toEqual([]);
    }, 120_000);
  },
);
