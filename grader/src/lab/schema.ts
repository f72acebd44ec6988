import { z } from 'zod';
import type { CheckContext, CheckOutcome, LabHookContext, SolveContext } from './context.ts';

/** Roadmap stages, in priority order (content/stages/<id>.md holds each stage page). */
export const STAGE_IDS = ['docker', 'kubernetes', 'cicd', 'mlflow', 'dvc', 'serving', 'monitoring', 'iac', 'capstone'] as const;
export const StageIdSchema = z.enum(STAGE_IDS);
export type StageId = z.infer<typeof StageIdSchema>;

/**
 * Tools a lab or a check can need. `mlops-lab doctor` probes each one and
 * says how to get it.
 */
export const TOOL_IDS = [
  'docker',
  'cluster',
  'python',
  'mlflow',
  'dvc',
  'git',
  'prometheus',
  'promtool',
  'alertmanager',
  'tofu',
  'chromium',
  /** A Docker registry answering the Registry HTTP API v2 at MLOPS_LAB_REGISTRY (default 127.0.0.1:5000). */
  'registry',
  /** Docker Compose: the `docker compose` plugin or `docker-compose`. */
  'compose',
] as const;
export const ToolIdSchema = z.enum(TOOL_IDS);
export type ToolId = z.infer<typeof ToolIdSchema>;

const kebab = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** Retry and timeout policy of a check. */
export function policySchema() {
  return z.object({
    /** Time one try of a check may take before it errors. Default: 30 000 ms. */
    timeoutMs: z.number().int().positive().max(3_600_000).optional(),
    /** Extra tries after a `fail` or `error` (for state that settles, such as a rollout). Default: 0. */
    retries: z.number().int().min(0).max(20).optional(),
    /** Wait between tries. Default: 1 000 ms. */
    retryDelayMs: z.number().int().min(0).max(600_000).optional(),
  });
}
export type CheckPolicy = z.infer<ReturnType<typeof policySchema>>;

export type CheckRun = (ctx: CheckContext) => Promise<CheckOutcome> | CheckOutcome;

/** A check: one statement about the learner's work that is true or false. */
export const CheckDefinitionSchema = z
  .object({
    /**
     * Kebab-case id phrased as a statement that can be true or false,
     * e.g. `image-runs-as-non-root`. Unique within the lab.
     */
    id: z.string().regex(kebab, 'must be kebab-case, e.g. `image-runs-as-non-root`'),
    /** One-line title shown to learners, e.g. "The image runs as a non-root user". */
    title: z.string().min(3).max(120),
    /**
     * Ids of checks that must pass first. When one does not pass, this
     * check is reported as `skip` with the reason. Default: none.
     */
    needs: z.array(z.string()).default([]),
    /** Tools this check uses; when one is missing the check is an `error` naming it. Default: none. */
    requires: z.array(ToolIdSchema).default([]),
    /** A static hint for `mlops-lab hint`: what to read or try when stuck. */
    hint: z.string().optional(),
    /** The function that gathers evidence and decides. */
    run: z.custom<CheckRun>((v) => typeof v === 'function', 'must be a function `(ctx) => outcome`'),
  })
  .extend(policySchema().shape)
  .strict();
export type CheckDefinitionInput = z.input<typeof CheckDefinitionSchema>;
export type CheckDefinition = z.output<typeof CheckDefinitionSchema>;

export type LabHook = (ctx: LabHookContext) => Promise<void> | void;
export type SolveFn = (ctx: SolveContext) => Promise<void> | void;

