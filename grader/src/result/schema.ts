import { z } from 'zod';

/**
 * Version of the attempt result format. Bump the major part for a breaking
 * change; readers accept results whose major part they know.
 */
export const RESULT_SCHEMA_VERSION = '1.1.0';

// Result objects are `loose`: a reader keeps fields a newer 1.x grader added
// (and writes them back unchanged) instead of calling the store corrupt.

/** The outcome of one check, or of a whole attempt. */
export const CheckStatusSchema = z
  .enum(['pass', 'fail', 'error', 'skip'])
  .describe(
    'pass: the check holds. fail: it does not, and the message says why. error: the grader could not decide (tool missing, timeout). skip: a prerequisite check did not pass.',
  );
export type CheckStatus = z.infer<typeof CheckStatusSchema>;

export const CheckResultSchema = z
  .object({
    /** Check id, kebab-case, a statement that can be true or false. */
    id: z.string().describe('Check id, a kebab-case statement such as `image-runs-as-non-root`.'),
    /** Human title of the check. */
    title: z.string().describe('Human title of the check.'),
    status: CheckStatusSchema,
    /** What the grader found, in a sentence a learner can act on. */
    message: z.string().describe('What the grader found, in a sentence a learner can act on.'),
    /** What the check expected, when it can be said briefly. */
    expected: z.string().optional().describe('What the check expected.'),
    /** What the grader actually found. */
    actual: z.string().optional().describe('What the grader actually found.'),
    /** The next thing to try, usually an exact command. */
    hint: z.string().optional().describe('The next thing to try, usually an exact command.'),
    /** Stable machine code for errors (for example `DOCKER_UNAVAILABLE`). */
    code: z.string().optional().describe('Stable machine code for errors, for example `DOCKER_UNAVAILABLE`.'),
    /** Wall time of the check including retries, in milliseconds. */
    durationMs: z.number().nonnegative().describe('Wall time of the check including retries, in milliseconds.'),
    /** How many times the check ran (1 + retries used). */
    tries: z.number().int().positive().optional().describe('How many times the check ran.'),
    /** Figures the check measured and verified, e.g. `{ "p99Ms": 11.2 }` (since 1.1.0). */
    figures: z
      .record(z.string(), z.union([z.number(), z.string(), z.boolean()]))
      .optional()
      .describe('Figures the check measured and verified, for example `{ "p99Ms": 11.2, "dataset.rows": 45222 }` (since 1.1.0).'),
  })
  .loose();
export type CheckResult = z.infer<typeof CheckResultSchema>;

export const EnvironmentSummarySchema = z
  .object({
    /** Node.js version that ran the grader. */
    node: z.string(),
    /** `process.platform`-`process.arch`. */
    platform: z.string(),
    /** Docker Engine version, when Docker was reachable during the attempt. */
    docker: z.string().optional(),
    /** Kubernetes server version, when a cluster was reachable. */
    kubernetes: z.string().optional(),
    /** Grader package version. */
    grader: z.string(),
  })
  .loose()
  .describe('Where the attempt ran.');

export const AttemptResultSchema = z
  .object({
    /** Result format version, see RESULT_SCHEMA_VERSION. */
    schemaVersion: z.string().regex(/^1\.\d+\.\d+$/).describe('Result format version (semver, major 1).'),
    lab: z
      .object({
        /** Lab id, `<stage>/<NN-slug>`. */
        id: z.string(),
        /** Lab version (semver) the attempt was graded against. */
        version: z.string(),
      })
      .loose(),
    /** Unique id of this attempt (UUID v4). */
    attemptId: z.uuid().describe('Unique id of this attempt.'),
    /** Who made the attempt (MLOPS_LAB_LEARNER or the OS user name). */
    learner: z.string().min(1).describe('Who made the attempt.'),
    /** ISO 8601 time the grading started. */
    startedAt: z.iso.datetime({ offset: true }).describe('When grading started (ISO 8601).'),
    /** ISO 8601 time the grading finished. */
    finishedAt: z.iso.datetime({ offset: true }).describe('When grading finished (ISO 8601).'),
    /**
     * Overall status: `pass` when every check passed, `error` when any check
     * errored, otherwise `fail`.
     */
    status: z.enum(['pass', 'fail', 'error']).describe('pass when every check passed; error when any errored; else fail.'),
    /**
     * `learner` when the learner's own work was graded; `solution` when the
     * lab's reference solution had been applied to the workspace (no credit).
     */
    credit: z
      .enum(['learner', 'solution'])
      .describe('learner: own work was graded. solution: the reference solution had been applied (no credit).'),
    /** Where the attempt was made from. */
    source: z.enum(['cli', 'site', 'test']).describe('Where the attempt was made from.'),
    environment: EnvironmentSummarySchema,
    /** One entry per check, in the lab's order. */
    checks: z.array(CheckResultSchema).describe('One entry per check, in the lab order.'),
  })
  .loose();
export type AttemptResult = z.infer<typeof AttemptResultSchema>;

/** Overall status of an attempt from its checks. */
export function overallStatus(checks: readonly Pick<CheckResult, 'status'>[]): AttemptResult['status'] {
  if (checks.some((c) => c.status === 'error')) return 'error';
  if (checks.length > 0 && checks.every((c) => c.status === 'pass')) return 'pass';
  return 'fail';
}
