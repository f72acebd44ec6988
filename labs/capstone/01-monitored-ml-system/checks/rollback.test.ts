/**
 * M7 (and M5's refusals) on flawed projects, graded by the real runner with
 * the venv's mlflow: the small Python project of __fixtures__/python-project
 * (sklearn, a stdlib HTTP service without /predict or /metrics) with a gate
 * that records the champion it replaces and a `rollback` written here, in
 * two flawed ways. The reference system's passing run is in
 * container-reference.test.ts.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AttemptResult } from '@mlops-lab/grader';
import { describeWithTool, probeVenvTool, toolGate } from '../../../../grader/test-support/tools.ts';
import { fixtureWorkspace, grade } from '../test-support.ts';
import { m5Checks } from './m5.ts';
import { m7Checks } from './m7.ts';
import { readyVersion } from './rollback.ts';

describe('readyVersion', () => {
  it('returns the model_version of a /ready body as text, parsed or not', () => {
    expect(readyVersion({ model_name: 'adult-income', model_version: 2 })).toBe('2');
    expect(readyVersion('{"model_version": "7"}')).toBe('7');
    expect(readyVersion({ model_name: 'adult-income' })).toBeUndefined();
    expect(readyVersion('<html>')).toBeUndefined();
    expect(readyVersion(null)).toBeUndefined();
  });
});

/** Promotes like the fixture's gate, and records on the candidate which version it replaced. */
const GATE = `"""Promote CANDIDATE_VERSION when its run's f1 is at least the champion's; tag it with the champion it replaces."""
import os
import sys

from mlflow import MlflowClient
from mlflow.exceptions import MlflowException


def main() -> int:
    name = os.environ.get("MODEL_NAME", "adult-income")
    client = MlflowClient()
    versions = client.search_model_versions(f"name = '{name}'")
    candidate = os.environ.get("CANDIDATE_VERSION") or str(max(int(v.version) for v in versions))
    f1 = client.get_run(client.get_model_version(name, candidate).run_id).data.metrics["f1"]
    try:
        champion = client.get_model_version_by_alias(name, "champion")
    except MlflowException:
        champion = None
    if champion is not None and f1 < client.get_run(champion.run_id).data.metrics["f1"]:
        print(f"refused version {candidate}")
        return 1
    client.set_model_version_tag(name, candidate, "previous_champion", champion.version if champion else "")
    client.set_registered_model_alias(name, "champion", candidate)
    print(f"promoted version {candidate}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
`;

/** A rollback with a flaw chosen by rollback-mode.txt: `sloppy` (no kubectl; exit 0 with nothing to go back to) or `no-namespace`. */
const ROLLBACK = `"""Roll champion back to the version it replaced, then undo the rollout (with the flaw rollback-mode.txt names)."""
import os
import subprocess
import sys

from mlflow import MlflowClient


def main() -> int:
    mode = open("rollback-mode.txt").read().strip()
    name = os.environ.get("MODEL_NAME", "adult-income")
    client = MlflowClient()
    current = client.get_model_version_by_alias(name, "champion")
    previous = current.tags.get("previous_champion", "")
    if not previous:
        print(f"no champion before version {current.version}")
        return 0 if mode == "sloppy" else 1
    client.set_registered_model_alias(name, "champion", previous)
    print(f"champion: version {current.version} -> {previous}")
    if mode == "sloppy":
        return 0
    return subprocess.run(["kubectl", "rollout", "undo", f"deployment/{os.environ['KUBE_DEPLOYMENT']}"]).returncode


if __name__ == "__main__":
    sys.exit(main())
`;

const mlflow = await toolGate('mlflow', probeVenvTool('mlflow'));

