import { mkdir, open, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { Low } from 'lowdb';
import { DataFile } from 'lowdb/node';
import lockfile from 'proper-lockfile';
import type { z } from 'zod';
import { StoreError } from '../errors.ts';

/**
 * A small JSON file of the learner's data (the progress store, the
 * settings) that several processes may write at once (the CLI and the lab
 * server). Every update is a locked read-modify-write; every write replaces
 * the file atomically (lowdb's DataFile writes a temporary file and renames
 * it) and is flushed, so readers need no lock and never see half a file.
 */
export interface LockedJsonFileOptions<T> {
  /** How messages name the file, e.g. `progress store`, `settings file`. */
  noun: string;
  /** The `format` marker a file of this kind carries. */
  format: string;
  /** The highest layout version this code understands. */
  version: number;
  /** Validates the whole file. Should be strict, so unknown fields are not silently dropped on the next write. */
  schema: z.ZodType<T>;
  /** What a file that does not exist reads as. */
  empty: () => T;
  /** The first half of the advice for a corrupt file; `: mv <file> <file>.broken` follows it. */
  corruptAdvice: string;
  /** How long an update waits for another process's lock before STORE_LOCKED. Default 30 000 ms. */
  lockTimeoutMs?: number;
}

const DEFAULT_LOCK_TIMEOUT_MS = 30_000;

// proper-lockfile's minimum. A lock left by a process killed with kill -9
// stops being refreshed and is taken over after this long; a live holder
// refreshes it every stale/2 ms.
const LOCK_STALE_MS = 2_000;

const RETRY_FIRST_DELAY_MS = 10;
const RETRY_MAX_DELAY_MS = 250;

/** What `mutate` decides: write the changed data or not, and what update() returns. */
export interface Mutation<V> {
  write: boolean;
  value: V;
}

export class LockedJsonFile<T> {
  readonly #file: string;
  readonly #adapter: DataFile<T>;
  readonly #options: LockedJsonFileOptions<T>;
  readonly #lockTimeoutMs: number;

  constructor(file: string, options: LockedJsonFileOptions<T>) {
    this.#file = resolve(file);
    this.#options = options;
    this.#lockTimeoutMs = options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
    this.#adapter = new DataFile<T>(this.#file, {
      parse: (text) => this.#decode(text),
      stringify: (data) => `${JSON.stringify(data, null, 2)}\n`,
    });
  }

  /** Absolute path of the file. */
  get file(): string {
    return this.#file;
  }

  /** The lock folder other processes wait on while an update is in progress. */
  get lockPath(): string {
    return `${this.#file}.lock`;
  }

  /** A snapshot of the whole file. A file that does not exist reads as empty. */
  async read(): Promise<T> {
    // No lock: writers replace the file by rename, so a read sees either the
    // old or the new content, never a mix.
    try {
      return (await this.#adapter.read()) ?? this.#options.empty();
    } catch (error) {
      if (error instanceof StoreError) throw error;
      throw new StoreError(
        'STORE_UNREADABLE',
        `Could not read the ${this.#options.noun} ${this.#file}: ${describeError(error)}.`,
        `Check that you can read it: ls -l ${shellQuote(this.#file)}`,
        { cause: error },
      );
    }
  }

  /**
   * Runs `mutate` on fresh data under the cross-process lock and writes the
   * result when it asks to. Resolves once the new file has been renamed into
   * place and flushed. `mutate` must be idempotent: it can run again when a
   * conflicting writer is detected.
   */
  async update<V>(mutate: (data: T) => Mutation<V>): Promise<V> {
    return inProcessQueue(this.#file, async () => {
      const deadline = Date.now() + this.#lockTimeoutMs;
      await this.#writeStep('create the folder of', () => mkdir(dirname(this.#file), { recursive: true }));
      for (;;) {
        const lock = await this.#lock(deadline);
        try {
          const before = await this.#writeStep('inspect', () => identityOf(this.#file));
          const db = new Low<T>(this.#adapter, this.#options.empty());
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

  /** Parses and validates the text of the file. Throws StoreError, never returns partial data. */
  #decode(text: string): T {
    const { noun, format, version, schema, corruptAdvice } = this.#options;
    const file = this.#file;
    const corrupt = (why: string, cause: unknown): StoreError =>
      new StoreError(
        'STORE_CORRUPT',
        `The ${noun} ${file} cannot be used: ${why}. It was left untouched.`,
        `${corruptAdvice}: mv ${shellQuote(file)} ${shellQuote(`${file}.broken`)}`,
        { cause },
      );
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw corrupt(`it is not valid JSON (${describeError(error)})`, error);
    }
    // Checked before the schema: a newer layout would fail it, and calling that
    // "corrupt" would send the learner to move a good file aside.
    if (isRecord(json) && json.format === format && typeof json.version === 'number' && json.version > version) {
      throw new StoreError(
        'STORE_TOO_NEW',
        `The ${noun} ${file} has layout version ${json.version}; this mlops-lab understands up to version ${version}. It was left untouched.`,
        'Update mlops-lab (git pull && npm install) and run the command again.',
      );
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      throw corrupt(`it does not match the ${noun} format (${summarizeIssues(parsed.error)})`, parsed.error);
    }
    return parsed.data;
  }

  async #lock(deadline: number): Promise<{ lost: () => boolean; release: () => Promise<void> }> {
    let delay = RETRY_FIRST_DELAY_MS;
    for (;;) {
      let lost = false;
      try {
        const release = await lockfile.lock(this.#file, {
          // The file may not exist yet; realpath would fail on it.
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
            `Could not lock the ${this.#options.noun} ${this.#file}: ${describeError(error)}.`,
            `Check that you can write to its folder: ls -ld ${shellQuote(dirname(this.#file))}`,
            { cause: error },
          );
        }
        const left = deadline - Date.now();
        if (left <= 0) {
          throw new StoreError(
            'STORE_LOCKED',
            `The ${this.#options.noun} ${this.#file} stayed locked by another mlops-lab process for ${Math.round(this.#lockTimeoutMs / 1000)} s (lock: ${this.lockPath}).`,
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

  async #writeStep<V>(what: string, step: () => Promise<V>): Promise<V> {
    try {
      return await step();
    } catch (error) {
      if (error instanceof StoreError) throw error;
      throw new StoreError(
        'STORE_UNWRITABLE',
        `Could not ${what} the ${this.#options.noun} ${this.#file}: ${describeError(error)}.`,
        `Check that the disk is not full and that you can write to the folder: ls -ld ${shellQuote(dirname(this.#file))}`,
        { cause: error },
      );
    }
  }
}

/** Up to three zod issues as `path: message`, for error messages. */
export function summarizeIssues(error: z.ZodError): string {
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

// Updates from one process take turns here rather than on the lock file,
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

/** A path as a shell argument, quoted only when it needs to be. */
export function shellQuote(p: string): string {
  return /^[\w@%+=:,./-]+$/.test(p) ? p : `'${p.replace(/'/g, `'\\''`)}'`;
}
