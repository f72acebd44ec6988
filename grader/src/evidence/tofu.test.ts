import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeWithTool, probeProgram, toolGate } from '../../test-support/tools.ts';
import { ProcessEvidence } from './process.ts';
import { Tofu, describeTofu, parseTestJson, parseValidateJson, tofuCliConfigFile, tofuEnv } from './tofu.ts';

describe('parseValidateJson', () => {
  it('returns diagnostics with file and line', () => {
    const out = JSON.stringify({
      valid: false,
      error_count: 1,
      diagnostics: [
        {
          severity: 'error',
          summary: 'Reference to undeclared input variable',
          detail: 'no var.x',
          range: { filename: 'main.tf', start: { line: 4 } },
        },
      ],
    });
    expect(parseValidateJson(out)).toEqual({
      valid: false,
      errorCount: 1,
      diagnostics: [{ severity: 'error', summary: 'Reference to undeclared input variable', detail: 'no var.x', file: 'main.tf', line: 4 }],
    });
  });

  it('returns undefined for output that is not validate JSON', () => {
    expect(parseValidateJson('Error: something')).toBeUndefined();
    expect(parseValidateJson('{"other": 1}')).toBeUndefined();
  });
});

describe('parseTestJson', () => {
  it('collects run statuses, their failure messages and the summary', () => {
    const lines = [
      { type: 'version', tofu: '1.10.7' },
      { type: 'test_run', test_run: { path: 't.tftest.hcl', run: 'a', status: 'pass' } },
      { type: 'test_run', test_run: { path: 't.tftest.hcl', run: 'b', status: 'fail' } },
      {
        type: 'diagnostic',
        '@testfile': 't.tftest.hcl',
        '@testrun': 'b',
        diagnostic: { severity: 'error', summary: 'Test assertion failed', detail: 'prod must have 8 cores' },
      },
      { type: 'test_summary', test_summary: { status: 'fail', passed: 1, failed: 1, errored: 0, skipped: 0 } },
    ];
    const result = parseTestJson(`${lines.map((l) => JSON.stringify(l)).join('\n')}\n{"partial`, 1);
    expect(result).toMatchObject({ exitCode: 1, passed: 1, failed: 1, errored: 0 });
    expect(result.runs).toEqual([
      { file: 't.tftest.hcl', run: 'a', status: 'pass', messages: [] },
      { file: 't.tftest.hcl', run: 'b', status: 'fail', messages: ['Test assertion failed (prod must have 8 cores)'] },
    ]);
  });
});

describe('describeTofu and tofuEnv', () => {
  it('says which program ran, or that none is installed', () => {
    expect(describeTofu({ name: 'terraform', path: '/usr/bin/terraform' })).toMatch(/Terraform .*OpenTofu is not installed/);
    expect(describeTofu(undefined)).toMatch(/only the HCL was read/);
  });

  it('runs without prompts, colour or calls home, and ignores a TF_CLI_CONFIG_FILE that does not exist', () => {
    const env = tofuEnv({ dataDir: '/tmp/d', env: { TF_CLI_CONFIG_FILE: '/nonexistent/.terraformrc' } });
    expect(env).toMatchObject({ TF_IN_AUTOMATION: '1', TF_INPUT: '0', NO_COLOR: '1', CHECKPOINT_DISABLE: '1', TF_DATA_DIR: '/tmp/d' });
    expect(env.TF_CLI_CONFIG_FILE).not.toBe('/nonexistent/.terraformrc');
    expect(tofuCliConfigFile({ TF_CLI_CONFIG_FILE: '/nonexistent/.terraformrc' })).not.toBe('/nonexistent/.terraformrc');
  });
});

// The real program on a configuration that needs no provider (terraform_data is built in).
const gate = await toolGate('tofu', probeProgram('tofu'));
describeWithTool(gate, 'Tofu (real OpenTofu)', () => {
  let dir = '';
  let tofu: Tofu;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tofu-test-'));
    await writeFile(
      join(dir, 'main.tf'),
      'variable "n" {\n  type = number\n  default = 1\n  validation {\n    condition = var.n > 0\n    error_message = "n must be positive"\n  }\n}\nresource "terraform_data" "x" {\n  input = var.n\n}\noutput "n" {\n  value = terraform_data.x.output\n}\n',
    );
    tofu = await Tofu.create({ process: new ProcessEvidence(), cwd: dir, dataDir: join(dir, '.data') });
    expect((await tofu.init()).ok).toBe(true);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('validates, plans changes (exit 2), applies, then plans no changes (exit 0)', async () => {
    expect(tofu.program.name).toBe('tofu');
    expect(await tofu.validate()).toMatchObject({ valid: true, errorCount: 0 });
    const first = await tofu.plan({ planFile: join(dir, 'a.tfplan') });
    expect(first).toMatchObject({ exitCode: 2, outcome: 'changes', changes: [{ address: 'terraform_data.x', actions: ['create'] }] });
    expect((await tofu.apply()).ok).toBe(true);
    expect(await tofu.plan({ planFile: join(dir, 'b.tfplan') })).toMatchObject({ exitCode: 0, outcome: 'no-changes', changes: [] });
  });

  it('reports a failed plan as an error outcome, with the validation message', async () => {
    const plan = await tofu.plan({ planFile: join(dir, 'c.tfplan'), vars: { n: '0' } });
    expect(plan.outcome).toBe('error');
    expect(plan.output).toContain('n must be positive');
  });

  it('runs tofu test and reports each run', async () => {
    await writeFile(
      join(dir, 'x.tftest.hcl'),
      'run "ok" {\n  command = plan\n  assert {\n    condition = terraform_data.x.input == 1\n    error_message = "input"\n  }\n}\nrun "bad" {\n  command = plan\n  assert {\n    condition = terraform_data.x.input == 2\n    error_message = "wanted two"\n  }\n}\nrun "rejects" {\n  command = plan\n  variables {\n    n = -1\n  }\n  expect_failures = [var.n]\n}\n',
    );
    const result = await tofu.test();
    expect(result).toMatchObject({ exitCode: 1, passed: 2, failed: 1 });
    expect(result.runs.find((r) => r.run === 'bad')).toMatchObject({ status: 'fail', messages: [expect.stringContaining('wanted two')] });
  });

  it('points at the offending file and line when validate fails', async () => {
    const bad = await mkdtemp(join(tmpdir(), 'tofu-bad-'));
    try {
      await writeFile(join(bad, 'main.tf'), 'output "x" {\n  value = var.missing\n}\n');
      const t = await Tofu.create({ process: new ProcessEvidence(), cwd: bad, dataDir: join(bad, '.data') });
      await t.init();
      const result = await t.validate();
      expect(result.valid).toBe(false);
      expect(result.diagnostics[0]).toMatchObject({
        severity: 'error',
        file: 'main.tf',
        line: 2,
        summary: 'Reference to undeclared input variable',
      });
    } finally {
      await rm(bad, { recursive: true, force: true });
    }
  });
});
