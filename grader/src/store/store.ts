import { randomUUID } from 'node:crypto';
import { mkdir, open, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { Low } from 'lowdb';
import { DataFile } from 'lowdb/node';
import lockfile from 'proper-lockfile';
import type { z } from 'zod';
import { StoreError } from '../errors.ts';
import { AttemptResultSchema, type AttemptResult } from '../result/schema.ts';
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

const DEFAULT_LOCK_TIMEOUT_MS = 30_000;

// proper-lockfile's minimum. A lock left by a process killed with kill -9
// stops being refreshed and is taken over after this long; a live holder
// refreshes it every stale/2 ms.
const LOCK_STALE_MS = 2_000;

const RETRY_FIRST_DELAY_MS = 10;
const RETRY_MAX_DELAY_MS = 250;

/**
 * The learner's progress store: one JSON file holding append-only attempts
 * and events. Safe to use from several processes at once (the CLI and the
 * lab server): every append is a locked read-modify-write, and every write
 * replaces the file atomically, so readers need no lock.
 */
export class ProgressStore {
  readonly #file: string;
  readonly #adapter: DataFile<StoreData>;
  readonly #lockTimeoutMs: number;

  private constructor(file: string, options: ProgressStoreOptions) {
    this.#file = file;
    this.#lockTimeoutMs = options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
    this.#adapter = new DataFile<StoreData>(file, {
      parse: (text) => decodeStore(text, file),
      stringify: (data) => `${JSON.stringify(data, null, 2)}\n`,
    });
  }

  /** A store backed by `file`. Touches nothing on disk until the first append. */
  static open(file: string, options: ProgressStoreOptions = {}): ProgressStore {
    return new ProgressStore(resolve(file), options);
  }

  /** Absolute path of the store file. */
  get file(): string {
    return this.#file;
  }

  /** The lock folder other processes wait on while an append is in progress. */
  get lockPath(): string {
    return `${this.#file}.lock`;
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
    await this.#update((data) => {
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
    return this.#update((data) => {
      const existing = data.events.find((x) => x.id === event.id);
      if (existing) return { write: false, value: existing };
      data.events.push(event);
      return { write: true, value: event };
    });
  }

  /** A snapshot of the whole store. A store file that does not exist reads as empty. */
  async read(): Promise<StoreData> {
    // No lock: writers replace the file by rename, so a read sees either the
    // old or the new content, never a mix.
    try {
      return (await this.#adapter.read()) ?? emptyStore();
    } catch (error) {
      if (error instanceof StoreError) throw error;
      throw new StoreError(
        'STORE_UNREADABLE',
        `Could not read the progress store ${this.#file}: ${describeError(error)}.`,
        `Check that you can read it: ls -l ${shellQuote(this.#file)}`,
        { cause: error },
      );
    }
  }

  /** Stored attempts, oldest first, optionally only one lab's or one learner's. */
  async attempts(filter: AttemptFilter = {}): Promise<AttemptResult[]> {
    const { attempts } = await this.read();
    return attempts.filter(
      (a) =>
        (filter.labId === undefined || a.lab.id === filter.labId) &&
        (filter.learner === undefined || a.learner === filter.learner),
    );
  }

  /**
   * Runs `mutate` on fresh data under the cross-process lock and writes the
   * result when it asks to. `mutate` must be idempotent: it can run again
   * when a conflicting writer is detected.
   */
  async #update<T>(mutate: (data: StoreData) => { write: boolean; value: T }): Promise<T> {
    return inProcessQueue(this.#file, async () => {
      const deadline = Date.now() + this.#lockTimeoutMs;
      await this.#writeStep('create the folder of', () => mkdir(dirname(this.#file), { recursive: true }));
      for (;;) {
        const lock = await this.#lock(deadline);
        try {
          const before = await this.#writeStep('inspect', () => identityOf(this.#file));
          const db = new Low<StoreData>(this.#adapter, emptyStore());
          await this.#writeStep('read', () => db.read());
          const { write, value } = mutate(db.data);
          if (!write) return value;
          // proper-lockfile can hand the same lock to two processes that both
          // took over a stale lock at once, and a holder stalled past the
          // stale time (a laptop put to sleep) loses it. Writing then would
          // drop the other writer's acknowledged data, so start over instead.
          if (lock.lost() || before !== (await this.#writeStep('inspect', () => identityOf(this.#file)))) continue;
          await this.#writeStep('write', () => db.write());
          await this.#writeStep('flush', () => syncToDisk(this.#file));
          return value;
        } finally {
          await lock.release();
        }
      }
    });
  }

  async #lock(deadline: number): Promise<{ lost: () => boolean; release: () => Promise<void> }> {
    let delay = RETRY_FIRST_DELAY_MS;
    for (;;) {
      let lost = false;
      try {
        const release = await lockfile.lock(this.#file, {
          // The store file may not exist yet; realpath would fail on it.
          realpath: false,
          stale: LOCK_STALE_MS,
          // The default throws from a timer and would crash the process.
          onCompromised: () => {
            lost = true;
          },
        });
        return {
          lost: () => lost,
          release: async () => {
            // A lost lock is no longer ours to remove; a failed removal goes
            // stale and is taken over. The data is already safe either way.
            await release().catch(() => undefined);
          },
        };
      } catch (error) {
        if (errorCode(error) !== 'ELOCKED') {
          throw new StoreError(
            'STORE_UNWRITABLE',
            `Could not lock the progress store ${this.#file}: ${describeError(error)}.`,
            `Check that you can write to its folder: ls -ld ${shellQuote(dirname(this.#file))}`,
            { cause: error },
          );
        }
        const left = deadline - Date.now();
        if (left <= 0) {
          throw new StoreError(
            'STORE_LOCKED',
            `The progress store ${this.#file} stayed locked by another mlops-lab process for ${Math.round(this.#lockTimeoutMs / 1000)} s (lock: ${this.lockPath}).`,
            `Wait for the other mlops-lab command or the lab server to finish and try again. If none is running, remove the lock: rm -r ${shellQuote(this.lockPath)}`,
            { cause: error },
          );
        }
        // Jitter keeps two waiting processes from polling in lockstep.
        await sleep(Math.min(left, delay * (0.5 + Math.random())));
        delay = Math.min(delay * 1.5, RETRY_MAX_DELAY_MS);
      }
    }
  }

  async #writeStep<T>(what: string, step: () => Promise<T>): Promise<T> {
    try {
      return await step();
    } catch (error) {
      if (error instanceof StoreError) throw error;
      throw new StoreError(
        'STORE_UNWRITABLE',
        `Could not ${what} the progress store ${this.#file}: ${describeError(error)}.`,
        `Check that the disk is not full and that you can write to the folder: ls -ld ${shellQuote(dirname(this.#file))}`,
        { cause: error },
      );
    }
  }
}

