/**
 * The mentor store in a lowdb JSON file (the default; one server process,
 * or a few on one machine).
 *
 * Everything is held in memory with indexes (attempts by id and by learner,
 * learners by token hash and by cohort, …), so queries never touch the disk
 * beyond two `stat`s that notice another process's change. A change is a
 * locked step across processes (proper-lockfile, as the learner's progress
 * store): under the lock the store catches up with what other processes
 * wrote, checks the change, appends it to the journal beside the file and
 * flushes it (lowdb/journal.ts): that is the acknowledgement. When the
 * journal reaches half the file's size (16 MiB at least), the whole file is
 * rewritten atomically with everything (lowdb/file.ts) and the journal is
 * emptied, so a sync costs an append, not a rewrite of 200 000 attempts.
 * A process killed at any point leaves the file and the acknowledged
 * journal lines intact.
 */
import { randomUUID } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { copyFile, mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { AttemptResultSchema, type AttemptResult } from '@mlops-lab/grader';
import { Low } from 'lowdb';
import lockfile from 'proper-lockfile';
import { describeError, errorCode, identityOf, MentorFileAdapter, shellQuote, type LoadedFile } from './lowdb/file.ts';
import { Journal, type JournalEntry } from './lowdb/journal.ts';
import { emptyMentorFile, MENTOR_FILE_VERSION } from './lowdb/layout.ts';
import {
  compareOldestFirst,
  emailKey,
  MentorStoreError,
  NewCohortSchema,
  NewLearnerSchema,
  NewMentorSchema,
  ReceivedAtSchema,
  refuseNulCharacter,
  sameJson,
  SessionSchema,
  summarize,
  validInput,
  type AddAttemptsResult,
  type AttemptsOfOptions,
  type AttemptSummary,
  type Cohort,
  type Learner,
  type LearnerRecord,
  type Mentor,
  type MentorStore,
  type Session,
  type StoredAttempt,
  badBefore,
  tokenTaken,
  unknownCohort,
  unknownLearner,
  unknownMentor,
} from './types.ts';

export interface LowdbMentorStoreOptions {
  /** How long a change waits for another process's lock before STORE_LOCKED. Default 30 000 ms. */
  lockTimeoutMs?: number;
  /** The journal is folded into the file once it is this large… Default 16 MiB. */
  compactAtBytes?: number;
  /** …and this fraction of the file's size. Default 0.5: each byte is rewritten about twice more, however large the file. */
  compactRatio?: number;
}

const DEFAULT_COMPACT_AT_BYTES = 16 * 1024 * 1024;

const DEFAULT_LOCK_TIMEOUT_MS = 30_000;
// proper-lockfile's minimum: a lock left by a killed process is taken over after this long.
const LOCK_STALE_MS = 2_000;

/** The file's data with the indexes the queries use. Rebuilt whenever the file is (re)read. */
class Indexed {
  readonly loaded: LoadedFile;
  readonly mentorsById = new Map<string, Mentor>();
  readonly mentorsByEmail = new Map<string, Mentor>();
  readonly cohortsById = new Map<string, Cohort>();
  readonly cohortsByMentor = new Map<string, Cohort[]>();
  readonly learnersById = new Map<string, LearnerRecord>();
  readonly learnersByToken = new Map<string, LearnerRecord>();
  readonly learnersByCohort = new Map<string, LearnerRecord[]>();
  readonly sessions = new Map<string, Session>();
  readonly attemptsById = new Map<string, StoredAttempt>();
  /** Each learner's attempts, oldest first. */
  readonly attemptsByLearner = new Map<string, StoredAttempt[]>();

  constructor(loaded: LoadedFile) {
    this.loaded = loaded;
    const { data } = loaded;
    for (const m of data.mentors) this.#indexMentor(m);
    for (const c of data.cohorts) this.#indexCohort(c);
    for (const l of data.learners) this.#indexLearner(l);
    for (const s of data.sessions) this.sessions.set(s.idHash, s);
    for (const a of data.attempts) this.#indexAttempt(a, false);
    for (const list of this.attemptsByLearner.values()) list.sort(compareOldestFirst);
  }

  /** Applies a journal entry. Idempotent: records whose id is known are skipped. */
  apply(entry: JournalEntry): void {
    const { data } = this.loaded;
    switch (entry.op) {
      case 'mentor':
        if (this.mentorsById.has(entry.mentor.id)) return;
        data.mentors.push(entry.mentor);
        this.#indexMentor(entry.mentor);
        return;
      case 'cohort':
        if (this.cohortsById.has(entry.cohort.id)) return;
        data.cohorts.push(entry.cohort);
        this.#indexCohort(entry.cohort);
        return;
      case 'learner':
        if (this.learnersById.has(entry.learner.id)) return;
        data.learners.push(entry.learner);
        this.#indexLearner(entry.learner);
        return;
      case 'session': {
        const cutoff = Date.parse(entry.pruneBefore);
        const kept = data.sessions.filter((x) => Date.parse(x.expiresAt) > cutoff && x.idHash !== entry.session.idHash);
        this.#setSessions([...kept, entry.session]);
        return;
      }
      case 'session-delete':
        if (!this.sessions.has(entry.idHash)) return;
        this.#setSessions(data.sessions.filter((x) => x.idHash !== entry.idHash));
        return;
      case 'attempts':
        for (const attempt of entry.attempts) {
          if (this.attemptsById.has(attempt.attemptId)) continue;
          const stored: StoredAttempt = {
            learnerId: entry.learnerId,
            receivedAt: entry.receivedAt,
            verification: entry.verification,
            attempt,
          };
          data.attempts.push(stored);
          this.#indexAttempt(stored, true);
        }
        return;
    }
  }

  #setSessions(sessions: Session[]): void {
    this.loaded.data.sessions = sessions;
    this.sessions.clear();
    for (const s of sessions) this.sessions.set(s.idHash, s);
  }

  #indexMentor(m: Mentor): void {
    this.mentorsById.set(m.id, m);
    this.mentorsByEmail.set(emailKey(m.email), m);
  }

  #indexCohort(c: Cohort): void {
    this.cohortsById.set(c.id, c);
    pushTo(this.cohortsByMentor, c.mentorId, c);
  }

  #indexLearner(l: LearnerRecord): void {
    this.learnersById.set(l.id, l);
    this.learnersByToken.set(l.tokenHash, l);
    pushTo(this.learnersByCohort, l.cohortId, l);
  }

  #indexAttempt(a: StoredAttempt, keepSorted: boolean): void {
    this.attemptsById.set(a.attempt.attemptId, a);
    const list = pushTo(this.attemptsByLearner, a.learnerId, a);
    if (!keepSorted) return;
    // Attempts mostly arrive in order: move the new one back only as far as it needs.
    let i = list.length - 1;
    while (i > 0 && compareOldestFirst(list[i - 1]!, a) > 0) {
      list[i] = list[i - 1]!;
      i--;
    }
    list[i] = a;
  }
}