describeWithTool(mlflow, 'M5 and M7 on a Python project with a flawed rollback (real runner, MLflow, processes)', () => {
  const results: Record<string, AttemptResult> = {};
  const removers: (() => Promise<void>)[] = [];
  const status = (mode: string, id: string) => {
    const found = results[mode]!.checks.find((c) => c.id === id);
    if (!found) throw new Error(`no ${id}`);
    return found;
  };

  beforeAll(async () => {
    for (const mode of ['sloppy', 'no-namespace']) {
      const workspace = await fixtureWorkspace('python-project');
      removers.push(workspace.remove);
      await writeFile(join(workspace.dir, 'capstone', 'gate.py'), GATE);
      await writeFile(join(workspace.dir, 'capstone', 'rollback.py'), ROLLBACK);
      await writeFile(join(workspace.dir, 'rollback-mode.txt'), `${mode}\n`);
      await writeFile(
        join(workspace.dir, 'Procfile'),
        'train: python -m capstone.train\ngate: python -m capstone.gate\nweb: python -m capstone.serve\nrollback: python -m capstone.rollback\n',
      );
      const env = { ...process.env, KUBECONFIG: join(workspace.dir, 'no-kubeconfig'), HOME: workspace.dir };
      // M5 once (its refusals are the same in both); M7 in each mode.
      results[mode] = await grade(mode === 'sloppy' ? [...m5Checks, ...m7Checks] : m7Checks, workspace.dir, env);
    }
  }, 20 * 60_000);

  afterAll(async () => {
    for (const remove of removers) await remove();
  });

  it('returns pass for the moved alias and the restarted service, fail for the missing kubectl and for exit 0 with nothing to go back to', () => {
    expect(status('sloppy', 'm7-rollback-restores-previous-champion')).toMatchObject({
      status: 'pass',
      figures: { 'rollback.from': '2', 'rollback.to': '1' },
    });
    expect(status('sloppy', 'm7-restarted-service-serves-previous-version')).toMatchObject({
      status: 'pass',
      message: '/ready said model_version 2 before the rollback and 1 after the restart.',
    });
    const undo = status('sloppy', 'm7-rollback-undoes-the-deployment');
    expect(undo).toMatchObject({ status: 'fail' });
    expect(undo.message).toContain('never ran `kubectl rollout undo`');
    const refuses = status('sloppy', 'm7-rollback-refuses-without-earlier-champion');
    expect(refuses).toMatchObject({ status: 'fail' });
    expect(refuses.message).toBe('With no champion before version 1, `rollback` exited 0: a pipeline would believe it rolled back.');
  });

  it('returns fail naming the missing namespace when kubectl rollout undo leaves out -n, and pass for a refusal that changes nothing', () => {
    const undo = status('no-namespace', 'm7-rollback-undoes-the-deployment');
    expect(undo).toMatchObject({ status: 'fail', figures: { 'rollback.kubectl': 'kubectl rollout undo deployment/adult-income' } });
    expect(undo.message).toContain('runs in namespace (the default, not given), not capstone');
    expect(status('no-namespace', 'm7-rollback-refuses-without-earlier-champion')).toMatchObject({ status: 'pass' });
  });

  it('returns M5 failures that say what is wrong with a service that cannot POST (501) and has no /metrics, and skips the load', () => {
    expect(status('sloppy', 'm5-health-answers-without-auth').status).toBe('pass');
    expect(status('sloppy', 'm5-ready-reports-model-version')).toMatchObject({ status: 'pass' });
    const auth = status('sloppy', 'm5-predict-requires-credentials');
    expect(auth).toMatchObject({ status: 'fail' });
    expect('actual' in auth && auth.actual).toContain('no credentials: status 501');
    expect(status('sloppy', 'm5-predict-returns-one-prediction-per-row').message).toContain('did not answer 6 predictions: status 501');
    const bad = status('sloppy', 'm5-predict-rejects-bad-fields');
    expect('actual' in bad && bad.actual).toContain('a row without age: 501 (a server error)');
    expect(status('sloppy', 'm5-metrics-are-prometheus-text').message).toBe('GET /metrics answered 404.');
    expect(status('sloppy', 'm5-load-meets-latency-bound').status).toBe('skip');
  });
});
