import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { StoreError } from '../errors.ts';
import { AttemptResultSchema, type AttemptResult } from '../result/schema.ts';
import { LockedJsonFile, summarizeIssues } from './json-file.ts';
import { emptyStore, LabEventSchema, STORE_FORMAT, STORE_VERSION, StoreDataSchema } from './schema.ts';
import type { LabEvent, StoreData } from './schema.ts';

/** An event to append; the store fills in `id` and `at` when they are missing. */
export type NewLabEvent = Omit<LabEvent, 'id' | 'at'> & Partial<Pick<LabEvent, 'id' | 'at'>>;

/** Filter for {@link ProgressStore.attempts}; every given field must match. */
export interface AttemptFilter {
  /** Only attempts at this lab id. */
  labId?: string;
  /** Only attempts by this learner. */
  learner?: string;
}

export interface ProgressStoreOptions {
  /** How long an append waits for another process's lock before STORE_LOCKED. Default 30 000 ms. */
  lockTimeoutMs?: number;
}

/**
 * The learner's progress store: one JSON file holding append-only attempts
 * and events. Safe to use from several processes at once (the CLI and the
 * lab server): every append is a locked read-modify-write, and every write
 * replaces the file atomically, so readers need no lock (see json-file.ts).
 */
export class ProgressStore {
  readonly #file: LockedJsonFile<StoreData>;

  private constructor(file: string, options: ProgressStoreOptions) {
    this.#file = new LockedJsonFile<StoreData>(file, {
      noun: 'progress store',
      format: STORE_FORMAT,
      version: STORE_VERSION,
      schema: StoreDataSchema,
      empty: emptyStore,
      corruptAdvice: 'Move it aside (keep it to recover attempts by hand) and run the command again to start a fresh store',
      ...(options.lockTimeoutMs !== undefined ? { lockTimeoutMs: options.lockTimeoutMs } : {}),
    });
  }

  /** A store backed by `file`. Touches nothing on disk until the first append. */
  static open(file: string, options: ProgressStoreOptions = {}): ProgressStore {
    return new ProgressStore(file, options);
  }

  /** Absolute path of the store file. */
  get file(): string {
    return this.#file.file;
  }

  /** The lock folder other processes wait on while an append is in progress. */
  get lockPath(): string {
    return this.#file.lockPath;
  }

  /**
   * Stores an attempt. Resolves once the file holding it has been renamed
   * into place and flushed: that is the acknowledgement. An attempt whose
   * `attemptId` is already stored is left as it is.
   */
  async appendAttempt(result: AttemptResult): Promise<void> {
    const parsed = AttemptResultSchema.safeParse(result);
    if (!parsed.success) {
      throw invalidRecord(`attempt ${String(result?.attemptId)}`, parsed.error);
    }
    const attempt = parsed.data;
    await this.#file.update((data) => {
      if (data.attempts.some((a) => a.attemptId === attempt.attemptId)) return { write: false, value: undefined };
      data.attempts.push(attempt);
      return { write: true, value: undefined };
    });
  }

  /**
   * Stores an event and returns it as stored. An event whose `id` is already
   * stored is left as it is, and the stored one is returned.
   */
  async appendEvent(e: NewLabEvent): Promise<LabEvent> {
    const parsed = LabEventSchema.safeParse({
      id: e.id ?? randomUUID(),
      type: e.type,
      labId: e.labId,
      learner: e.learner,
      at: e.at ?? new Date().toISOString(),
      workspace: e.workspace,
    });
    if (!parsed.success) throw invalidRecord(`${String(e?.type)} event`, parsed.error);
    const event = parsed.data;
    return this.#file.update((data) => {
      const existing = data.events.find((x) => x.id === event.id);
      if (existing) return { write: false, value: existing };
      data.events.push(event);
      return { write: true, value: event };
    });
  }

  /** A snapshot of the whole store. A store file that does not exist reads as empty. */
  async read(): Promise<StoreData> {
    return this.#file.read();
  }

  /** Stored attempts, oldest first, optionally only one lab's or one learner's. */
  async attempts(filter: AttemptFilter = {}): Promise<AttemptResult[]> {
    const { attempts } = await this.read();
    return attempts.filter(
      (a) => (filter.labId === undefined || a.lab.id === filter.labId) && (filter.learner === undefined || a.learner === filter.learner),
    );
  }
}

function invalidRecord(what: string, error: z.ZodError): StoreError {
  return new StoreError(
    'STORE_INVALID_RECORD',
    `Refused to store ${what}: ${summarizeIssues(error)}. Storing it would make the progress store unreadable.`,
    'This is a grader bug; please report it with the command you ran.',
    { cause: error },
  );
}
