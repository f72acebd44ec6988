/**
 * The mentor store: what the mentor server keeps (mentors, cohorts,
 * learners, sessions, synced attempts) behind one interface with two
 * implementations, a lowdb JSON file (`lowdb.ts`, the default) and
 * PostgreSQL (`postgres.ts`, for several replicas). See ../CONTRACT.md.
 */
import { AttemptResultSchema, MlopsLabError, type AttemptResult, type CheckResult, type ErrorKind } from '@mlops-lab/grader';
import { z } from 'zod';

// ---------------------------------------------------------------------------
// Records

const isoTime = () => z.iso.datetime({ offset: true });
const sha256Hex = () => z.string().regex(/^[0-9a-f]{64}$/, 'expected a lowercase sha256 hex digest (64 characters)');

export const MentorSchema = z
  .object({
    /** Mentor id (UUID), assigned by the store. */
    id: z.uuid().describe('Mentor id (UUID), assigned by the store.'),
    /** Login email as the mentor typed it; unique ignoring case. */
    email: z.string().min(3).describe('Login email as typed; unique ignoring case.'),
    /** Display name. */
    name: z.string().min(1).describe('Display name.'),
    /** scrypt hash made by the server (`scrypt$<salt>$<hash>` or similar); the store never sees a password. */
    passwordHash: z.string().min(1).describe('Password hash made by the server; the store never sees a password.'),
    /** ISO 8601 UTC time the mentor was created. */
    createdAt: isoTime().describe('When the mentor was created (ISO 8601 UTC).'),
  })
  .strict();
/** A mentor who logs in to see cohorts. */
export type Mentor = z.infer<typeof MentorSchema>;

export const CohortSchema = z
  .object({
    /** Cohort id (UUID), assigned by the store. */
    id: z.uuid().describe('Cohort id (UUID), assigned by the store.'),
    /** Display name, e.g. `Spring 2027`. */
    name: z.string().min(1).describe('Display name of the cohort.'),
    /** The mentor who owns the cohort. */
    mentorId: z.uuid().describe('Id of the mentor who owns the cohort.'),
    /** ISO 8601 UTC time the cohort was created. */
    createdAt: isoTime().describe('When the cohort was created (ISO 8601 UTC).'),
  })
  .strict();
/** A group of learners followed by one mentor. */
export type Cohort = z.infer<typeof CohortSchema>;

export const LearnerSchema = z
  .object({
    /** Learner id (UUID), assigned by the store. */
    id: z.uuid().describe('Learner id (UUID), assigned by the store.'),
    /** The cohort the learner belongs to. */
    cohortId: z.uuid().describe('Id of the cohort the learner belongs to.'),
    /** Display name. */
    name: z.string().min(1).describe('Display name of the learner.'),
    /** ISO 8601 UTC time the learner was created. */
    createdAt: isoTime().describe('When the learner was created (ISO 8601 UTC).'),
  })
  .strict();
/** A learner as the server hands it out (no token hash). */
export type Learner = z.infer<typeof LearnerSchema>;

export const LearnerRecordSchema = LearnerSchema.extend({
  /** sha256 hex of the learner's sync token; the token itself is shown once and never stored. Unique. */
  tokenHash: sha256Hex().describe("sha256 hex of the learner's sync token (the token is never stored). Unique."),
}).strict();
/** A learner as stored, with the hash of its sync token. */
export type LearnerRecord = z.infer<typeof LearnerRecordSchema>;

export const SessionSchema = z
  .object({
    /** sha256 hex of the session cookie's value; the value itself is never stored. */
    idHash: sha256Hex().describe("sha256 hex of the session cookie's value."),
    /** The mentor logged in by this session. */
    mentorId: z.uuid().describe('Id of the mentor logged in by this session.'),
    /** The value every POST must send in `X-CSRF-Token`. */
    csrfToken: z.string().min(16).describe('The value every POST must send in X-CSRF-Token.'),
    /** ISO 8601 UTC time after which the session no longer counts. */
    expiresAt: isoTime().describe('When the session stops counting (ISO 8601 UTC).'),
  })
  .strict();
/** A mentor's login session. */
export type Session = z.infer<typeof SessionSchema>;

export const VerificationSchema = z
  .enum(['self-reported', 're-verified'])
  .describe("self-reported: graded on the learner's machine and synced. re-verified: the server re-ran the checks itself.");
export type Verification = z.infer<typeof VerificationSchema>;

