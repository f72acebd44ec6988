import { cp, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LabDefinitionError, UsageError } from '../errors.ts';
import type { SolveContext } from './context.ts';
import { discoverLabDirs, findLab, loadAllLabs, loadInstructions, loadLab } from './load.ts';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '__fixtures__');

/** The labs root of a fixture scenario. */
function root(scenario: string): string {
  return join(fixtures, scenario);
}

/** The one lab folder of a fixture scenario whose labs root holds `docker/01-<scenario>`. */
function labDir(scenario: string, id = `docker/01-${scenario}`): string {
  return join(root(scenario), ...id.split('/'));
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected the promise to reject');
    },
    (error: unknown) => error,
  );
}

const temps: string[] = [];

/** Copies a fixture labs root into a temp folder so a test can edit it. */
async function editableCopy(scenario: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'mlops-lab-load-'));
  temps.push(dir);
  await cp(root(scenario), dir, { recursive: true });
  return dir;
}

afterEach(async () => {
  await Promise.all(temps.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

describe('loadLab', () => {
  it('returns the validated manifest with defaults applied and the lab folders', async () => {
    const lab = await loadLab(labDir('labs-ok', 'docker/01-hello-image'), root('labs-ok'));

    expect(lab.manifest).toMatchObject({
      id: 'docker/01-hello-image',
      version: '1.0.0',
      stage: 'docker',
      skills: ['production-python'],
      needs: ['docker'],
      images: ['python:3.11-slim-bookworm'],
      concurrency: 4,
      defaults: {},
      contract: { starterFails: ['image-builds'] },
    });
    expect(lab.manifest.checks.map((c) => ({ id: c.id, needs: c.needs, requires: c.requires }))).toEqual([
      { id: 'dockerfile-exists', needs: [], requires: [] },
      { id: 'image-builds', needs: ['dockerfile-exists'], requires: [] },
    ]);
    expect(lab.dir).toBe(labDir('labs-ok', 'docker/01-hello-image'));
    expect(lab.displayDir).toBe('grader/src/lab/__fixtures__/labs-ok/docker/01-hello-image');
    expect(lab.starterDir).toBe(join(lab.dir, 'starter'));
    expect(lab.solutionDir).toBe(join(lab.dir, 'solution'));
  });

  it('returns check functions that run and a solve function from solve.ts', async () => {
    const lab = await loadLab(labDir('labs-ok', 'docker/01-hello-image'), root('labs-ok'));

    expect(await lab.manifest.checks[1]!.run({} as never)).toEqual({ status: 'pass', message: 'Built.' });
    const solve = await lab.loadSolve();
    const copySolution = vi.fn(async () => ['Dockerfile']);
    await solve({ copySolution } as unknown as SolveContext);
    expect(copySolution).toHaveBeenCalledOnce();
  });

  it('errors if the stage is not one of the roadmap stages, naming the file and the field', async () => {
    await expect(loadLab(labDir('wrong-stage'), root('wrong-stage'))).rejects.toThrowErrorMatchingInlineSnapshot(`
      [LabDefinitionError: grader/src/lab/__fixtures__/wrong-stage/docker/01-wrong-stage/lab.ts: the lab manifest is invalid:
        - stage: expected one of "docker", "kubernetes", "cicd", "mlflow", "dvc", "serving", "monitoring", "iac", "capstone", got "dokcer"]
    `);
    await expect(loadLab(labDir('wrong-stage'), root('wrong-stage'))).rejects.toMatchObject({ code: 'LAB_MANIFEST_INVALID', kind: 'lab' });
  });

  it('errors if a required field is missing', async () => {
    await expect(loadLab(labDir('missing-field'), root('missing-field'))).rejects.toThrowErrorMatchingInlineSnapshot(`
      [LabDefinitionError: grader/src/lab/__fixtures__/missing-field/docker/01-missing-field/lab.ts: the lab manifest is invalid:
        - summary: is required (expected string)]
    `);
  });

  it('errors if a check has an unknown field', async () => {
    await expect(loadLab(labDir('unknown-field'), root('unknown-field'))).rejects.toThrowErrorMatchingInlineSnapshot(`
      [LabDefinitionError: grader/src/lab/__fixtures__/unknown-field/docker/01-unknown-field/lab.ts: the lab manifest is invalid:
        - checks[0]: unknown field \`timeout\`]
    `);
  });

  it('errors if a check needs an unknown check id, suggesting the closest id', async () => {
    await expect(loadLab(labDir('unknown-need'), root('unknown-need'))).rejects.toThrowErrorMatchingInlineSnapshot(`
      [LabDefinitionError: grader/src/lab/__fixtures__/unknown-need/docker/01-unknown-need/lab.ts: the lab manifest is invalid:
        - checks[1].needs[0]: unknown check id "dockerfile-exist" (did you mean "dockerfile-exists"?)]
    `);
  });

  it('errors if checks need each other in a cycle, naming the cycle', async () => {
    await expect(loadLab(labDir('needs-cycle'), root('needs-cycle'))).rejects.toThrowErrorMatchingInlineSnapshot(`
      [LabDefinitionError: grader/src/lab/__fixtures__/needs-cycle/docker/01-needs-cycle/lab.ts: the lab manifest is invalid:
        - checks: checks need each other in a cycle: image-builds -> container-starts -> image-runs-as-non-root -> image-builds]
    `);
  });

  it('errors if two checks share an id', async () => {
    await expect(loadLab(labDir('duplicate-ids'), root('duplicate-ids'))).rejects.toThrowErrorMatchingInlineSnapshot(`
      [LabDefinitionError: grader/src/lab/__fixtures__/duplicate-ids/docker/01-duplicate-ids/lab.ts: the lab manifest is invalid:
        - checks[2].id: duplicate check id "image-builds"]
    `);
  });

  it('errors if the id does not match the lab folder', async () => {
    await expect(loadLab(labDir('id-mismatch'), root('id-mismatch'))).rejects.toThrowErrorMatchingInlineSnapshot(`
      [LabDefinitionError: grader/src/lab/__fixtures__/id-mismatch/docker/01-id-mismatch/lab.ts: the lab is invalid:
        - id: must equal the lab folder path "docker/01-id-mismatch", got "docker/01-some-other-name"]
    `);
    await expect(loadLab(labDir('id-mismatch'), root('id-mismatch'))).rejects.toMatchObject({ code: 'LAB_MANIFEST_INVALID' });
  });

  it('errors if a skill id is not in content/skills.yaml', async () => {
    const error = await rejection(loadLab(labDir('unknown-skill'), root('unknown-skill')));
    expect(error).toBeInstanceOf(LabDefinitionError);
    // The list of known skills comes from content/skills.yaml, which changes; lock the lines before it.
    expect((error as Error).message.replace(/content\/skills\.yaml \([^)]*\)/, 'content/skills.yaml (…)')).toMatchInlineSnapshot(`
      "grader/src/lab/__fixtures__/unknown-skill/docker/01-unknown-skill/lab.ts: the lab is invalid:
        - skills[1]: unknown skill "k8s"; known skills are in content/skills.yaml (…)"
    `);
    expect((error as Error).message).toContain('production-python');
  });

  it('errors if solve.ts is missing', async () => {
    await expect(loadLab(labDir('missing-solve'), root('missing-solve'))).rejects.toThrowErrorMatchingInlineSnapshot(`
      [LabDefinitionError: grader/src/lab/__fixtures__/missing-solve/docker/01-missing-solve/lab.ts: the lab is invalid:
        - solve.ts: the file is missing (it automates the solution so the lab can be tested)]
    `);
  });

  it('errors if lab.ts has no default export', async () => {
    await expect(loadLab(labDir('no-default-export'), root('no-default-export'))).rejects.toThrowErrorMatchingInlineSnapshot(
      `[LabDefinitionError: grader/src/lab/__fixtures__/no-default-export/docker/01-no-default-export/lab.ts has no default export.]`,
    );
    await expect(loadLab(labDir('no-default-export'), root('no-default-export'))).rejects.toMatchObject({ code: 'LAB_NO_DEFAULT_EXPORT' });
  });

  it('errors if lab.ts throws while it is imported, keeping the cause', async () => {
    const error = await rejection(loadLab(labDir('throws-on-import'), root('throws-on-import')));
    expect(error).toBeInstanceOf(LabDefinitionError);
    expect(error).toMatchObject({ code: 'LAB_IMPORT_FAILED', cause: { message: 'the checks folder is missing' } });
    expect((error as Error).message).toMatchInlineSnapshot(
      `"grader/src/lab/__fixtures__/throws-on-import/docker/01-throws-on-import/lab.ts could not be loaded: the checks folder is missing"`,
    );
  });

  it('errors if lab.ts has a syntax error, naming the file', async () => {
    // A committed lab.ts with a syntax error would break `tsc` for the repo,
    // so the fixture keeps it as lab.ts.broken and the test renames a copy.
    const copy = await editableCopy('syntax-error');
    const dir = join(copy, 'docker', '01-syntax-error');
    await rename(join(dir, 'lab.ts.broken'), join(dir, 'lab.ts'));

    const error = await rejection(loadLab(dir, copy));
    expect(error).toBeInstanceOf(LabDefinitionError);
    expect(error).toMatchObject({ code: 'LAB_IMPORT_FAILED' });
    const firstLine = (error as Error).message.split('\n')[0]!.replaceAll(copy, '<labs>');
    expect(firstLine).toMatch(/^<labs>\/docker\/01-syntax-error\/lab\.ts could not be loaded: /);
    expect((error as LabDefinitionError).nextStep).toContain('npm run typecheck');
  });

  it('errors naming every missing lab folder', async () => {
    const copy = await editableCopy('labs-ok');
    const dir = join(copy, 'docker', '02-hello-compose');
    await rm(join(dir, 'starter'), { recursive: true });
    await rm(join(dir, 'instructions'), { recursive: true });

    const error = await rejection(loadLab(dir, copy));
    expect(error).toMatchObject({ code: 'LAB_MANIFEST_INVALID' });
    expect((error as Error).message.replaceAll(copy, '<labs>')).toMatchInlineSnapshot(`
      "<labs>/docker/02-hello-compose/lab.ts: the lab is invalid:
        - instructions/: the folder is missing
        - starter/: the folder is missing"
    `);
  });
});

describe('loadAllLabs', () => {
  it('returns every lab of a labs root in stage and folder order', async () => {
    const labs = await loadAllLabs(root('labs-ok'));
    expect(labs.map((l) => l.manifest.id)).toEqual(['docker/01-hello-image', 'docker/02-hello-compose', 'kubernetes/01-hello-deployment']);
  });

  it('errors if one lab of the root is broken', async () => {
    await expect(loadAllLabs(root('duplicate-ids'))).rejects.toMatchObject({ code: 'LAB_MANIFEST_INVALID' });
  });
});

describe('discoverLabDirs', () => {
  it('returns no folders for a labs root that does not exist', async () => {
    expect(await discoverLabDirs(join(fixtures, 'no-such-root'))).toEqual([]);
  });
});

describe('findLab', () => {
  it('returns the lab with exactly that id', async () => {
    const lab = await findLab('docker/02-hello-compose', root('labs-ok'));
    expect(lab.manifest.id).toBe('docker/02-hello-compose');
  });

  it('returns the only lab whose id starts with the prefix', async () => {
    expect((await findLab('docker/01', root('labs-ok'))).manifest.id).toBe('docker/01-hello-image');
    expect((await findLab('kubernetes', root('labs-ok'))).manifest.id).toBe('kubernetes/01-hello-deployment');
  });

  it('errors if the prefix matches several labs, naming them', async () => {
    const error = await rejection(findLab('docker/0', root('labs-ok')));
    expect(error).toBeInstanceOf(UsageError);
    expect(error).toMatchObject({ code: 'LAB_AMBIGUOUS', kind: 'usage', nextStep: 'Give more of the lab id.' });
    expect((error as Error).message).toMatchInlineSnapshot(
      `""docker/0" matches several labs: docker/01-hello-image, docker/02-hello-compose."`,
    );
  });

  it('errors if no lab has that id or prefix, pointing at `mlops-lab list`', async () => {
    const error = await rejection(findLab('docker/09-nope', root('labs-ok')));
    expect(error).toBeInstanceOf(UsageError);
    expect(error).toMatchObject({ code: 'LAB_UNKNOWN', kind: 'usage' });
    expect((error as Error).message).toMatchInlineSnapshot(`"There is no lab "docker/09-nope"."`);
    expect((error as UsageError).nextStep).toMatchInlineSnapshot(`"See the labs with \`mlops-lab list\` (e.g. docker/01-hello-image)."`);
  });
});

describe('loadInstructions', () => {
  it('returns the steps in file order with their titles and bodies without frontmatter', async () => {
    const lab = await loadLab(labDir('labs-ok', 'docker/01-hello-image'), root('labs-ok'));
    expect(await loadInstructions(lab)).toEqual([
      { file: '00-overview.md', title: 'Overview', body: '\n# Overview\n\nWhat you build.\n' },
      { file: '10-build.md', title: 'Build the image', body: '\nRun `docker build .`.\n' },
    ]);
  });

  it('errors if a step has no frontmatter, naming the file', async () => {
    const lab = await loadLab(labDir('instructions-no-frontmatter'), root('instructions-no-frontmatter'));
    await expect(loadInstructions(lab)).rejects.toThrowErrorMatchingInlineSnapshot(
      `[LabDefinitionError: grader/src/lab/__fixtures__/instructions-no-frontmatter/docker/01-instructions-no-frontmatter/instructions/10-build.md has no frontmatter.]`,
    );
    await expect(loadInstructions(lab)).rejects.toMatchObject({ code: 'INSTRUCTIONS_NO_FRONTMATTER', kind: 'lab' });
  });

  it('errors if a step has invalid frontmatter, naming the file and the fields', async () => {
    const lab = await loadLab(labDir('instructions-bad-frontmatter'), root('instructions-bad-frontmatter'));
    await expect(loadInstructions(lab)).rejects.toThrowErrorMatchingInlineSnapshot(`
      [LabDefinitionError: grader/src/lab/__fixtures__/instructions-bad-frontmatter/docker/01-instructions-bad-frontmatter/instructions/00-overview.md: invalid frontmatter:
        - title: is required (expected string)
        - (frontmatter): unknown fields \`titel\`, \`minutes\`]
    `);
    await expect(loadInstructions(lab)).rejects.toMatchObject({ code: 'INSTRUCTIONS_FRONTMATTER_INVALID' });
  });

  it('errors naming an unknown top-level frontmatter field without calling the step a manifest', async () => {
    // formatPath() labels the empty path "(manifest)", which is wrong for an instruction file.
    const lab = await loadLab(labDir('instructions-bad-frontmatter'), root('instructions-bad-frontmatter'));
    const error = await rejection(loadInstructions(lab));
    expect((error as Error).message).toContain('unknown fields `titel`, `minutes`');
    expect((error as Error).message).not.toContain('(manifest)');
  });

  it('returns the steps of files saved with Windows line endings', async () => {
    // A Windows checkout (git core.autocrlf) turns every instruction file to CRLF.
    const copy = await editableCopy('labs-ok');
    const dir = join(copy, 'docker', '01-hello-image');
    for (const file of ['00-overview.md', '10-build.md']) {
      const path = join(dir, 'instructions', file);
      await writeFile(path, (await readFile(path, 'utf8')).replaceAll('\n', '\r\n'));
    }
    const lab = await loadLab(labDir('labs-ok', 'docker/01-hello-image'), root('labs-ok'));
    const steps = await loadInstructions({ ...lab, dir, displayDir: '<labs>/docker/01-hello-image' });
    expect(steps.map((s) => s.title)).toEqual(['Overview', 'Build the image']);
  });
});
