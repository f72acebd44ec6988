import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decideGate, probeDocker, probeDockerImage, probePython, probeVenvTool, requireAll } from './tools.ts';

describe('decideGate', () => {
  const missing = { available: false, reason: 'docker version failed: no engine', hint: 'start dockerd' };

  it('runs when the tool is available, whatever MLOPS_LAB_REQUIRE_ALL says', () => {
    expect(decideGate({ available: true }, {}, 'docker')).toEqual({ action: 'run' });
    expect(decideGate({ available: true }, { MLOPS_LAB_REQUIRE_ALL: '1' }, 'docker')).toEqual({ action: 'run' });
  });

  it('fails with the exact message when required and missing', () => {
    expect(decideGate(missing, { MLOPS_LAB_REQUIRE_ALL: '1' }, 'docker')).toEqual({
      action: 'fail',
      message: 'MLOPS_LAB_REQUIRE_ALL=1 and docker is missing: docker version failed: no engine; start dockerd',
    });
  });

  it('skips with a reason when missing and not required', () => {
    for (const env of [{}, { MLOPS_LAB_REQUIRE_ALL: '' }, { MLOPS_LAB_REQUIRE_ALL: '0' }]) {
      const decision = decideGate(missing, env, 'docker');
      expect(decision.action).toBe('skip');
      expect(decision.message).toContain('docker is missing: docker version failed: no engine; start dockerd');
      expect(decision.message).toContain('MLOPS_LAB_REQUIRE_ALL=1');
    }
  });

  it('fills in a reason and a hint when the probe gave none', () => {
    const decision = decideGate({ available: false }, { MLOPS_LAB_REQUIRE_ALL: '1' }, 'dvc');
    expect(decision.action).toBe('fail');
    expect(decision.message).toMatch(/^MLOPS_LAB_REQUIRE_ALL=1 and dvc is missing: not found; \S/);
  });

  it('reads MLOPS_LAB_REQUIRE_ALL as a flag', () => {
    expect(requireAll({ MLOPS_LAB_REQUIRE_ALL: '1' })).toBe(true);
    expect(requireAll({ MLOPS_LAB_REQUIRE_ALL: 'true' })).toBe(true);
    expect(requireAll({ MLOPS_LAB_REQUIRE_ALL: 'YES' })).toBe(true);
    expect(requireAll({ MLOPS_LAB_REQUIRE_ALL: '0' })).toBe(false);
    expect(requireAll({ MLOPS_LAB_REQUIRE_ALL: 'false' })).toBe(false);
    expect(requireAll({})).toBe(false);
  });
});

describe('probes report a missing tool with a reason and a hint', () => {
  const emptyDir = mkdtempSync(join(tmpdir(), 'mlops-lab-tools-test-'));
  afterAll(() => rmSync(emptyDir, { recursive: true, force: true }));
  const noTools = { PATH: emptyDir };

  it('docker without a docker CLI', async () => {
    const result = await probeDocker(noTools);
    expect(result.available).toBe(false);
    expect(result.reason).toContain('`docker` is not on PATH');
    expect(result.hint).toContain('docker');
  });

  it('docker image without a docker CLI', async () => {
    const result = await probeDockerImage('python:3.11-slim-bookworm', noTools)();
    expect(result.available).toBe(false);
    expect(result.hint).toBeTruthy();
  });

  it('python3 missing', async () => {
    const result = await probePython(noTools);
    expect(result).toMatchObject({ available: false, reason: '`python3` is not on PATH' });
    expect(result.hint).toContain('python3-venv');
  });

  it('a venv tool found on PATH, and one found nowhere', async () => {
    const fake = join(emptyDir, 'mlops-lab-fake-tool');
    writeFileSync(fake, '#!/bin/sh\nexit 0\n');
    chmodSync(fake, 0o755);
    await expect(probeVenvTool('mlops-lab-fake-tool', noTools)()).resolves.toEqual({ available: true, detail: fake });
    const missing = await probeVenvTool('mlops-lab-no-such-tool', noTools)();
    expect(missing.available).toBe(false);
    expect(missing.hint).toContain('npm run setup:tools');
  });
});
