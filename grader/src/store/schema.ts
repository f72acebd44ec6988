import { z } from 'zod';
import { AttemptResultSchema } from '../result/schema.ts';

/** Marks a JSON file as an mlops-lab progress store. */
export const STORE_FORMAT = 'mlops-lab-store';

/**
 * Version of the store file layout. A reader refuses a file with a higher
 * version instead of guessing, because rewriting it would drop what it does
 * not understand.
 */
export const STORE_VERSION = 1;

export const LabEventSchema = z
  .object({
    /** Unique id of the event (UUID); appending the same id twice is a no-op. */
    id: z.uuid().describe('Unique id of the event (UUID).'),
    /**
     * `start`: the lab's starter was copied into a workspace. `solve`: the
     * reference solution was applied (later passes earn no credit). `reset`:
     * the workspace was put back to the starter.
     */
    type: z
      .enum(['start', 'solve', 'reset'])
      .describe(
        'start: starter copied into a workspace. solve: reference solution applied. reset: workspace restored to the starter.',
      ),
    /** Lab id, `<stage>/<NN-slug>`. */
    labId: z.string().min(1).describe('Lab id, `<stage>/<NN-slug>`.'),
    /** Who caused the event (MLOPS_LAB_LEARNER or the OS user name). */
    learner: z.string().min(1).describe('Who caused the event.'),
    /** ISO 8601 time of the event. */
    at: z.iso.datetime({ offset: true }).describe('When the event happened (ISO 8601).'),
    /** Absolute path of the workspace folder the event acted on. */
    workspace: z.string().min(1).describe('Absolute path of the workspace folder the event acted on.'),
  })
  .strict();
/** Something a learner did to a lab workspace, other than grading it. */
export type LabEvent = z.infer<typeof LabEventSchema>;

// Strict on purpose: a plain object schema would silently strip fields a
// newer grader added, and the next append would write the stripped data back.
export const StoreDataSchema = z
  .object({
    /** Always `mlops-lab-store`; tells this file apart from other JSON. */
    format: z.literal(STORE_FORMAT).describe('Always `mlops-lab-store`.'),
    /** Layout version of the file, see STORE_VERSION. */
    version: z.literal(STORE_VERSION).describe('Layout version of the file.'),
    /** Every graded attempt, append-only, in the order they were stored. */
    attempts: z.array(AttemptResultSchema).describe('Every graded attempt, append-only, in stored order.'),
    /** Every workspace event, append-only, in the order they were stored. */
    events: z.array(LabEventSchema).describe('Every workspace event, append-only, in stored order.'),
  })
  .strict()
  .describe('The mlops-lab progress store. Progress is derived from attempts and events, never stored.');
/** The whole content of the progress store file. */
export type StoreData = z.infer<typeof StoreDataSchema>;

/** What a store that does not exist yet reads as. */
export function emptyStore(): StoreData {
  return { format: STORE_FORMAT, version: STORE_VERSION, attempts: [], events: [] };
}
