/**
 * The layout of the mentor store's JSON file, its versions and the
 * migrations between them.
 */
import { AttemptResultSchema } from '@mlops-lab/grader';
import { z } from 'zod';
import { CohortSchema, LearnerRecordSchema, MentorSchema, SessionSchema, StoredAttemptSchema } from '../types.ts';

/** Marks a JSON file as an mlops-lab mentor store. */
export const MENTOR_FILE_FORMAT = 'mlops-lab-mentor-store';

/**
 * Layout version this code writes. A reader refuses a higher version instead
 * of guessing (rewriting the file would drop what it does not understand),
 * and migrates a lower one on open.
 *
 * - 0: the first mentor preview: no sessions (logins did not persist) and no
 *   `verification` on attempts (everything was self-reported).
 * - 1: sessions; `verification` on every attempt.
 */
export const MENTOR_FILE_VERSION = 1;

/** The collections of the file, in the order they are written. */
export const COLLECTIONS = ['mentors', 'cohorts', 'learners', 'sessions', 'attempts'] as const;
export type CollectionName = (typeof COLLECTIONS)[number];

// Strict on purpose: a plain object schema would silently strip fields a
// newer version added, and the next write would drop them.
export const MentorFileSchema = z
  .object({
    /** Always `mlops-lab-mentor-store`; tells this file apart from other JSON (the learner's progress store). */
    format: z.literal(MENTOR_FILE_FORMAT).describe('Always `mlops-lab-mentor-store`.'),
    /** Layout version, see MENTOR_FILE_VERSION. */
    version: z.literal(MENTOR_FILE_VERSION).describe('Layout version of the file.'),
    /** Every mentor, in creation order. */
    mentors: z.array(MentorSchema).describe('Every mentor, in creation order.'),
    /** Every cohort, in creation order. */
    cohorts: z.array(CohortSchema).describe('Every cohort, in creation order.'),
    /** Every learner with the hash of its token, in creation order. */
    learners: z.array(LearnerRecordSchema).describe('Every learner, in creation order.'),
    /** Live login sessions; expired ones are dropped on the next login. */
    sessions: z.array(SessionSchema).describe('Login sessions; expired ones are dropped on the next login.'),
    /** Every synced attempt, append-only, in the order received. */
    attempts: z.array(StoredAttemptSchema).describe('Every synced attempt, append-only, in the order received.'),
  })
  .strict()
  .describe('The mlops-lab mentor store (lowdb).');
export type MentorFile = z.infer<typeof MentorFileSchema>;

/** Layout 0, only read to migrate it. */
export const MentorFileV0Schema = z
  .object({
    format: z.literal(MENTOR_FILE_FORMAT),
    version: z.literal(0),
    mentors: z.array(MentorSchema),
    cohorts: z.array(CohortSchema),
    learners: z.array(LearnerRecordSchema),
    attempts: z.array(
      z
        .object({
          learnerId: z.uuid(),
          receivedAt: z.iso.datetime({ offset: true }),
          attempt: AttemptResultSchema,
        })
        .strict(),
    ),
  })
  .strict();
export type MentorFileV0 = z.infer<typeof MentorFileV0Schema>;

/** What a store that does not exist yet reads as. */
export function emptyMentorFile(): MentorFile {
  return { format: MENTOR_FILE_FORMAT, version: MENTOR_FILE_VERSION, mentors: [], cohorts: [], learners: [], sessions: [], attempts: [] };
}

/** Layout 0 -> 1: no sessions yet; every attempt was synced, so self-reported. */
export function migrateV0(file: MentorFileV0): MentorFile {
  return {
    format: MENTOR_FILE_FORMAT,
    version: MENTOR_FILE_VERSION,
    mentors: file.mentors,
    cohorts: file.cohorts,
    learners: file.learners,
    sessions: [],
    attempts: file.attempts.map((a) => ({ ...a, verification: 'self-reported' as const })),
  };
}

/** Schemas of one record of each collection (the file is validated record by record). */
export const RECORD_SCHEMAS: Record<CollectionName, z.ZodType> = {
  mentors: MentorSchema,
  cohorts: CohortSchema,
  learners: LearnerRecordSchema,
  sessions: SessionSchema,
  attempts: StoredAttemptSchema,
};
