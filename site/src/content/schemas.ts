import { z } from 'zod';
import { STAGE_IDS } from '@mlops-lab/grader';

/** Frontmatter of a roadmap stage page, `content/stages/<id>.md`. */
export const StageFrontmatterSchema = z
  .object({
    /** Stage title, e.g. "Containers with Docker". */
    title: z.string().min(3),
    /** Position on the roadmap: 1..8 by priority, 9 for the capstone. */
    order: z.number().int().min(1).max(9),
    /** One sentence on what the stage gives the learner. */
    summary: z.string().min(10),
    /** Focused hours a newcomer needs (an estimate shown on the page). */
    hours: z.number().positive().max(500),
    /** Short names of the concepts the stage teaches. */
    concepts: z.array(z.string().min(2)).min(1),
    /** Why the stage matters in MLOps work (two or three sentences). */
    why: z.string().min(10),
  })
  .strict();
export type StageFrontmatter = z.infer<typeof StageFrontmatterSchema>;

export const PathIdSchema = z.enum(['devops-sre', 'ml-data-science', 'backend-platform', 'no-engineering']);
export type PathId = z.infer<typeof PathIdSchema>;
const StageIdSchema = z.enum(STAGE_IDS);

/** Frontmatter of an entry path, `content/paths/<id>.md`. */
export const PathFrontmatterSchema = z
  .object({
    /** e.g. "From DevOps or SRE". */
    title: z.string().min(3),
    /** Order on the path chooser. */
    order: z.number().int().min(1),
    /** One sentence on who this path is for. */
    summary: z.string().min(10),
    /** The gaps this path must close. */
    gaps: z.array(z.string().min(2)).min(1),
    /** Stage ids this path weighs most. */
    emphasis: z.array(StageIdSchema).min(1),
    /** All stage ids, in the order this path takes them. */
    stageOrder: z.array(StageIdSchema).length(STAGE_IDS.length),
    /** How long the path takes, in months, with the reason for the range. */
    timeline: z.object({ minMonths: z.number().positive(), maxMonths: z.number().positive(), note: z.string().min(5) }).strict(),
    /** CKA advice for this path. */
    cka: z.string().min(10),
  })
  .strict();
export type PathFrontmatter = z.infer<typeof PathFrontmatterSchema>;

/** A lab as the site shows it: the manifest's public fields and the rendered instruction steps. */
export const LabEntrySchema = z
  .object({
    title: z.string(),
    stage: StageIdSchema,
    summary: z.string(),
    minutes: z.number(),
    difficulty: z.enum(['beginner', 'intermediate', 'advanced']),
    needs: z.array(z.string()),
    skills: z.array(z.string()),
    version: z.string(),
    checks: z.array(z.object({ id: z.string(), title: z.string(), hint: z.string().optional() }).strict()),
    steps: z.array(z.object({ file: z.string(), title: z.string(), html: z.string() }).strict()),
  })
  .strict();
export type LabEntry = z.infer<typeof LabEntrySchema>;