export const StoredAttemptSchema = z
  .object({
    /** The learner whose token synced the attempt. */
    learnerId: z.uuid().describe('Id of the learner whose token synced the attempt.'),
    /** ISO 8601 UTC time the server received the attempt; what counts for activity. */
    receivedAt: isoTime().describe('When the server received the attempt (ISO 8601 UTC).'),
    /** Whether the server re-ran the checks. Synced attempts are `self-reported`. */
    verification: VerificationSchema,
    /** The attempt exactly as the learner's grader wrote it. */
    attempt: AttemptResultSchema,
  })
  .strict();
/** An attempt as the mentor store keeps it. */
export interface StoredAttempt {
  learnerId: string;
  receivedAt: string;
  verification: Verification;
  attempt: AttemptResult;
}

/**
 * An attempt reduced to what the cohort overview reads: the readiness model
 * (lab, status, credit, times, learner, and check ids with their statuses
 * for the capstone's milestones) and the stuck rules (the failing check
 * ids). No check messages, expected/actual, hints or figures: a summary is
 * a few hundred bytes where the attempt is a few kilobytes.
 */
export interface AttemptShape {
  lab: { id: string; version: string };
  attemptId: string;
  learner: string;
  startedAt: string;
  finishedAt: string;
  status: AttemptResult['status'];
  credit: AttemptResult['credit'];
  /** Every check of the attempt, in the attempt's order. */
  checks: Pick<CheckResult, 'id' | 'status'>[];
}

/** A stored attempt with its attempt reduced to an {@link AttemptShape}. A StoredAttempt is one. */
export interface AttemptSummary {
  learnerId: string;
  receivedAt: string;
  verification: Verification;
  attempt: AttemptShape;
}

/** The summary of a stored attempt: the same values, nothing else (the stores' summaries equal this). */
export function summarize(stored: StoredAttempt): AttemptSummary {
  return {
    learnerId: stored.learnerId,
    receivedAt: stored.receivedAt,
    verification: stored.verification,
    attempt: summarizeAttempt(stored.attempt),
  };
}

/** The attempt part of {@link summarize}. */
export function summarizeAttempt(a: AttemptResult): AttemptShape {
  return {
    lab: { id: a.lab.id, version: a.lab.version },
    attemptId: a.attemptId,
    learner: a.learner,
    startedAt: a.startedAt,
    finishedAt: a.finishedAt,
    status: a.status,
    credit: a.credit,
    checks: a.checks.map((c) => ({ id: c.id, status: c.status })),
  };
}

/** What `addAttempts` did with each attempt id it was given. */
export interface AddAttemptsResult {
  /** Stored now. */
  accepted: string[];
  /** Already stored for this learner with the same content: nothing changed (a replay). */
  duplicates: string[];
  /** Stored for another learner, or with other content: refused, nothing overwritten. */
  conflicts: string[];
}

/** Options of {@link MentorStore.attemptsOf}. */
export interface AttemptsOfOptions {
  /** At most this many attempts (the newest). Default: all. */
  limit?: number;
  /** Only attempts that finished strictly before this ISO 8601 time (paging: the `finishedAt` of the last one seen). */
  before?: string;
}

// ---------------------------------------------------------------------------
// The interface

export interface MentorStore {
  /** Which implementation this is. */
  readonly kind: 'lowdb' | 'postgres';
  /** Where the store lives: the absolute file path, or the URL without its password. */
  readonly location: string;

  /** Creates a mentor. MENTOR_EXISTS when the email is taken, ignoring case. */
  createMentor(m: { email: string; name: string; passwordHash: string }): Promise<Mentor>;
  /** The mentor with this email, ignoring case. */
  mentorByEmail(email: string): Promise<Mentor | undefined>;
  mentorById(id: string): Promise<Mentor | undefined>;

  /** Creates a cohort. MENTOR_UNKNOWN when the mentor does not exist. */
  createCohort(c: { name: string; mentorId: string }): Promise<Cohort>;
  /** The mentor's cohorts, in creation order. */
  cohortsOf(mentorId: string): Promise<Cohort[]>;
  cohortById(id: string): Promise<Cohort | undefined>;

  /** Creates a learner. COHORT_UNKNOWN when the cohort does not exist; TOKEN_EXISTS when the token hash is taken. */
  createLearner(l: { cohortId: string; name: string; tokenHash: string }): Promise<Learner>;
  /** The learner whose token hashes to `tokenHash` (sha256 hex). */
  learnerByTokenHash(tokenHash: string): Promise<Learner | undefined>;
  learnerById(id: string): Promise<Learner | undefined>;
  /** The cohort's learners, in creation order. */
  learnersOf(cohortId: string): Promise<Learner[]>;

