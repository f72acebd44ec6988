import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultProbeDeps, probeTool } from './probes.ts';

describe('probeTool alertmanager', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mlops-probe-am-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("finds Debian's `prometheus-alertmanager` when there is no `alertmanager`", async () => {
    const program = join(dir, 'prometheus-alertmanager');
    await writeFile(program, '#!/bin/sh\necho "alertmanager, version 0.25.0 (test double)"\n');
    await chmod(program, 0o755);
    const status = await probeTool('alertmanager', defaultProbeDeps({ PATH: dir }));
    expect(status).toMatchObject({ ok: true, detail: `alertmanager, version 0.25.0 (test double) (${program})` });
  });

  it('says how to install it when neither name is found', async () => {
    const status = await probeTool('alertmanager', defaultProbeDeps({ PATH: join(dir, 'empty') }));
    expect(status).toMatchObject({ ok: false, code: 'TOOL_MISSING', fix: expect.stringMatching(/prometheus-alertmanager/) });
  });
});
