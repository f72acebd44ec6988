import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule, { type FormatsPlugin } from 'ajv-formats';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadLab } from '../src/lab/load.ts';
import { LabManifestSchema } from '../src/lab/schema.ts';
import { labsDir, repoRoot } from '../src/paths.ts';
import { AttemptResultSchema, type AttemptResult } from '../src/result/schema.ts';
import { runLab } from '../src/runner/run.ts';
import {
  LAB_MANIFEST_SCHEMA_FILE,
  RESULT_SCHEMA_FILE,
  defaultSchemasDir,
  generateSchemas,
  outdatedSchemas,
} from './generate-json-schemas.ts';

const run = promisify(execFile);
const script = join(repoRoot, 'grader', 'scripts', 'generate-json-schemas.ts');
// ajv-formats is CommonJS: under Node's ESM interop the default import is
// `module.exports`, whose `default` property is the plugin.
const addFormats: FormatsPlugin =
  (addFormatsModule as { default?: FormatsPlugin }).default ?? (addFormatsModule as unknown as FormatsPlugin);

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mlops-lab-schemas-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function committed(file: string): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(join(defaultSchemasDir, file), 'utf8')) as Record<string, unknown>;
}

/** A strict draft 2020-12 validator, as a consumer of the published schemas would set one up (figures values are `number | string | boolean`, a union type). */
function validator() {
  const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
  addFormats(ajv);
  return ajv;
}

/** A real attempt: an in-memory lab graded by the runner, with a pass, a fail, an error and a skip. */
async function realAttempt(): Promise<AttemptResult> {
  const manifest = LabManifestSchema.parse({
    id: 'docker/01-schema-fixture',
    version: '1.0.0',
    title: 'Schema fixture',
    stage: 'docker',
    summary: 'A lab built in memory to produce a real attempt result.',
    minutes: 5,
    difficulty: 'beginner',
    skills: ['production-python'],
    checks: [
      { id: 'dockerfile-exists', title: 'There is a Dockerfile', run: () => ({ status: 'pass', message: 'Found Dockerfile.' }) },
      {
        id: 'image-runs-as-non-root',
        title: 'The image runs as a non-root user',
        run: () => ({
          status: 'fail',
          message: 'It runs as root.',
          expected: 'USER 10001',
          actual: 'USER root',
          hint: 'Add `USER 10001`.',
        }),
      },
      {
        id: 'image-builds',
        title: 'The image builds',
        run: () => {
          throw new Error('boom');
        },
      },
      {
        id: 'container-starts',
        title: 'The container starts',
        needs: ['image-builds'],
        run: () => ({ status: 'pass', message: 'Started.' }),
      },
    ],
    contract: { starterFails: ['image-runs-as-non-root'] },
  });
  const result = await runLab({
    lab: { manifest, dir, displayDir: dir, starterDir: dir, solutionDir: dir, loadSolve: () => Promise.reject(new Error('unused')) },
    workspaceDir: dir,
    learner: 't',
    source: 'test',
    credit: 'learner',
  });
  // What a reader gets from `mlops-lab check --json` or the store file.
  return JSON.parse(JSON.stringify(result)) as AttemptResult;
}

describe('generateSchemas', () => {
  it('returns the committed files unchanged (run `npm run schemas` when this fails)', async () => {
    expect(await outdatedSchemas()).toEqual([]);
    for (const [file, content] of Object.entries(generateSchemas())) {
      expect(await readFile(join(defaultSchemasDir, file), 'utf8')).toBe(content);
    }
  });

  it('returns draft 2020-12 schemas with an $id and a title', async () => {
    for (const file of [RESULT_SCHEMA_FILE, LAB_MANIFEST_SCHEMA_FILE]) {
      const schema = await committed(file);
      expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
      expect(schema.$id).toMatch(/^[a-z][a-z0-9+.-]*:/);
      expect(schema.title).toEqual(expect.any(String));
      expect(() => validator().compile(schema)).not.toThrow();
    }
  });

  it('returns a manifest schema that documents the function-valued fields', async () => {
    const schema = (await committed(LAB_MANIFEST_SCHEMA_FILE)) as {
      description: string;
      required: string[];
      properties: Record<
        string,
        {
          description?: string;
          $comment?: string;
          items?: { properties: Record<string, { description?: string; $comment?: string }>; required: string[] };
        }
      >;
    };
    const run = schema.properties.checks!.items!.properties.run!;
    expect(run.description).toMatch(/function/);
    expect(run.$comment).toContain('(ctx: CheckContext) =>');
    expect(schema.properties.checks!.items!.required).toContain('run');
    for (const hook of ['setup', 'cleanup']) {
      expect(schema.properties[hook]!.description).toMatch(/function/);
      expect(schema.properties[hook]!.$comment).toContain('(ctx: LabHookContext) =>');
    }
    expect(schema.description).toMatch(/`checks\[\]\.run`, `setup` and `cleanup` are functions/);
    // What an author writes: fields with defaults are optional.
    expect(schema.required).not.toContain('concurrency');
    expect(schema.required).toEqual(expect.arrayContaining(['id', 'version', 'stage', 'checks', 'contract']));
  });
});

