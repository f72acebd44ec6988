import { z } from 'zod';

/** Marks a JSON file as mlops-lab learner settings. */
export const SETTINGS_FORMAT = 'mlops-lab-settings';

/**
 * Version of the settings file layout. A reader refuses a file with a higher
 * version instead of guessing, because rewriting it would drop what it does
 * not understand.
 */
export const SETTINGS_VERSION = 1;

/** The entry paths a learner can choose (content/paths/<id>.md describes each). */
export const LEARNING_PATH_IDS = ['devops-sre', 'ml-data-science', 'backend-platform', 'no-engineering'] as const;
export const LearningPathIdSchema = z
  .enum(LEARNING_PATH_IDS)
  .describe('Entry path: devops-sre, ml-data-science, backend-platform or no-engineering.');
export type LearningPathId = z.infer<typeof LearningPathIdSchema>;

/** Bounds of `hoursPerWeek`. */
export const HOURS_PER_WEEK = { min: 1, max: 80 } as const;

/** A calendar date `YYYY-MM-DD` that exists (no 2025-02-30). */
export const CalendarDateSchema = z.iso.date().describe('A calendar date, YYYY-MM-DD.');

/** The preferences one learner can set. Every field is optional: an unset field means "not chosen yet". */
export const LearnerPreferencesSchema = z
  .object({
    /** The entry path the learner chose; the roadmap and plan follow it. */
    path: LearningPathIdSchema.optional(),
    /** Hours a week the learner plans to study, 1 to 80; the plan's timeline follows it. */
    hoursPerWeek: z
      .number()
      .min(HOURS_PER_WEEK.min)
      .max(HOURS_PER_WEEK.max)
      .optional()
      .describe('Hours a week the learner plans to study (1 to 80).'),
    /** The day the learner starts (or started) the plan, `YYYY-MM-DD`. */
    startDate: CalendarDateSchema.optional().describe('The day the learner starts the plan, YYYY-MM-DD.'),
  })
  .strict();
export type LearnerPreferences = z.infer<typeof LearnerPreferencesSchema>;

/** One learner's stored settings: their preferences and when they last changed. */
export const LearnerSettingsSchema = LearnerPreferencesSchema.extend({
  /** ISO 8601 time of the last change. */
  updatedAt: z.iso.datetime({ offset: true }).describe('When the settings last changed (ISO 8601).'),
}).strict();
export type LearnerSettings = z.infer<typeof LearnerSettingsSchema>;

// Strict on purpose: a plain object schema would silently strip fields a
// newer grader added, and the next write would drop them.
export const SettingsDataSchema = z
  .object({
    /** Always `mlops-lab-settings`; tells this file apart from other JSON. */
    format: z.literal(SETTINGS_FORMAT).describe('Always `mlops-lab-settings`.'),
    /** Layout version of the file, see SETTINGS_VERSION. */
    version: z.literal(SETTINGS_VERSION).describe('Layout version of the file.'),
    /** Settings per learner name (MLOPS_LAB_LEARNER or the OS user name). */
    learners: z.record(z.string().min(1), LearnerSettingsSchema).describe('Settings per learner name.'),
  })
  .strict()
  .describe('Learner preferences (entry path, pace, start date). Not progress: progress is derived from attempts.');
export type SettingsData = z.infer<typeof SettingsDataSchema>;

/**
 * A change to one learner's preferences: a given field is set, `null`
 * clears it, an absent field is left as it is.
 */
export const PreferencesPatchSchema = z
  .object({
    /** The entry path, or null to clear it. */
    path: LearningPathIdSchema.nullable().optional(),
    /** Hours a week (1 to 80), or null to clear it. */
    hoursPerWeek: z.number().min(HOURS_PER_WEEK.min).max(HOURS_PER_WEEK.max).nullable().optional(),
    /** Start date `YYYY-MM-DD`, or null to clear it. */
    startDate: CalendarDateSchema.nullable().optional(),
  })
  .strict();
export type PreferencesPatch = z.infer<typeof PreferencesPatchSchema>;

/** What a settings file that does not exist yet reads as. */
export function emptySettings(): SettingsData {
  return { format: SETTINGS_FORMAT, version: SETTINGS_VERSION, learners: {} };
}