  /** Stores a session. MENTOR_UNKNOWN when the mentor does not exist. */
  createSession(s: Session): Promise<void>;
  /** The session, or undefined once it expired (or never existed). */
  sessionByIdHash(idHash: string): Promise<Session | undefined>;
  deleteSession(idHash: string): Promise<void>;

  /**
   * Stores attempts for a learner, idempotent by attemptId, all or nothing.
   * LEARNER_UNKNOWN when the learner does not exist. Every id given lands in
   * exactly one of accepted, duplicates, conflicts; nothing stored is ever
   * overwritten.
   */
  addAttempts(learnerId: string, attempts: AttemptResult[], receivedAt: string): Promise<AddAttemptsResult>;
  /** The learner's attempts, newest first (by finishedAt, then attemptId). */
  attemptsOf(learnerId: string, options?: AttemptsOfOptions): Promise<StoredAttempt[]>;
  /** Every attempt of the cohort's learners, oldest first (by finishedAt, then attemptId). */
  cohortAttempts(cohortId: string): Promise<StoredAttempt[]>;
  /**
   * The summary ({@link summarize}) of every attempt of the cohort's
   * learners: what the cohort overview needs, a fraction of the bytes.
   * Grouped by learner in the cohort's order (learnersOf), each learner's
   * oldest first (by finishedAt, then attemptId).
   */
  cohortSummaries(cohortId: string): Promise<AttemptSummary[]>;

  /** Releases the file handles or connections. The store cannot be used afterwards. */
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------
// Errors

/** Stable codes of {@link MentorStoreError}. */
export type MentorStoreErrorCode =
  /** createMentor: the email is taken (ignoring case). 409 for the API. */
  | 'MENTOR_EXISTS'
  /** createCohort, createSession: no mentor with that id. */
  | 'MENTOR_UNKNOWN'
  /** createLearner: no cohort with that id. */
  | 'COHORT_UNKNOWN'
  /** addAttempts: no learner with that id. */
  | 'LEARNER_UNKNOWN'
  /** createLearner: another learner has the same token hash. */
  | 'TOKEN_EXISTS'
  /** A field given to the store is not valid (not an email, a bad time, a bad hash). */
  | 'STORE_INPUT_INVALID'
  /** The file is not valid JSON or not a mentor store. Left untouched. */
  | 'STORE_CORRUPT'
  /** The file or database was written by a newer mlops-lab. Left untouched. */
  | 'STORE_TOO_NEW'
  /** The file is too large to read in one piece. */
  | 'STORE_TOO_LARGE'
  /** The file could not be read. */
  | 'STORE_UNREADABLE'
  /** The file could not be written (disk full, permissions). */
  | 'STORE_UNWRITABLE'
  /** Another process held the file's lock too long. */
  | 'STORE_LOCKED'
  /** PostgreSQL did not answer (down, wrong host or port, refused login). */
  | 'STORE_UNREACHABLE'
  /** The URL given to openMentorStore is neither a file path nor a postgres:// URL. */
  | 'STORE_URL_INVALID'
  /** The store was used after close(). */
  | 'STORE_CLOSED';

// The server maps `kind` to an HTTP status: usage -> 400, environment -> 503, store -> 500.
const KIND_BY_CODE: Record<MentorStoreErrorCode, ErrorKind> = {
  MENTOR_EXISTS: 'usage',
  MENTOR_UNKNOWN: 'usage',
  COHORT_UNKNOWN: 'usage',
  LEARNER_UNKNOWN: 'usage',
  TOKEN_EXISTS: 'usage',
  STORE_INPUT_INVALID: 'usage',
  STORE_URL_INVALID: 'usage',
  STORE_CORRUPT: 'store',
  STORE_TOO_NEW: 'store',
  STORE_TOO_LARGE: 'store',
  STORE_UNREADABLE: 'store',
  STORE_UNWRITABLE: 'store',
  STORE_CLOSED: 'internal',
  STORE_LOCKED: 'environment',
  STORE_UNREACHABLE: 'environment',
};

/** An error of the mentor store: a stable code, a message naming the file or URL, and a next step. */
export class MentorStoreError extends MlopsLabError {
  declare readonly code: MentorStoreErrorCode;

