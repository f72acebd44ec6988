import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EvidenceError } from '../errors.ts';
import { WorkspaceFiles } from './files.ts';
import {
  HCL_LIMITS,
  HclSyntaxError,
  isPinnedConstraint,
  parseHcl,
  parseHclErrors,
  readTfModule,
  readTfTestFile,
  readTfvars,
  unwrapExpression,
} from './hcl.ts';

let dir = '';
let files: WorkspaceFiles;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hcl-test-'));
  files = new WorkspaceFiles(dir);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function put(path: string, text: string): Promise<void> {
  await mkdir(join(dir, path, '..'), { recursive: true });
  await writeFile(join(dir, path), text);
}

const VERSIONS = `terraform {
  required_version = ">= 1.8.0"
  required_providers {
    kubernetes = {
      source  = "hashicorp/kubernetes"
      version = "~> 1.13.4"
    }
    helm = {
      source  = "hashicorp/helm"
      version = ">= 2.0"
    }
  }
  backend "local" {
    path = "state/dev.tfstate"
  }
}
`;

const VARIABLES = `variable "environment" {
  type        = string
  description = "dev or prod"
  validation {
    condition     = contains(["dev", "prod"], var.environment)
    error_message = "environment must be dev or prod."
  }
}

variable "labels" {
  type      = map(string)
  default   = { team = "ml" }
  sensitive = true
}

variable "anything" {}
`;

describe('readTfModule', () => {
  it('returns typed variables, pinned providers, backend, modules, resources and outputs with their lines', async () => {
    await put('infra/versions.tf', VERSIONS);
    await put('infra/variables.tf', VARIABLES);
    await put(
      'infra/main.tf',
      `module "api" {\n  source  = "./modules/api"\n  version = "1.2.0"\n  replicas = 2\n}\n\nresource "kubernetes_namespace" "this" {\n  metadata { name = "x-\${var.environment}" }\n}\n\ndata "kubernetes_namespace" "default" {\n  metadata { name = "default" }\n}\n\noutput "ns" {\n  value = kubernetes_namespace.this.metadata[0].name\n}\n`,
    );
    const mod = await readTfModule(files, 'infra');
    expect(mod.files).toEqual(['infra/main.tf', 'infra/variables.tf', 'infra/versions.tf']);
    expect(mod.requiredVersion).toBe('>= 1.8.0');
    expect(mod.requiredProviders.map((p) => [p.name, p.source, p.version, p.pinned, p.line])).toEqual([
      ['kubernetes', 'hashicorp/kubernetes', '~> 1.13.4', true, 4],
      ['helm', 'hashicorp/helm', '>= 2.0', false, 8],
    ]);
    expect(mod.backend).toMatchObject({ type: 'local', config: { path: 'state/dev.tfstate' }, file: 'infra/versions.tf', line: 13 });
    const env = mod.variables.find((v) => v.name === 'environment')!;
    expect(env).toMatchObject({ type: 'string', hasDefault: false, sensitive: false, line: 1, file: 'infra/variables.tf' });
    expect(env.validations).toEqual([
      { condition: 'contains(["dev", "prod"], var.environment)', errorMessage: 'environment must be dev or prod.' },
    ]);
    expect(mod.variables.find((v) => v.name === 'labels')).toMatchObject({
      type: 'map(string)',
      hasDefault: true,
      default: { team: 'ml' },
      sensitive: true,
    });
    expect(mod.variables.find((v) => v.name === 'anything')).toMatchObject({ type: undefined, hasDefault: false });
    expect(mod.modules).toEqual([
      expect.objectContaining({ name: 'api', source: './modules/api', version: '1.2.0', inputs: { replicas: 2 }, line: 1 }),
    ]);
    expect(mod.resources.map((r) => [r.address, r.line])).toEqual([
      ['kubernetes_namespace.this', 7],
      ['data.kubernetes_namespace.default', 11],
    ]);
    expect(mod.outputs[0]).toMatchObject({ name: 'ns', value: '${kubernetes_namespace.this.metadata[0].name}', line: 15 });
  });

  it('errors with file and line when a file does not parse', async () => {
    await put('infra/main.tf', 'variable "x" {\n  type = string\n');
    const error = await readTfModule(files, 'infra').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HclSyntaxError);
    expect((error as HclSyntaxError).code).toBe('HCL_SYNTAX');
    expect((error as HclSyntaxError).message).toMatch(/^infra\/main\.tf:1: Unclosed configuration block/);
    expect((error as HclSyntaxError).nextStep).toMatch(/tofu validate/);
  });

  it('errors when the folder has no .tf files, or does not exist', async () => {
    await put('infra/README.md', '# nothing');
    await expect(readTfModule(files, 'infra')).rejects.toMatchObject({ code: 'HCL_NO_FILES' });
    await expect(readTfModule(files, 'nope')).rejects.toMatchObject({ code: 'HCL_NO_FILES' });
  });

  it('refuses a file over the size cap without parsing it', async () => {
    await put('infra/main.tf', `locals {\n  x = "${'a'.repeat(HCL_LIMITS.maxFileBytes)}"\n}\n`);
    const error = await readTfModule(files, 'infra').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EvidenceError);
    expect((error as EvidenceError).code).toMatch(/FILE_TOO_LARGE|HCL_TOO_LARGE/);
  });

  it('refuses nesting deeper than the cap unread, and keeps parsing afterwards', async () => {
    const deep = `x = ${'['.repeat(50_000)}${']'.repeat(50_000)}\n`;
    const started = Date.now();
    await expect(parseHcl('deep.tfvars', deep)).rejects.toMatchObject({
      code: 'HCL_TOO_DEEP',
      message: expect.stringContaining('50000 levels deep'),
    });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(await parseHcl('ok.tfvars', 'a = [[1]]\n# ((((( in a comment\nb = "[[[ in a string"\n')).toEqual({
      a: [[1]],
      b: '[[[ in a string',
    });
  });

  it('recovers when the parser dies on an input past the caps: that parse times out, the next one works', async () => {
    const limits = HCL_LIMITS as { maxDepth: number; parseTimeoutMs: number };
    const saved = { ...limits };
    limits.maxDepth = 1_000_000;
    limits.parseTimeoutMs = 3_000;
    try {
      const deep = `x = ${'['.repeat(50_000)}${']'.repeat(50_000)}\n`;
      await expect(parseHcl('deep.tfvars', deep)).rejects.toBeInstanceOf(EvidenceError);
    } finally {
      Object.assign(limits, saved);
    }
    expect(await parseHcl('after.tfvars', 'a = 1\n')).toEqual({ a: 1 });
  }, 30_000);

  it('refuses binary content', async () => {
    await expect(parseHcl('bin.tf', 'variable "a" {}\u0000')).rejects.toMatchObject({ code: 'HCL_BINARY' });
  });
});