/** Parses and validates the text of a store file. Throws StoreError, never returns partial data. */
function decodeStore(text: string, file: string): StoreData {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw corrupt(file, `it is not valid JSON (${describeError(error)})`, error);
  }
  // Checked before the schema: a newer layout would fail it, and calling that
  // "corrupt" would send the learner to move a good file aside.
  if (
    isRecord(json) &&
    json.format === STORE_FORMAT &&
    typeof json.version === 'number' &&
    json.version > STORE_VERSION
  ) {
    throw new StoreError(
      'STORE_TOO_NEW',
      `The progress store ${file} has layout version ${json.version}; this mlops-lab understands up to version ${STORE_VERSION}. It was left untouched.`,
      'Update mlops-lab (git pull && npm install) and run the command again.',
    );
  }
  const parsed = StoreDataSchema.safeParse(json);
  if (!parsed.success) {
    throw corrupt(file, `it does not match the progress store format (${summarizeIssues(parsed.error)})`, parsed.error);
  }
  return parsed.data;
}

function corrupt(file: string, why: string, cause: unknown): StoreError {
  return new StoreError(
    'STORE_CORRUPT',
    `The progress store ${file} cannot be used: ${why}. It was left untouched.`,
    `Move it aside (keep it to recover attempts by hand) and run the command again to start a fresh store: mv ${shellQuote(file)} ${shellQuote(`${file}.broken`)}`,
    { cause },
  );
}

function invalidRecord(what: string, error: z.ZodError): StoreError {
  return new StoreError(
    'STORE_INVALID_RECORD',
    `Refused to store ${what}: ${summarizeIssues(error)}. Storing it would make the progress store unreadable.`,
    'This is a grader bug; please report it with the command you ran.',
    { cause: error },
  );
}

function summarizeIssues(error: z.ZodError): string {
  const shown = error.issues.slice(0, 3).map((i) => `${i.path.length > 0 ? i.path.join('.') : '(root)'}: ${i.message}`);
  const more = error.issues.length - shown.length;
  return more > 0 ? `${shown.join('; ')}; and ${more} more` : shown.join('; ');
}

/** Changes whenever the file is replaced or rewritten; null when it does not exist. */
async function identityOf(file: string): Promise<string | null> {
  try {
    const s = await stat(file, { bigint: true });
    return `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return null;
    throw error;
  }
}

async function syncToDisk(file: string): Promise<void> {
  // steno renames without fsync. Flushing the file and its folder makes the
  // acknowledgement survive a power cut, not only a killed process.
  const handle = await open(file, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    const dir = await open(dirname(file), 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  } catch {
    // Windows cannot open or fsync a folder; the rename is as durable as it gets there.
  }
}

// Appends from one process take turns here rather than on the lock file,
// where they would sleep in retry backoff waiting for each other.
const queues = new Map<string, Promise<unknown>>();

function inProcessQueue<T>(key: string, task: () => Promise<T>): Promise<T> {
  const run = (queues.get(key) ?? Promise.resolve()).then(task);
  const tail = run.catch(() => undefined);
  queues.set(key, tail);
  void tail.then(() => {
    if (queues.get(key) === tail) queues.delete(key);
  });
  return run;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function errorCode(error: unknown): string | undefined {
  return isRecord(error) && typeof error.code === 'string' ? error.code : undefined;
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function shellQuote(p: string): string {
  return /^[\w@%+=:,./-]+$/.test(p) ? p : `'${p.replace(/'/g, `'\\''`)}'`;
}