describe('result.schema.json', () => {
  it('returns valid for a real attempt result from the runner', async () => {
    const attempt = await realAttempt();
    expect(attempt.checks.map((c) => c.status)).toEqual(['pass', 'fail', 'error', 'skip']);
    expect(AttemptResultSchema.safeParse(attempt).success).toBe(true);

    const validate = validator().compile(await committed(RESULT_SCHEMA_FILE));
    expect(validate(attempt), JSON.stringify(validate.errors)).toBe(true);
  });

  it('returns valid for a result with fields a newer 1.x grader added', async () => {
    const attempt = { ...(await realAttempt()), schemaVersion: '1.4.0', reviewer: 'grace' };
    const validate = validator().compile(await committed(RESULT_SCHEMA_FILE));
    expect(validate(attempt), JSON.stringify(validate.errors)).toBe(true);
  });

  it('returns invalid for a status that is not pass, fail or error, pointing at it', async () => {
    const validate = validator().compile(await committed(RESULT_SCHEMA_FILE));
    expect(validate({ ...(await realAttempt()), status: 'maybe' })).toBe(false);
    expect(validate.errors?.map((e) => e.instancePath)).toEqual(['/status']);
  });

  it('returns invalid for a check without a message, a bad attempt id or a schema version 2', async () => {
    const attempt = await realAttempt();
    const validate = validator().compile(await committed(RESULT_SCHEMA_FILE));
    const { message: _message, ...noMessage } = attempt.checks[0]!;

    expect(validate({ ...attempt, checks: [noMessage] })).toBe(false);
    expect(validate.errors?.map((e) => [e.instancePath, e.params])).toEqual([['/checks/0', { missingProperty: 'message' }]]);
    expect(validate({ ...attempt, attemptId: 'not-a-uuid' })).toBe(false);
    expect(validate({ ...attempt, startedAt: 'yesterday' })).toBe(false);
    expect(validate({ ...attempt, schemaVersion: '2.0.0' })).toBe(false);
  });
});

describe('lab-manifest.schema.json', () => {
  it('returns valid for the manifest of a real lab', async () => {
    const lab = await loadLab(join(labsDir(), 'docker', '01-containerise-model-api'));
    const validate = validator().compile(await committed(LAB_MANIFEST_SCHEMA_FILE));
    expect(validate(lab.manifest), JSON.stringify(validate.errors)).toBe(true);
  });

  it('returns invalid for a wrong stage, an unknown field or a check without run', async () => {
    const lab = await loadLab(join(labsDir(), 'docker', '01-containerise-model-api'));
    const validate = validator().compile(await committed(LAB_MANIFEST_SCHEMA_FILE));
    const [first, ...rest] = lab.manifest.checks;
    const { run: _run, ...noRun } = first!;

    expect(validate({ ...lab.manifest, stage: 'dokcer' })).toBe(false);
    expect(validate.errors?.map((e) => e.instancePath)).toEqual(['/stage']);
    expect(validate({ ...lab.manifest, descripton: 'typo' })).toBe(false);
    expect(validate({ ...lab.manifest, checks: [noRun, ...rest] })).toBe(false);
    expect(validate.errors?.map((e) => [e.instancePath, e.params])).toEqual([['/checks/0', { missingProperty: 'run' }]]);
  });
});

describe('generate-json-schemas.ts', () => {
  it('returns exit 0 with --check when the committed files are up to date', async () => {
    const { stdout } = await run(process.execPath, [script, '--check'], { cwd: repoRoot });
    expect(stdout).toContain('up to date');
  });

  it('writes both files into the folder given with --dir', async () => {
    const { stdout } = await run(process.execPath, [script, '--dir', dir], { cwd: repoRoot });
    expect(stdout).toContain(RESULT_SCHEMA_FILE);
    for (const [file, content] of Object.entries(generateSchemas())) {
      expect(await readFile(join(dir, file), 'utf8')).toBe(content);
    }
  });

  it('errors with exit 1 naming the stale file when --check finds a difference', async () => {
    await cp(defaultSchemasDir, dir, { recursive: true });
    const file = join(dir, RESULT_SCHEMA_FILE);
    await writeFile(file, (await readFile(file, 'utf8')).replace('"pass"', '"passed"'));

    const error = await run(process.execPath, [script, '--check', '--dir', dir], { cwd: repoRoot }).then(
      () => undefined,
      (e: unknown) => e as { code: number; stderr: string },
    );

    expect(error?.code).toBe(1);
    expect(error?.stderr).toContain(RESULT_SCHEMA_FILE);
    expect(error?.stderr).not.toContain(LAB_MANIFEST_SCHEMA_FILE);
    expect(error?.stderr).toContain('npm run schemas');
  });
});