describe('parseHclErrors', () => {
  it('splits several problems into file, line, column, summary and detail', () => {
    const problems = parseHclErrors(
      'parse config: [a.tf:2,6-3,1: Invalid expression; Expected the start of an expression., b.tf:1,14-15: Unclosed configuration block; There is no closing brace.]',
      'x.tf',
    );
    expect(problems).toEqual([
      { file: 'a.tf', line: 2, column: 6, summary: 'Invalid expression', detail: 'Expected the start of an expression.' },
      { file: 'b.tf', line: 1, column: 14, summary: 'Unclosed configuration block', detail: 'There is no closing brace.' },
    ]);
  });

  it('keeps unknown text as one problem about the file', () => {
    expect(parseHclErrors('something odd', 'x.tf')).toEqual([{ file: 'x.tf', line: 0, column: 0, summary: 'something odd', detail: '' }]);
  });
});

describe('isPinnedConstraint', () => {
  it.each([
    ['1.13.4', true],
    ['= 1.13.4', true],
    ['~> 1.13.4', true],
    ['>= 1.13.0, ~> 1.13.4', true],
    ['~> 1.13', false],
    ['>= 1.0', false],
    ['', false],
    [undefined, false],
  ])('%s -> %s', (constraint, pinned) => {
    expect(isPinnedConstraint(constraint)).toBe(pinned);
  });
});

describe('unwrapExpression', () => {
  it('unwraps a whole-string interpolation but not a template', () => {
    expect(unwrapExpression('${var.a >= 1}')).toBe('var.a >= 1');
    expect(unwrapExpression('${a}-${b}')).toBe('${a}-${b}');
    expect(unwrapExpression('plain')).toBe('plain');
    expect(unwrapExpression(3)).toBe(3);
  });
});

describe('readTfvars and readTfTestFile', () => {
  it('reads tfvars values', async () => {
    await put('dev.tfvars', 'environment = "dev"\nreplicas = 2\nlabels = { team = "ml" }\n');
    expect(await readTfvars(files, 'dev.tfvars')).toEqual({ environment: 'dev', replicas: 2, labels: { team: 'ml' } });
  });

  it('reads run blocks with command, variables, asserts, expect_failures and mock providers', async () => {
    await put(
      'tests/a.tftest.hcl',
      `mock_provider "kubernetes" {}\n\nvariables {\n  team = "x"\n}\n\nrun "plans" {\n  command = plan\n  variables {\n    environment = "prod"\n  }\n  assert {\n    condition     = output.ns == "x-prod"\n    error_message = "name"\n  }\n}\n\nrun "rejects" {\n  variables {\n    environment = "qa"\n  }\n  expect_failures = [var.environment]\n}\n`,
    );
    const test = await readTfTestFile(files, 'tests/a.tftest.hcl');
    expect(test.mockProviders).toEqual(['kubernetes']);
    expect(test.variables).toEqual({ team: 'x' });
    expect(test.runs).toEqual([
      expect.objectContaining({
        name: 'plans',
        line: 7,
        command: 'plan',
        variables: { environment: 'prod' },
        asserts: [{ condition: 'output.ns == "x-prod"', errorMessage: 'name' }],
      }),
      expect.objectContaining({ name: 'rejects', line: 18, command: 'apply', expectFailures: ['var.environment'], asserts: [] }),
    ]);
  });
});