  constructor(code: MentorStoreErrorCode, message: string, nextStep?: string, options?: ErrorOptions) {
    super(code, KIND_BY_CODE[code], message, nextStep, options);
  }
}

// ---------------------------------------------------------------------------
// Helpers both implementations share

/** The key an email is unique by. */
export function emailKey(email: string): string {
  return email.trim().toLowerCase();
}

/** Orders attempts oldest first: by finishedAt as an instant, then by attemptId. */
export function compareOldestFirst(a: StoredAttempt, b: StoredAttempt): number {
  const ta = Date.parse(a.attempt.finishedAt);
  const tb = Date.parse(b.attempt.finishedAt);
  if (ta !== tb) return ta - tb;
  return a.attempt.attemptId < b.attempt.attemptId ? -1 : a.attempt.attemptId > b.attempt.attemptId ? 1 : 0;
}

/** Same JSON value, ignoring the order of object keys (PostgreSQL's JSONB reorders them). */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => sameJson(item, b[i]));
  }
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const keysA = Object.keys(ra).filter((k) => ra[k] !== undefined);
  const keysB = Object.keys(rb).filter((k) => rb[k] !== undefined);
  return keysA.length === keysB.length && keysA.every((k) => Object.hasOwn(rb, k) && sameJson(ra[k], rb[k]));
}

/**
 * The path of the first string (or object key) in `value` that holds a NUL
 * character (U+0000), or undefined when there is none. PostgreSQL's JSONB
 * and text cannot hold one, so the stores refuse such an attempt.
 */
export function nulCharacterPath(value: unknown): string | undefined {
  const path = nulCharacterAt(value);
  return path === undefined ? undefined : path.length > 0 ? path.join('.') : '(value)';
}

// The path is built on the way back, so a value without NUL costs no allocation.
function nulCharacterAt(value: unknown): (string | number)[] | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? [] : undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const inner = nulCharacterAt(value[i]);
      if (inner) return [i, ...inner];
    }
    return undefined;
  }
  if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      if (key.includes('\u0000')) return [key];
      const inner = nulCharacterAt(item);
      if (inner) return [key, ...inner];
    }
  }
  return undefined;
}

/** STORE_INPUT_INVALID naming the field when `value` holds a NUL character (see {@link nulCharacterPath}). */
export function refuseNulCharacter(value: unknown, what: string): void {
  const field = nulCharacterPath(value);
  if (field === undefined) return;
  throw new MentorStoreError(
    'STORE_INPUT_INVALID',
    `${what}: ${field}: holds a NUL character (U+0000), which the mentor store cannot keep.`,
    'Remove the NUL character from that field; the grader never writes one.',
  );
}

/** Checks a value the store is given, naming the field when it is bad. */
export function validInput<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.join('.') : '(value)';
  throw new MentorStoreError(
    'STORE_INPUT_INVALID',
    `${what}: ${field}: ${issue?.message ?? 'invalid'}.`,
    `Pass a valid ${field}; see site/server/mentor/store/types.ts.`,
  );
}

/** Input schemas of the create calls (the store assigns ids and times). */
export const NewMentorSchema = MentorSchema.pick({ email: true, name: true, passwordHash: true }).extend({
  email: z
    .string()
    .trim()
    .min(3)
    .regex(/^[^\s@]+@[^\s@]+$/, 'expected an email address such as ada@example.org'),
});
export const NewCohortSchema = CohortSchema.pick({ name: true, mentorId: true });
export const NewLearnerSchema = LearnerRecordSchema.pick({ cohortId: true, name: true, tokenHash: true });
export const ReceivedAtSchema = isoTime();

// Errors both implementations raise with the same words.

export function unknownMentor(id: string): MentorStoreError {
  return new MentorStoreError('MENTOR_UNKNOWN', `No mentor has the id ${id}.`, 'Log in again; the mentor may have been removed.');
}

export function unknownLearner(id: string): MentorStoreError {
  return new MentorStoreError(
    'LEARNER_UNKNOWN',
    `No learner has the id ${id}; the attempts were not stored.`,
    'Ask the mentor for a new sync token (npm run mentor -- add-learner).',
  );
}

export function unknownCohort(id: string): MentorStoreError {
  return new MentorStoreError(
    'COHORT_UNKNOWN',
    `No cohort has the id ${id}.`,
    'Create the cohort first, or pick one of the mentor’s cohorts.',
  );
}

export function tokenTaken(): MentorStoreError {
  return new MentorStoreError(
    'TOKEN_EXISTS',
    'Another learner already has this token hash.',
    'Generate a new random token for the learner and try again.',
  );
}

export function badBefore(before: unknown): MentorStoreError {
  return new MentorStoreError(
    'STORE_INPUT_INVALID',
    `attemptsOf before: ${JSON.stringify(before)} is not an ISO 8601 time.`,
    'Pass the finishedAt of the last attempt seen, such as 2026-11-22T08:00:00.000Z.',
  );
}