/** The manifest a lab's `lab.ts` default-exports through `defineLab`. */
export const LabManifestSchema = z
  .object({
    /** `<stage>/<NN-slug>`, equal to the lab folder path under `labs/`, e.g. `docker/01-containerise-model-api`. */
    id: z
      .string()
      .regex(/^[a-z]+\/\d{2}-[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must look like `<stage>/<NN-slug>`, e.g. `docker/01-containerise-model-api`'),
    /** Semver of the lab; bump it when checks change so old attempts stay interpretable. */
    version: z.string().regex(/^\d+\.\d+\.\d+$/, 'must be a semver such as `1.0.0`'),
    /** Title shown in lists and on the lab page. */
    title: z.string().min(3).max(100),
    /** The roadmap stage the lab belongs to; must match the first part of `id`. */
    stage: StageIdSchema,
    /** One or two sentences: what the learner builds. */
    summary: z.string().min(10).max(400),
    /** Expected time for a learner new to the topic, in minutes. */
    minutes: z
      .number()
      .int()
      .positive()
      .max(24 * 60),
    /** How hard the lab is for someone at this point of the roadmap. */
    difficulty: z.enum(['beginner', 'intermediate', 'advanced']),
    /** Ids from `content/skills.yaml` this lab gives evidence for. At least one. */
    skills: z.array(z.string()).min(1),
    /** Tools the lab needs; `doctor` reports the lab ready when all are present. Default: none. */
    needs: z.array(ToolIdSchema).default([]),
    /**
     * Container images the lab builds on (they must be present in the
     * Docker engine or pullable). Default: none.
     */
    images: z.array(z.string()).default([]),
    /** The checks, in the order learners read them. */
    checks: z.array(CheckDefinitionSchema).min(1),
    /** Timeout and retry policy for every check unless the check sets its own. */
    defaults: policySchema().default({}),
    /** How many checks may run at once. Default: 4. */
    concurrency: z.number().int().min(1).max(32).default(4),
    /** What the lab contract test asserts about the untouched starter. */
    contract: z
      .object({
        /** Check ids that the starter must fail (each with a message, expected, actual and hint). */
        starterFails: z.array(z.string()).min(1),
      })
      .strict(),
    /** Runs after the starter is copied into a new workspace. Default: nothing. */
    setup: z.custom<LabHook>((v) => typeof v === 'function', 'must be a function').optional(),
    /** Removes what the lab created outside the workspace (containers, images, cluster objects). */
    cleanup: z.custom<LabHook>((v) => typeof v === 'function', 'must be a function').optional(),
  })
  .strict()
  .superRefine((lab, ctx) => {
    if (!lab.id.startsWith(`${lab.stage}/`)) {
      ctx.addIssue({
        code: 'custom',
        path: ['stage'],
        message: `must match the id's stage: the id "${lab.id}" starts with "${lab.id.split('/')[0]}/"`,
      });
    }
    const ids = new Set<string>();
    lab.checks.forEach((check, i) => {
      if (ids.has(check.id)) {
        ctx.addIssue({ code: 'custom', path: ['checks', i, 'id'], message: `duplicate check id "${check.id}"` });
      }
      ids.add(check.id);
    });
    lab.checks.forEach((check, i) => {
      check.needs.forEach((need, j) => {
        if (!ids.has(need)) {
          ctx.addIssue({
            code: 'custom',
            path: ['checks', i, 'needs', j],
            message: `unknown check id "${need}"${suggest(need, ids)}`,
          });
        }
      });
    });
    const cycle = findCycle(lab.checks);
    if (cycle) {
      ctx.addIssue({ code: 'custom', path: ['checks'], message: `checks need each other in a cycle: ${cycle.join(' -> ')}` });
    }
    lab.contract.starterFails.forEach((id, i) => {
      if (!ids.has(id)) {
        ctx.addIssue({
          code: 'custom',
          path: ['contract', 'starterFails', i],
          message: `unknown check id "${id}"${suggest(id, ids)}`,
        });
      }
    });
  });
export type LabManifestInput = z.input<typeof LabManifestSchema>;
export type LabManifest = z.output<typeof LabManifestSchema>;

function suggest(id: string, known: Set<string>): string {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const d = levenshtein(id, candidate);
    if (d < bestDistance) {
      bestDistance = d;
      best = candidate;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(id.length / 4)) ? ` (did you mean "${best}"?)` : '';
}

function levenshtein(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}

function findCycle(checks: readonly { id: string; needs: readonly string[] }[]): string[] | undefined {
  const byId = new Map(checks.map((c) => [c.id, c]));
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (id: string): string[] | undefined => {
    if (state.get(id) === 'done') return undefined;
    if (state.get(id) === 'visiting') return [...stack.slice(stack.indexOf(id)), id];
    state.set(id, 'visiting');
    stack.push(id);
    for (const need of byId.get(id)?.needs ?? []) {
      if (!byId.has(need)) continue;
      const found = visit(need);
      if (found) return found;
    }
    stack.pop();
    state.set(id, 'done');
    return undefined;
  };
  for (const c of checks) {
    const found = visit(c.id);
    if (found) return found;
  }
  return undefined;
}
