/**
 * Generates the JSON Schemas published with the grader from its zod schemas:
 *
 *   grader/schemas/result.schema.json        an attempt result (`mlops-lab check --json`, the progress store)
 *   grader/schemas/lab-manifest.schema.json  what a lab's `lab.ts` passes to `defineLab`
 *
 * Usage:
 *   node grader/scripts/generate-json-schemas.ts            write the files (`npm run schemas`)
 *   node grader/scripts/generate-json-schemas.ts --check    exit 1 when the committed files are out of date
 *   ... --dir <folder>                                      use another folder than grader/schemas
 *
 * A lab manifest holds functions (`checks[].run`, `setup`, `cleanup`), which
 * JSON cannot carry and JSON Schema cannot describe. In the manifest schema
 * they accept any value, and their `description` and `$comment` say which
 * function lab.ts (or a checks/*.ts file) must give.
 * Rules that span fields (the stage matches the id, check ids are unique,
 * `needs` and `contract.starterFails` name existing checks, no cycles) are
 * enforced by the loader only.
 */
import { existsSync, realpathSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { LabManifestSchema } from '../src/lab/schema.ts';
import { repoRoot } from '../src/paths.ts';
import { AttemptResultSchema, RESULT_SCHEMA_VERSION } from '../src/result/schema.ts';

/** Where the committed schemas live. */
export const defaultSchemasDir = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'schemas');

export const RESULT_SCHEMA_FILE = 'result.schema.json';
export const LAB_MANIFEST_SCHEMA_FILE = 'lab-manifest.schema.json';

type JsonSchema = Record<string, unknown>;

/** The functions a manifest holds, by the name of the field. */
const FUNCTION_FIELDS: Record<string, { signature: string; description: string }> = {
  run: {
    signature: '(ctx: CheckContext) => CheckOutcome | Promise<CheckOutcome>',
    description:
      'A function, not JSON: gathers evidence through `ctx` and returns `{ status, message, expected?, actual?, hint? }`. Required. Written in TypeScript (lab.ts or checks/*.ts).',
  },
  setup: {
    signature: '(ctx: LabHookContext) => void | Promise<void>',
    description: 'A function, not JSON: runs after the starter is copied into a new workspace. Optional. Written in TypeScript (lab.ts).',
  },
  cleanup: {
    signature: '(ctx: LabHookContext) => void | Promise<void>',
    description:
      'A function, not JSON: removes what the lab created outside the workspace (containers, images, cluster objects). Optional. Written in TypeScript (lab.ts).',
  },
};

/** Puts the identifying keywords first so the files read well. */
function withHeader(header: JsonSchema, body: JsonSchema): JsonSchema {
  const { $schema, ...rest } = body;
  return { $schema, ...header, ...rest };
}

export function resultJsonSchema(): JsonSchema {
  const body = z.toJSONSchema(AttemptResultSchema, { target: 'draft-2020-12', io: 'output' }) as JsonSchema;
  return withHeader(
    {
      $id: 'urn:mlops-lab:schemas:result',
      title: 'MLOps Lab attempt result',
      description: `One graded attempt at a lab, as \`mlops-lab check --json\` prints it and the progress store keeps it. Format version ${RESULT_SCHEMA_VERSION}: readers accept any 1.x result and keep fields they do not know. Generated from grader/src/result/schema.ts by \`npm run schemas\`.`,
    },
    body,
  );
}

export function labManifestJsonSchema(): JsonSchema {
  const body = z.toJSONSchema(LabManifestSchema, {
    target: 'draft-2020-12',
    // What an author writes: fields with a default are optional.
    io: 'input',
    unrepresentable: ({ path }) => {
      const field = FUNCTION_FIELDS[String(path.at(-1))];
      if (!field) return 'throw';
      return { description: field.description, $comment: `TypeScript: ${field.signature}` };
    },
  }) as JsonSchema;
  return withHeader(
    {
      $id: 'urn:mlops-lab:schemas:lab-manifest',
      title: 'MLOps Lab lab manifest',
      description:
        'What a lab\'s lab.ts default-exports through `defineLab` (see ARCHITECTURE.md, "The lab format"). `checks[].run`, `setup` and `cleanup` are functions: JSON cannot hold them, so here they accept any value and describe the signature. The loader also checks what this schema cannot: the stage matches the id, check ids are unique, `needs` and `contract.starterFails` name checks of the lab, checks do not need each other in a cycle, the id equals the lab folder and skills exist in content/skills.yaml. Generated from grader/src/lab/schema.ts by `npm run schemas`.',
    },
    body,
  );
}

/** The files this script owns, by file name, with their exact contents. */
export function generateSchemas(): Record<string, string> {
  const text = (schema: JsonSchema): string => `${JSON.stringify(schema, null, 2)}\n`;
  return {
    [RESULT_SCHEMA_FILE]: text(resultJsonSchema()),
    [LAB_MANIFEST_SCHEMA_FILE]: text(labManifestJsonSchema()),
  };
}

/** Names of the files in `dir` that are missing or differ from freshly generated ones. */
export async function outdatedSchemas(dir: string = defaultSchemasDir): Promise<string[]> {
  const outdated: string[] = [];
  for (const [file, content] of Object.entries(generateSchemas())) {
    const current = await readFile(join(dir, file), 'utf8').catch(() => undefined);
    if (current !== content) outdated.push(current === undefined ? `${file} (missing)` : file);
  }
  return outdated;
}

export async function writeSchemas(dir: string = defaultSchemasDir): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  for (const [file, content] of Object.entries(generateSchemas())) {
    await writeFile(join(dir, file), content);
    written.push(join(dir, file));
  }
  return written;
}

function shown(p: string): string {
  const rel = relative(repoRoot, p);
  return rel.startsWith('..') ? p : rel;
}

export async function main(argv: string[]): Promise<number> {
  let check = false;
  let dir = defaultSchemasDir;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--check') check = true;
    else if (arg === '--dir' && argv[i + 1]) dir = resolve(argv[++i]!);
    else {
      process.stderr.write(`Unknown argument "${arg}". Usage: node grader/scripts/generate-json-schemas.ts [--check] [--dir <folder>]\n`);
      return 2;
    }
  }
  if (check) {
    const outdated = await outdatedSchemas(dir);
    if (outdated.length > 0) {
      process.stderr.write(
        `The JSON Schemas in ${shown(dir)} are out of date: ${outdated.join(', ')} ${outdated.length === 1 ? 'does' : 'do'} not match the zod schemas.\nRun \`npm run schemas\` and commit the result.\n`,
      );
      return 1;
    }
    process.stdout.write(`The JSON Schemas in ${shown(dir)} are up to date.\n`);
    return 0;
  }
  for (const file of await writeSchemas(dir)) process.stdout.write(`wrote ${shown(file)}\n`);
  return 0;
}

const invokedDirectly =
  process.argv[1] !== undefined &&
  existsSync(process.argv[1]) &&
  realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
if (invokedDirectly) process.exitCode = await main(process.argv.slice(2));
