import { z } from 'zod';
import { CheckStatusSchema } from '../result/schema.ts';

/** Marks a JSON document as an mlops-lab capstone report. */
export const REPORT_FORMAT = 'mlops-lab-capstone-report';

/** Version of the report format; bump the major part for a breaking change. */
export const REPORT_VERSION = '1.0.0';

/** The capstone lab the report is about when no lab is named. */
export const CAPSTONE_LAB_ID = 'capstone/01-monitored-ml-system';

/**
 * How far a figure can be trusted:
 * - `verified`: measured by a grader check that passed in this attempt, on the learner's machine.
 * - `re-verified`: measured again by a mentor server that re-ran the check itself.
 * - `self-reported`: from a check that did not pass, or declared by the learner's own service (not measured).
 */
export const ProvenanceSchema = z
  .enum(['verified', 're-verified', 'self-reported'])
  .describe(
    'verified: measured by a passing grader check in this attempt, on the learner’s machine. re-verified: re-run by a mentor server. self-reported: from a check that did not pass, or declared by the learner’s service.',
  );
export type Provenance = z.infer<typeof ProvenanceSchema>;

/** A figure in a report: what a check recorded, where it came from and how far it can be trusted. */
function figure<T extends z.ZodType>(value: T) {
  return z
    .object({
      /** The value the check recorded, unchanged. */
      value,
      /** Unit of `value` when it has one (`ms`, `s`, `MB`, `req/s`). */
      unit: z.string().optional().describe('Unit of `value` when it has one (`ms`, `s`, `MB`, `req/s`).'),
      provenance: ProvenanceSchema,
      /** `measured` by the grader, or `declared` by the learner's service (for example the drift method `/ready` names). */
      basis: z
        .enum(['measured', 'declared'])
        .describe('measured by the grader, or declared by the learner’s service (for example on `/ready`).'),
      /** The key the check recorded it under (`dataset.rows`, `p99Ms`). */
      key: z.string().describe('The key the check recorded it under, for example `dataset.rows` or `p99Ms`.'),
      /** Id of the check that recorded it. */
      checkId: z.string().describe('Id of the check that recorded it.'),
      /** Status of that check in the attempt. */
      checkStatus: CheckStatusSchema,
      /** The milestone the check belongs to (`capstone/M5`), when its id starts with `m<n>-`. */
      milestone: z.string().optional().describe('The milestone of the check (`capstone/M5`), from its `m<n>-` id prefix.'),
    })
    .strict()
    .nullable();
}

const num = z.number();
const str = z.string();
const bool = z.boolean();
const strOrNum = z.union([z.string(), z.number()]);
const any = z.union([z.number(), z.string(), z.boolean()]);

/** A recorded figure of any type (the report's `other` figures). */
export const AnyFigureSchema = figure(any).unwrap();
export type Figure = z.infer<typeof AnyFigureSchema>;

/**
 * The figures of the capstone, one slot per figure the capstone checks
 * record (labs/capstone/CONTRACT.md); `null` when the attempt did not record
 * it. A missing figure stays `null`: the report never fills one in.
 */
export const ReportFiguresSchema = z
  .object({
    dataset: z.object({ name: figure(str), rows: figure(num), sha256: figure(str) }).strict(),
    /** What the model is, as the training step described it. */
    model: figure(str),
    /** Precision on the test split (a fraction). */
    precision: figure(num),
    /** Recall on the test split (a fraction). */
    recall: figure(num),
    f1: figure(num),
    rocAuc: figure(num),
    seed: figure(num),
    /** Two runs with the same seed gave the same metrics. */
    reproducible: figure(bool),
    mlflow: z.object({ runs: figure(num), versions: figure(num), champion: figure(strOrNum) }).strict(),
    image: z.object({ sizeMb: figure(num), user: figure(strOrNum), healthy: figure(bool) }).strict(),
    ci: z.object({ triggers: figure(strOrNum), gateRejectsWorse: figure(bool) }).strict(),
    /** The stated load the latency was measured under. */
    load: z.object({ rps: figure(num), seconds: figure(num), rowsPerRequest: figure(num), errors: figure(num) }).strict(),
    /** Median latency under the stated load, in milliseconds. */
    p50: figure(num),
    /** 99th percentile latency under the stated load, in milliseconds. */
    p99: figure(num),
    /** `method` and `threshold` are declared by the service's `/ready`; the rest is measured. */
    drift: z
      .object({
        method: figure(str),
        threshold: figure(num),
        alert: figure(z.union([z.string(), z.boolean()])),
        secondsToAlert: figure(num),
        cleanAlerts: figure(num),
        shiftedFeatures: figure(strOrNum),
      })
      .strict(),
    rollback: z
      .object({ from: figure(strOrNum), to: figure(strOrNum), kubectl: figure(z.union([z.boolean(), z.string()])), seconds: figure(num) })
      .strict(),
    /** Figures the checks recorded that the report has no slot for, or of another type than expected, by key. */
    other: z.record(z.string(), AnyFigureSchema),
  })
  .strict();
