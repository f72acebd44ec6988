import { watch, watchFile, unwatchFile, type FSWatcher } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { AttemptResult, ProgressStore } from '@mlops-lab/grader';
import type { Logger } from './log.ts';

/** What `/api/stream` sends as `event: attempt`. */
export interface AttemptNotice {
  attemptId: string;
  labId: string;
  status: AttemptResult['status'];
  credit: AttemptResult['credit'];
  finishedAt: string;
}

export type AttemptListener = (notice: AttemptNotice) => void;

export interface AttemptFeedOptions {
  store: ProgressStore;
  /** Only this learner's attempts are announced. */
  learner: string;
  log: Logger;
  /** Quiet time after the last change before the store is read again. Default 100 ms. */
  debounceMs?: number;
}

/**
 * Announces every new attempt of the learner, wherever it was made: the
 * lab server's own runs announce theirs directly, and the store file's
 * folder is watched so attempts the CLI appends show up too. Each attempt
 * is announced once.
 */
export class AttemptFeed {
  readonly #store: ProgressStore;
  readonly #learner: string;
  readonly #log: Logger;
  readonly #debounceMs: number;
  readonly #seen = new Set<string>();
  readonly #listeners = new Set<AttemptListener>();
  #watcher: FSWatcher | undefined;
  #polling = false;
  #timer: NodeJS.Timeout | undefined;
  #reading: Promise<void> | undefined;
  #again = false;
  #closed = false;

  constructor(options: AttemptFeedOptions) {
    this.#store = options.store;
    this.#learner = options.learner;
    this.#log = options.log;
    this.#debounceMs = options.debounceMs ?? 100;
  }

  /** Remembers the attempts already stored, then starts watching. */
  async start(): Promise<void> {
    const file = this.#store.file;
    const folder = dirname(file);
    await mkdir(folder, { recursive: true });
    try {
      for (const a of (await this.#store.read()).attempts) this.#seen.add(a.attemptId);
    } catch (error) {
      this.#log.warn('could not read the progress store; live updates start from now', { file, error });
    }
    const name = basename(file);
    try {
      // The folder, not the file: writers replace the file by rename, which a
      // watch on the file itself stops following.
      this.#watcher = watch(folder, { persistent: false }, (_event, changed) => {
        if (changed === null || (changed.includes(name) && !changed.endsWith('.lock'))) this.#schedule();
      });
      this.#watcher.on('error', (error) => {
        this.#log.warn('watching the progress store failed; polling it instead', { folder, error });
        this.#watcher?.close();
        this.#watcher = undefined;
        this.#poll();
      });
    } catch (error) {
      this.#log.warn('cannot watch the progress store folder; polling it instead', { folder, error });
      this.#poll();
    }
  }

  subscribe(listener: AttemptListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Announces an attempt (once, and only the learner's). */
  publish(attempt: AttemptResult): void {
    if (this.#closed || attempt.learner !== this.#learner || this.#seen.has(attempt.attemptId)) return;
    this.#seen.add(attempt.attemptId);
    const notice: AttemptNotice = {
      attemptId: attempt.attemptId,
      labId: attempt.lab.id,
      status: attempt.status,
      credit: attempt.credit,
      finishedAt: attempt.finishedAt,
    };
    for (const listener of this.#listeners) {
      try {
        listener(notice);
      } catch (error) {
        this.#log.error('an attempt listener failed', { error });
      }
    }
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#watcher?.close();
    if (this.#polling) unwatchFile(this.#store.file);
    this.#listeners.clear();
  }

  #poll(): void {
    if (this.#closed || this.#polling) return;
    this.#polling = true;
    watchFile(this.#store.file, { interval: 1000, persistent: false }, () => this.#schedule());
  }

  #schedule(): void {
    if (this.#closed) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#read(), this.#debounceMs);
  }

  /** Reads the store and announces what is new; one read at a time, again if changes came meanwhile. */
  async #read(): Promise<void> {
    if (this.#reading) {
      this.#again = true;
      return;
    }
    this.#reading = (async () => {
      do {
        this.#again = false;
        try {
          const { attempts } = await this.#store.read();
          for (const a of attempts) this.publish(a);
        } catch (error) {
          this.#log.warn('could not read the progress store after a change', { file: this.#store.file, error });
        }
      } while (this.#again && !this.#closed);
    })();
    await this.#reading;
    this.#reading = undefined;
  }
}