/** See the top of this file. Open with {@link LowdbMentorStore.open}. */
export class LowdbMentorStore implements MentorStore {
  readonly kind = 'lowdb' as const;
  readonly #file: string;
  readonly #adapter: MentorFileAdapter;
  readonly #journal: Journal;
  readonly #lockTimeoutMs: number;
  readonly #compactAtBytes: number;
  readonly #compactRatio: number;
  #state: Indexed = new Indexed(emptyLoaded());
  /** Identity of the file #state was read from or written to; undefined forces a full re-read. */
  #identity: string | null | undefined;
  /** Size of the file when it was read or written: the journal is folded in at half of it. */
  #fileBytes = 0;
  /** Where the last journal line #state holds ends. */
  #journalEnd = 0;
  /** While this instance holds the lock, nobody else can change the file or the journal. */
  #writing = 0;
  #closed = false;

  private constructor(file: string, options: LowdbMentorStoreOptions) {
    this.#file = file;
    this.#adapter = new MentorFileAdapter(file);
    this.#journal = new Journal(file);
    this.#lockTimeoutMs = options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
    this.#compactAtBytes = options.compactAtBytes ?? DEFAULT_COMPACT_AT_BYTES;
    this.#compactRatio = options.compactRatio ?? 0.5;
  }

  /**
   * Opens the store in `file`. A file that does not exist is created on the
   * first change. A file in an older layout is migrated now (the old file is
   * kept as `<file>.v<N>.bak`); a newer or corrupt one is refused and left
   * untouched.
   */
  static async open(file: string, options: LowdbMentorStoreOptions = {}): Promise<LowdbMentorStore> {
    const store = new LowdbMentorStore(resolve(file), options);
    await store.#reload();
    if (store.#state.loaded.version < MENTOR_FILE_VERSION) await store.#change(() => ({ value: undefined }));
    return store;
  }

  get location(): string {
    return this.#file;
  }

  /** The journal beside the file (`<file>.journal`). */
  get journalFile(): string {
    return this.#journal.file;
  }

  // -- mentors

  async createMentor(m: { email: string; name: string; passwordHash: string }): Promise<Mentor> {
    const input = validInput(NewMentorSchema, m, 'createMentor');
    return this.#change((state) => {
      const taken = state.mentorsByEmail.get(emailKey(input.email));
      if (taken) {
        throw new MentorStoreError(
          'MENTOR_EXISTS',
          `A mentor with the email ${input.email} already exists (as ${taken.email}).`,
          'Log in with that email, or pick another one.',
        );
      }
      const mentor: Mentor = { id: randomUUID(), email: input.email, name: input.name, passwordHash: input.passwordHash, createdAt: now() };
      return { entry: { op: 'mentor', mentor }, value: mentor };
    });
  }

  async mentorByEmail(email: string): Promise<Mentor | undefined> {
    return (await this.#read()).mentorsByEmail.get(emailKey(email));
  }

  async mentorById(id: string): Promise<Mentor | undefined> {
    return (await this.#read()).mentorsById.get(id);
  }

  // -- cohorts and learners

  async createCohort(c: { name: string; mentorId: string }): Promise<Cohort> {
    const input = validInput(NewCohortSchema, c, 'createCohort');
    return this.#change((state) => {
      if (!state.mentorsById.has(input.mentorId)) throw unknownMentor(input.mentorId);
      const cohort: Cohort = { id: randomUUID(), name: input.name, mentorId: input.mentorId, createdAt: now() };
      return { entry: { op: 'cohort', cohort }, value: cohort };
    });
  }

  async cohortsOf(mentorId: string): Promise<Cohort[]> {
    return [...((await this.#read()).cohortsByMentor.get(mentorId) ?? [])];
  }

  async cohortById(id: string): Promise<Cohort | undefined> {
    return (await this.#read()).cohortsById.get(id);
  }

  async createLearner(l: { cohortId: string; name: string; tokenHash: string }): Promise<Learner> {
    const input = validInput(NewLearnerSchema, l, 'createLearner');
    return this.#change((state) => {
      if (!state.cohortsById.has(input.cohortId)) throw unknownCohort(input.cohortId);
      if (state.learnersByToken.has(input.tokenHash)) throw tokenTaken();
      const learner: LearnerRecord = {
        id: randomUUID(),
        cohortId: input.cohortId,
        name: input.name,
        createdAt: now(),
        tokenHash: input.tokenHash,
      };
      return { entry: { op: 'learner', learner }, value: publicLearner(learner) };
    });
  }

  async learnerByTokenHash(tokenHash: string): Promise<Learner | undefined> {
    const record = (await this.#read()).learnersByToken.get(tokenHash);
    return record && publicLearner(record);
  }

  async learnerById(id: string): Promise<Learner | undefined> {
    const record = (await this.#read()).learnersById.get(id);
    return record && publicLearner(record);
  }

  async learnersOf(cohortId: string): Promise<Learner[]> {
    return ((await this.#read()).learnersByCohort.get(cohortId) ?? []).map(publicLearner);
  }

  // -- sessions

  async createSession(s: Session): Promise<void> {
    const input = validInput(SessionSchema, s, 'createSession');
    const session: Session = { ...input, expiresAt: new Date(input.expiresAt).toISOString() };
    await this.#change((state) => {
      if (!state.mentorsById.has(session.mentorId)) throw unknownMentor(session.mentorId);
      // Expired sessions go with this entry, so the file does not grow with every login.
      return { entry: { op: 'session', session, pruneBefore: now() }, value: undefined };
    });
  }

  async sessionByIdHash(idHash: string): Promise<Session | undefined> {
    const session = (await this.#read()).sessions.get(idHash);
    return session && Date.parse(session.expiresAt) > Date.now() ? { ...session } : undefined;
  }

  async deleteSession(idHash: string): Promise<void> {
    await this.#change((state) => ({ entry: state.sessions.has(idHash) ? { op: 'session-delete', idHash } : undefined, value: undefined }));
  }

  // -- attempts

  async addAttempts(learnerId: string, attempts: AttemptResult[], receivedAt: string): Promise<AddAttemptsResult> {
    const received = new Date(validInput(ReceivedAtSchema, receivedAt, 'addAttempts receivedAt')).toISOString();
    attempts.forEach((a, i) => {
      validInput(AttemptResultSchema, a, `addAttempts attempts[${i}]`);
      refuseNulCharacter(a, `addAttempts attempts[${i}]`);
    });
    return this.#change((state) => {
      if (!state.learnersById.has(learnerId)) throw unknownLearner(learnerId);
      const result: AddAttemptsResult = { accepted: [], duplicates: [], conflicts: [] };
      const fresh = new Map<string, AttemptResult>();
      for (const attempt of attempts) {
        const id = attempt.attemptId;
        const stored = state.attemptsById.get(id);
        const earlier = stored
          ? { learnerId: stored.learnerId, attempt: stored.attempt }
          : fresh.has(id)
            ? { learnerId, attempt: fresh.get(id)! }
            : undefined;
        if (earlier) {
          (earlier.learnerId === learnerId && sameJson(earlier.attempt, attempt) ? result.duplicates : result.conflicts).push(id);
          continue;
        }
        // A copy: the caller's object must not change what is stored.
        fresh.set(id, structuredClone(attempt));
        result.accepted.push(id);
      }
      const entry: JournalEntry | undefined =
        fresh.size > 0
          ? { op: 'attempts', learnerId, receivedAt: received, verification: 'self-reported', attempts: [...fresh.values()] }
          : undefined;
      return { entry, value: result };
    });
  }

  /** Newest first. The records are shared with the store's memory: treat them as read-only. */
  async attemptsOf(learnerId: string, options: AttemptsOfOptions = {}): Promise<StoredAttempt[]> {
    const list = (await this.#read()).attemptsByLearner.get(learnerId) ?? [];
    const before = options.before === undefined ? Infinity : Date.parse(options.before);
    if (Number.isNaN(before)) throw badBefore(options.before);
    const limit = options.limit ?? Infinity;
    const out: StoredAttempt[] = [];
    for (let i = list.length - 1; i >= 0 && out.length < limit; i--) {
      const a = list[i]!;
      if (Date.parse(a.attempt.finishedAt) < before) out.push(a);
    }
    return out;
  }

  /** Oldest first. The records are shared with the store's memory: treat them as read-only. */
  async cohortAttempts(cohortId: string): Promise<StoredAttempt[]> {
    const state = await this.#read();
    const lists = (state.learnersByCohort.get(cohortId) ?? []).map((l) => state.attemptsByLearner.get(l.id) ?? []);
    return mergeSorted(lists);
  }

  /** Built on each call from the in-memory lists; the summaries are the caller's own. */
  async cohortSummaries(cohortId: string): Promise<AttemptSummary[]> {
    const state = await this.#read();
    const out: AttemptSummary[] = [];
    for (const learner of state.learnersByCohort.get(cohortId) ?? []) {
      for (const stored of state.attemptsByLearner.get(learner.id) ?? []) out.push(summarize(stored));
    }
    return out;
  }

  /**
   * Folds the journal into the file now (a rewrite of the whole file), as
   * changes do on their own once the journal is half the file's size.
   */
  async compact(): Promise<void> {
    await this.#change(() => ({ value: undefined }), true);
  }

  async close(): Promise<void> {
    this.#closed = true;
  }

  // -- internals

  /** The current data, caught up with other processes' changes. */
  async #read(): Promise<Indexed> {
    this.#assertOpen();
    if (this.#writing === 0) await this.#catchUp();
    return this.#state;
  }

  /**
   * Catches up with other processes: the new journal lines when only the
   * journal grew, everything when the file was replaced (a rewrite, a
   * restore) or the journal was emptied.
   */
  async #catchUp(): Promise<void> {
    const identity = await identityOf(this.#file);
    if (identity !== this.#identity) return this.#reload();
    const size = await this.#journal.size();
    if (size === this.#journalEnd) return;
    if (size < this.#journalEnd) return this.#reload();
    let read;
    try {
      read = await this.#journal.read(this.#journalEnd);
    } catch (error) {
      // A rewrite raced the read (the journal was emptied and refilled under it): start over.
      if ((await identityOf(this.#file)) !== identity) return this.#reload();
      throw error;
    }
    if ((await identityOf(this.#file)) !== identity) return this.#reload();
    for (const entry of read.entries) this.#state.apply(entry);
    this.#journalEnd = read.end;
  }

  /** Reads the file and the whole journal (an old layout is migrated in memory; the next change migrates the file). */
  async #reload(): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const identity = await identityOf(this.#file);
      const db = new Low<LoadedFile>(this.#adapter, emptyLoaded());
      await db.read();
      const journal = await this.#journal.read(0);
      // Without the lock, a rewrite can land between the two reads; with it, never.
      if ((await identityOf(this.#file)) !== identity && attempt < 5) continue;
      const state = new Indexed(db.data);
      for (const entry of journal.entries) state.apply(entry);
      this.#state = state;
      this.#identity = identity;
      this.#fileBytes = identity === null ? 0 : Number(identity.split(':')[2]);
      this.#journalEnd = journal.end;
      return;
    }
  }

  /**
   * Under the lock, on data caught up with every other process: `plan`
   * checks the change (it may throw) and says what to append; the entry is
   * appended and flushed, then applied in memory, and the journal is folded
   * into the file when it has grown enough.
   */
  async #change<V>(plan: (state: Indexed) => { entry?: JournalEntry | undefined; value: V }, forceCompaction = false): Promise<V> {
    this.#assertOpen();
    return inProcessQueue(this.#file, async () => {
      await mkdir(dirname(this.#file), { recursive: true }).catch((error: unknown) => {
        throw new MentorStoreError(
          'STORE_UNWRITABLE',
          `Could not create the folder of the mentor store ${this.#file}: ${describeError(error)}.`,
          `Check that the mentor server can write there: ls -ld ${shellQuote(dirname(this.#file))}`,
          { cause: error },
        );
      });
      const release = await this.#lock();
      this.#writing++;
      try {
        await this.#catchUp();
        if (this.#state.loaded.version < MENTOR_FILE_VERSION) await this.#migrateLocked();
        const { entry, value } = plan(this.#state);
        if (forceCompaction) {
          await this.#compact(true);
          return value;
        }
        if (!entry) return value;
        this.#journalEnd = await this.#journal.append(entry, this.#journalEnd);
        this.#state.apply(entry);
        // A new store gets its file at once; then the journal is folded in at half the file's size.
        if (this.#identity === null || this.#journalEnd >= Math.max(this.#compactAtBytes, this.#fileBytes * this.#compactRatio))
          await this.#compact();
        return value;
      } finally {
        this.#writing--;
        await release();
      }
    });
  }

  /** Under the lock: rewrites the file with everything, then empties the journal. */
  async #compact(rethrow = false): Promise<void> {
    try {
      await new Low(this.#adapter, this.#state.loaded).write();
    } catch (error) {
      // After a change, it is acknowledged in the journal already; the next change tries again.
      this.#identity = undefined;
      if (rethrow) throw error;
      return;
    }
    this.#identity = await identityOf(this.#file);
    this.#fileBytes = this.#identity === null ? 0 : Number(this.#identity.split(':')[2]);
    await this.#journal.clear();
    this.#journalEnd = 0;
  }

  /** Under the lock: keeps the old file as `<file>.v<N>.bak` and writes the migrated data. */
  async #migrateLocked(): Promise<void> {
    const loaded = this.#state.loaded;
    const backup = await this.#backupName(loaded.version);
    try {
      await copyFile(this.#file, backup, fsConstants.COPYFILE_EXCL);
    } catch (error) {
      throw new MentorStoreError(
        'STORE_UNWRITABLE',
        `Could not keep a copy of the mentor store ${this.#file} before migrating it from layout ${loaded.version}: ${describeError(error)}. Nothing was changed.`,
        `Check that the mentor server can write to the folder: ls -ld ${shellQuote(dirname(this.#file))}`,
        { cause: error },
      );
    }
    this.#identity = undefined;
    await new Low(this.#adapter, loaded).write();
    loaded.version = MENTOR_FILE_VERSION;
    this.#identity = await identityOf(this.#file);
    this.#fileBytes = this.#identity === null ? 0 : Number(this.#identity.split(':')[2]);
    await this.#journal.clear();
    this.#journalEnd = 0;
  }

  /** `<file>.v<N>.bak`, or `<file>.v<N>.<k>.bak` when an earlier migration's copy is there. */
  async #backupName(version: number): Promise<string> {
    for (let k = 0; ; k++) {
      const name = k === 0 ? `${this.#file}.v${version}.bak` : `${this.#file}.v${version}.${k}.bak`;
      if ((await identityOf(name)) === null) return name;
    }
  }

  async #lock(): Promise<() => Promise<void>> {
    const deadline = Date.now() + this.#lockTimeoutMs;
    let delay = 10;
    for (;;) {
      try {
        const release = await lockfile.lock(this.#file, {
          realpath: false,
          stale: LOCK_STALE_MS,
          // The default throws from a timer and would crash the server. A lost
          // lock means another process may change things: read everything again.
          onCompromised: () => {
            this.#identity = undefined;
          },
        });
        return async () => {
          await release().catch(() => undefined);
        };
      } catch (error) {
        if (errorCode(error) !== 'ELOCKED') {
          throw new MentorStoreError(
            'STORE_UNWRITABLE',
            `Could not lock the mentor store ${this.#file}: ${describeError(error)}.`,
            `Check that the mentor server can write to its folder: ls -ld ${shellQuote(dirname(this.#file))}`,
            { cause: error },
          );
        }
        const left = deadline - Date.now();
        if (left <= 0) {
          throw new MentorStoreError(
            'STORE_LOCKED',
            `The mentor store ${this.#file} stayed locked by another process for ${Math.round(this.#lockTimeoutMs / 1000)} s (lock: ${this.#file}.lock).`,
            `Wait for the other mentor server or \`npm run mentor\` command to finish and try again. If none is running, remove the lock: rm -r ${shellQuote(`${this.#file}.lock`)}`,
            { cause: error },
          );
        }
        await sleep(Math.min(left, delay * (0.5 + Math.random())));
        delay = Math.min(delay * 1.5, 250);
      }
    }
  }

  #assertOpen(): void {
    if (this.#closed) {
      throw new MentorStoreError('STORE_CLOSED', `The mentor store ${this.#file} was closed.`, 'Open it again with openMentorStore().');
    }
  }
}

/** Merges lists that are each oldest first into one oldest-first list. */
function mergeSorted(lists: StoredAttempt[][]): StoredAttempt[] {
  const nonEmpty = lists.filter((l) => l.length > 0);
  if (nonEmpty.length === 0) return [];
  if (nonEmpty.length === 1) return [...nonEmpty[0]!];
  const all = nonEmpty.flat();
  // Sorting by a precomputed key is faster than a k-way merge in JS, and a stable sort keeps ties as they were.
  const keyed = all.map((a) => ({ a, t: Date.parse(a.attempt.finishedAt) }));
  keyed.sort(
    (x, y) => x.t - y.t || (x.a.attempt.attemptId < y.a.attempt.attemptId ? -1 : x.a.attempt.attemptId > y.a.attempt.attemptId ? 1 : 0),
  );
  return keyed.map((k) => k.a);
}

function emptyLoaded(): LoadedFile {
  const data = emptyMentorFile();
  return { data, version: data.version };
}

function publicLearner(record: LearnerRecord): Learner {
  return { id: record.id, cohortId: record.cohortId, name: record.name, createdAt: record.createdAt };
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): V[] {
  let list = map.get(key);
  if (!list) map.set(key, (list = []));
  list.push(value);
  return list;
}

function now(): string {
  return new Date().toISOString();
}

const queues = new Map<string, Promise<unknown>>();

// Changes from one process take turns here rather than on the lock file,
// where they would sleep in retry backoff waiting for each other.
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
