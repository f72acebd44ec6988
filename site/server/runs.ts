import { randomUUID } from 'node:crypto';
import { HttpError } from './http.ts';

/** The events of a grading run, in the order a client receives them. */
export type RunEventName = 'check-start' | 'check' | 'done' | 'failed';

export interface RunEvent {
  /** 1, 2, 3, … within the run; sent as the SSE `id`, so a reconnect resumes after it. */
  seq: number;
  event: RunEventName;
  data: unknown;
}

export type RunListener = (event: RunEvent) => void;

/** One grading run of one lab: its events so far, and who is listening. */
export class Run {
  readonly id = randomUUID();
  readonly labId: string;
  readonly startedAt = new Date();
  readonly controller = new AbortController();
  readonly events: RunEvent[] = [];
  #listeners = new Set<RunListener>();
  #finishedAt: number | undefined;

  constructor(labId: string) {
    this.labId = labId;
  }

  get finished(): boolean {
    return this.#finishedAt !== undefined;
  }

  get finishedAt(): number | undefined {
    return this.#finishedAt;
  }

  /** Appends an event and hands it to every listener. Nothing after `done` or `failed`. */
  emit(event: RunEventName, data: unknown): void {
    if (this.finished) return;
    const e: RunEvent = { seq: this.events.length + 1, event, data };
    this.events.push(e);
    if (event === 'done' || event === 'failed') this.#finishedAt = Date.now();
    for (const listener of this.#listeners) listener(e);
    if (this.finished) this.#listeners.clear();
  }

  /**
   * The events after `afterSeq` (all of them by default), then every new
   * one as it happens. Returns the unsubscribe function.
   */
  subscribe(listener: RunListener, afterSeq = 0): () => void {
    for (const e of this.events) if (e.seq > afterSeq) listener(e);
    if (this.finished) return () => {};
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

/** What a lab is busy with; one thing at a time per lab. */
export type Activity = 'grading' | 'solving' | 'starting';

export interface RunRegistryOptions {
  /** How long a finished run stays available for late subscribers. Default 10 minutes. */
  keepFinishedMs?: number;
  /** At most this many finished runs are kept; the oldest go first. Default 100. */
  maxFinished?: number;
}

/**
 * The runs in memory, and what each lab is busy with. A lab is graded by
 * one run at a time, and not while its solution is being applied or its
 * workspace started (they would change the files under the checks).
 */
export class RunRegistry {
  readonly #runs = new Map<string, Run>();
  readonly #busy = new Map<string, { activity: Activity; run?: Run }>();
  readonly #tasks = new Set<Promise<unknown>>();
  readonly #keepMs: number;
  readonly #maxFinished: number;
  #sweeper: NodeJS.Timeout | undefined;

  constructor(options: RunRegistryOptions = {}) {
    this.#keepMs = options.keepFinishedMs ?? 10 * 60_000;
    this.#maxFinished = options.maxFinished ?? 100;
  }

  get(runId: string): Run | undefined {
    this.#sweep();
    return this.#runs.get(runId);
  }

  /**
   * Marks the lab busy, or throws 409 saying what it is busy with. Checked
   * and set synchronously, so two requests cannot both get it.
   */
  claim(labId: string, activity: Activity): () => void {
    const current = this.#busy.get(labId);
    if (current) throw busyError(labId, current.activity, current.run);
    const entry = { activity };
    this.#busy.set(labId, entry);
    return () => {
      if (this.#busy.get(labId) === entry) this.#busy.delete(labId);
    };
  }

  /**
   * Starts a grading run: claims the lab, runs `task` in the background,
   * and releases the lab when it settles. `task` must end the run with
   * `done` or `failed`; if it throws instead, the run fails with the error.
   */
  start(labId: string, task: (run: Run) => Promise<void>, onCrash: (run: Run, error: unknown) => void): Run {
    const release = this.claim(labId, 'grading');
    const run = new Run(labId);
    this.#busy.get(labId)!.run = run;
    this.#runs.set(run.id, run);
    const settled = (async () => {
      try {
        await task(run);
      } catch (error) {
        onCrash(run, error);
      } finally {
        if (!run.finished)
          run.emit('failed', { code: 'INTERNAL', message: 'Grading stopped without a result.', nextStep: 'Press Check again.' });
        release();
        this.#sweep();
      }
    })();
    this.#tasks.add(settled);
    void settled.finally(() => this.#tasks.delete(settled));
    this.#sweeper ??= setInterval(() => this.#sweep(), 60_000).unref();
    return run;
  }

  /** Aborts every running run and waits (up to `timeoutMs`) for them to settle. */
  async close(timeoutMs = 5_000): Promise<void> {
    for (const run of this.#runs.values()) if (!run.finished) run.controller.abort(new Error('the lab server is stopping'));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled([...this.#tasks]), new Promise((r) => (timer = setTimeout(r, timeoutMs)))]);
    clearTimeout(timer);
    clearInterval(this.#sweeper);
    this.#sweeper = undefined;
  }

  /** Forgets finished runs older than the keep time, and the oldest beyond the count. */
  #sweep(): void {
    const now = Date.now();
    const finished = [...this.#runs.values()].filter((r) => r.finished).sort((a, b) => a.finishedAt! - b.finishedAt!);
    const excess = finished.length - this.#maxFinished;
    finished.forEach((run, i) => {
      if (i < excess || now - run.finishedAt! > this.#keepMs) this.#runs.delete(run.id);
    });
  }
}

function busyError(labId: string, activity: Activity, run: Run | undefined): HttpError {
  if (activity === 'grading' && run) {
    return new HttpError(
      409,
      'RUN_IN_PROGRESS',
      `${labId} is already being checked (run ${run.id}).`,
      'Wait for that run to finish, or follow it at its events URL.',
      {
        extra: { runId: run.id, events: `/api/runs/${run.id}/events` },
      },
    );
  }
  const doing = activity === 'solving' ? 'its reference solution is being applied' : 'its workspace is being started';
  return new HttpError(409, 'LAB_BUSY', `${labId} is busy: ${doing}.`, 'Try again in a moment.');
}