export type ReportFigures = z.infer<typeof ReportFiguresSchema>;

export const ReportMilestoneSchema = z
  .object({
    /** `capstone/M<n>`. */
    id: z.string(),
    number: z.number().int().positive(),
    title: z.string(),
    /** Every `m<n>-` check of the milestone passed in this attempt (and it had at least one). */
    reached: z.boolean().describe('Every `m<n>-` check of the milestone passed in this attempt, and it had at least one.'),
    /** The milestone's checks in this attempt, in the lab's order; empty when the attempt did not grade it. */
    checks: z.array(z.object({ id: z.string(), title: z.string(), status: CheckStatusSchema, message: z.string() }).strict()),
  })
  .strict();
export type ReportMilestone = z.infer<typeof ReportMilestoneSchema>;

export const CapstoneReportSchema = z
  .object({
    /** Always `mlops-lab-capstone-report`. */
    format: z.literal(REPORT_FORMAT),
    /** Report format version, see REPORT_VERSION. */
    version: z.string().regex(/^1\.\d+\.\d+$/),
    /** When the report was built (ISO 8601). */
    generatedAt: z.iso.datetime({ offset: true }),
    /** The grader version that built the report. */
    generatedBy: z.string(),
    lab: z.object({ id: z.string(), version: z.string() }).strict(),
    attempt: z
      .object({
        id: z.uuid(),
        /** When grading started and finished (ISO 8601). */
        startedAt: z.iso.datetime({ offset: true }),
        finishedAt: z.iso.datetime({ offset: true }),
        /** pass, fail or error, as the attempt was stored. */
        status: z.enum(['pass', 'fail', 'error']),
        /** Where the attempt was made from (cli, site, test). */
        source: z.string(),
        /** Why this attempt: `latest-own` (the newest of the learner's own work that reached a milestone), `latest` (no such attempt: the newest), `chosen` (--attempt). */
        selected: z.enum(['latest-own', 'latest', 'chosen']),
      })
      .strict(),
    /** Who made the attempt. */
    learner: z.string(),
    /** Where the attempt was graded: the grader version and the machine's tools. */
    environment: z.object({
      grader: z.string(),
      node: z.string(),
      platform: z.string(),
      docker: z.string().optional(),
      kubernetes: z.string().optional(),
    }),
    credit: z
      .object({
        /** What was graded: `learner` (own work) or `solution` (the revealed reference). */
        graded: z.enum(['learner', 'solution']),
        /** The readiness model's credit (grader/src/readiness/credit.ts). */
        kind: z.enum(['own', 'own-after-reveal', 'solution']),
        /** True only for the learner's own work done before the solution was revealed: the only kind a resume bullet is built from. */
        ownWork: z.boolean(),
        /** The credit in a sentence for the reader. */
        statement: z.string(),
      })
      .strict(),
    /** Every capstone milestone, M1 first. */
    milestones: z.array(ReportMilestoneSchema),
    figures: ReportFiguresSchema,
    /** One sentence built only from verified figures of milestones reached in this attempt; null when none can be said, see resumeBulletBasis. */
    resumeBullet: z.string().nullable(),
    resumeBulletBasis: z
      .object({
        /** Why there is a bullet, or why not. */
        reason: z.string(),
        /** Milestones the bullet speaks for. */
        milestones: z.array(z.string()),
        /** Keys of the figures it quotes (`p99Ms`, `dataset.rows`). */
        figures: z.array(z.string()),
      })
      .strict(),
    /** How to check the report again. */
    recheck: z
      .object({
        /** Grade the workspace again. */
        check: z.string(),
        /** Build this report again from the stored attempt. */
        report: z.string(),
      })
      .strict(),
  })
  .strict()
  .describe(
    'The verified capstone report: one attempt of the capstone lab, its milestones, the figures its checks recorded and a resume bullet.',
  );
export type CapstoneReport = z.infer<typeof CapstoneReportSchema>;
