/**
 * The mentor store in PostgreSQL, for a mentor server with several replicas.
 *
 * The schema is created or migrated on open (`schema_migrations` records
 * each step; an advisory lock keeps two replicas from migrating at once).
 * Attempts are kept whole as JSONB, with the columns the queries need
 * beside them. `addAttempts` is one transaction: INSERT … ON CONFLICT DO
 * NOTHING, then the ids that were not inserted are classified against what
 * is stored (same learner and same content: a duplicate; otherwise a
 * conflict). Nothing stored is ever updated.
 */
import { randomUUID } from 'node:crypto';
import { AttemptResultSchema, type AttemptResult } from '@mlops-lab/grader';
import pg from 'pg';
import {
  emailKey,
  MentorStoreError,
  NewCohortSchema,
  NewLearnerSchema,
  NewMentorSchema,
  ReceivedAtSchema,
  refuseNulCharacter,
  sameJson,
  SessionSchema,
  summarizeAttempt,
  validInput,
  type AddAttemptsResult,
  type AttemptsOfOptions,
  type AttemptShape,
  type AttemptSummary,
  type Cohort,
  type Learner,
  type Mentor,
  type MentorStore,
  type Session,
  type StoredAttempt,
  type Verification,
  badBefore,
  tokenTaken,
  unknownCohort,
  unknownLearner,
  unknownMentor,
} from './types.ts';

/** One schema step. Never edit a released step: add the next one. */
interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'mentors, cohorts, learners, sessions, attempts',
    sql: `
      CREATE TABLE mentors (
        id uuid PRIMARY KEY,
        email text NOT NULL,
        email_key text NOT NULL UNIQUE,
        name text NOT NULL,
        password_hash text NOT NULL,
        created_at timestamptz NOT NULL
      );
      CREATE TABLE cohorts (
        seq bigint GENERATED ALWAYS AS IDENTITY,
        id uuid PRIMARY KEY,
        name text NOT NULL,
        mentor_id uuid NOT NULL REFERENCES mentors (id),
        created_at timestamptz NOT NULL
      );
      CREATE INDEX cohorts_mentor ON cohorts (mentor_id, seq);
      CREATE TABLE learners (
        seq bigint GENERATED ALWAYS AS IDENTITY,
        id uuid PRIMARY KEY,
        cohort_id uuid NOT NULL REFERENCES cohorts (id),
        name text NOT NULL,
        token_hash text NOT NULL UNIQUE,
        created_at timestamptz NOT NULL
      );
      CREATE INDEX learners_cohort ON learners (cohort_id, seq);
      CREATE TABLE sessions (
        id_hash text PRIMARY KEY,
        mentor_id uuid NOT NULL REFERENCES mentors (id) ON DELETE CASCADE,
        csrf_token text NOT NULL,
        expires_at timestamptz NOT NULL
      );
      CREATE INDEX sessions_expiry ON sessions (expires_at);
      CREATE TABLE attempts (
        attempt_id text COLLATE "C" PRIMARY KEY,
        learner_id uuid NOT NULL REFERENCES learners (id),
        lab_id text NOT NULL,
        status text NOT NULL,
        finished_at timestamptz NOT NULL,
        received_at timestamptz NOT NULL,
        verification text NOT NULL CHECK (verification IN ('self-reported', 're-verified')),
        attempt jsonb NOT NULL
      );
      CREATE INDEX attempts_learner_finished ON attempts (learner_id, finished_at, attempt_id);
      CREATE INDEX attempts_lab ON attempts (lab_id, status);
    `,
  },
  {
    version: 2,
    name: 'attempts.summary: what the cohort overview reads, beside the whole attempt',
    // json, not jsonb: the text is kept as written, so reading 200 000 of
    // them costs a copy instead of a JSONB-to-text conversion each.
    sql: `
      ALTER TABLE attempts ADD COLUMN summary json;
      UPDATE attempts SET summary = json_build_object(
        'lab', json_build_object('id', attempt->'lab'->'id', 'version', attempt->'lab'->'version'),
        'attemptId', attempt->'attemptId',
        'learner', attempt->'learner',
        'startedAt', attempt->'startedAt',
        'finishedAt', attempt->'finishedAt',
        'status', attempt->'status',
        'credit', attempt->'credit',
        'checks', coalesce(
          (SELECT json_agg(json_build_object('id', c->'id', 'status', c->'status') ORDER BY n)
           FROM jsonb_array_elements(attempt->'checks') WITH ORDINALITY AS t(c, n)),
          '[]'::json));
      ALTER TABLE attempts ALTER COLUMN summary SET NOT NULL;
    `,
  },
];

/** The schema version this code writes. */
export const SCHEMA_VERSION = MIGRATIONS.at(-1)!.version;

// Any number all replicas agree on: "mentor" in ASCII.
const MIGRATION_LOCK_KEY = 0x6d65_6e746f72;

export interface PostgresMentorStoreOptions {
  /** Connections in the pool. Default 10. */
  max?: number;
  /** How long to wait for a connection before STORE_UNREACHABLE. Default 5 000 ms. */
  connectTimeoutMs?: number;
}

/** See the top of this file. Open with {@link PostgresMentorStore.open}. */
export class PostgresMentorStore implements MentorStore {
  readonly kind = 'postgres' as const;
  readonly location: string;
  readonly #pool: pg.Pool;
  #closed = false;

  private constructor(pool: pg.Pool, location: string) {
    this.#pool = pool;
    this.location = location;
  }

  /** Connects, then creates or migrates the schema. STORE_UNREACHABLE when PostgreSQL does not answer. */
  static async open(url: string, options: PostgresMentorStoreOptions = {}): Promise<PostgresMentorStore> {
    const pool = new pg.Pool({
      connectionString: url,
      max: options.max ?? 10,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
      idleTimeoutMillis: 30_000,
    });
    // An idle connection that breaks (the server restarts) emits here; without
    // a listener it would crash the process. The next query reconnects.
    pool.on('error', () => undefined);
    const store = new PostgresMentorStore(pool, redactUrl(url));
    try {
      await store.#migrate();
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw error;
    }
    return store;
  }

  // -- mentors

  async createMentor(m: { email: string; name: string; passwordHash: string }): Promise<Mentor> {
    const input = validInput(NewMentorSchema, m, 'createMentor');
    const mentor: Mentor = { id: randomUUID(), email: input.email, name: input.name, passwordHash: input.passwordHash, createdAt: now() };
    const inserted = await this.#query(
      `INSERT INTO mentors (id, email, email_key, name, password_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (email_key) DO NOTHING RETURNING id`,
      [mentor.id, mentor.email, emailKey(mentor.email), mentor.name, mentor.passwordHash, mentor.createdAt],
    );
    if (inserted.rowCount === 0) {
      const taken = await this.mentorByEmail(input.email);
      throw new MentorStoreError(
        'MENTOR_EXISTS',
        `A mentor with the email ${input.email} already exists${taken ? ` (as ${taken.email})` : ''}.`,
        'Log in with that email, or pick another one.',
      );
    }
    return mentor;
  }

  async mentorByEmail(email: string): Promise<Mentor | undefined> {
    const { rows } = await this.#query(`SELECT * FROM mentors WHERE email_key = $1`, [emailKey(email)]);
    return rows[0] && mentorOf(rows[0]);
  }

  async mentorById(id: string): Promise<Mentor | undefined> {
    if (!isUuid(id)) return undefined;
    const { rows } = await this.#query(`SELECT * FROM mentors WHERE id = $1`, [id]);
    return rows[0] && mentorOf(rows[0]);
  }

  // -- cohorts and learners

  async createCohort(c: { name: string; mentorId: string }): Promise<Cohort> {
    const input = validInput(NewCohortSchema, c, 'createCohort');
    const cohort: Cohort = { id: randomUUID(), name: input.name, mentorId: input.mentorId, createdAt: now() };
    await this.#query(`INSERT INTO cohorts (id, name, mentor_id, created_at) VALUES ($1, $2, $3, $4)`, [
      cohort.id,
      cohort.name,
      cohort.mentorId,
      cohort.createdAt,
    ]).catch((error: unknown) => {
      throw pgCode(error) === FOREIGN_KEY_VIOLATION ? unknownMentor(input.mentorId) : error;
    });
    return cohort;
  }

  async cohortsOf(mentorId: string): Promise<Cohort[]> {
    if (!isUuid(mentorId)) return [];
    const { rows } = await this.#query(`SELECT * FROM cohorts WHERE mentor_id = $1 ORDER BY seq`, [mentorId]);
    return rows.map(cohortOf);
  }

  async cohortById(id: string): Promise<Cohort | undefined> {
    if (!isUuid(id)) return undefined;
    const { rows } = await this.#query(`SELECT * FROM cohorts WHERE id = $1`, [id]);
    return rows[0] && cohortOf(rows[0]);
  }

  async createLearner(l: { cohortId: string; name: string; tokenHash: string }): Promise<Learner> {
    const input = validInput(NewLearnerSchema, l, 'createLearner');
    const learner: Learner = { id: randomUUID(), cohortId: input.cohortId, name: input.name, createdAt: now() };
    await this.#query(`INSERT INTO learners (id, cohort_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4, $5)`, [
      learner.id,
      learner.cohortId,
      learner.name,
      input.tokenHash,
      learner.createdAt,
    ]).catch((error: unknown) => {
      if (pgCode(error) === FOREIGN_KEY_VIOLATION) {
        throw unknownCohort(input.cohortId);
      }
      if (pgCode(error) === UNIQUE_VIOLATION) throw tokenTaken();
      throw error;
    });
    return learner;
  }

  async learnerByTokenHash(tokenHash: string): Promise<Learner | undefined> {
    const { rows } = await this.#query(`SELECT id, cohort_id, name, created_at FROM learners WHERE token_hash = $1`, [tokenHash]);
    return rows[0] && learnerOf(rows[0]);
  }

  async learnerById(id: string): Promise<Learner | undefined> {
    if (!isUuid(id)) return undefined;
    const { rows } = await this.#query(`SELECT id, cohort_id, name, created_at FROM learners WHERE id = $1`, [id]);
    return rows[0] && learnerOf(rows[0]);
  }

  async learnersOf(cohortId: string): Promise<Learner[]> {
    if (!isUuid(cohortId)) return [];
    const { rows } = await this.#query(`SELECT id, cohort_id, name, created_at FROM learners WHERE cohort_id = $1 ORDER BY seq`, [
      cohortId,
    ]);
    return rows.map(learnerOf);
  }

  // -- sessions

  async createSession(s: Session): Promise<void> {
    const input = validInput(SessionSchema, s, 'createSession');
    await this.#transaction(async (client) => {
      // Expired sessions go now, so the table does not grow with every login.
      await client.query(`DELETE FROM sessions WHERE expires_at <= now()`);
      await client
        .query(
          `INSERT INTO sessions (id_hash, mentor_id, csrf_token, expires_at) VALUES ($1, $2, $3, $4)
           ON CONFLICT (id_hash) DO UPDATE SET mentor_id = excluded.mentor_id, csrf_token = excluded.csrf_token, expires_at = excluded.expires_at`,
          [input.idHash, input.mentorId, input.csrfToken, input.expiresAt],
        )
        .catch((error: unknown) => {
          throw pgCode(error) === FOREIGN_KEY_VIOLATION ? unknownMentor(input.mentorId) : error;
        });
    });
  }

  async sessionByIdHash(idHash: string): Promise<Session | undefined> {
    const { rows } = await this.#query(`SELECT * FROM sessions WHERE id_hash = $1 AND expires_at > now()`, [idHash]);
    const row = rows[0];
    return (
      row && {
        idHash: String(row.id_hash),
        mentorId: String(row.mentor_id),
        csrfToken: String(row.csrf_token),
        expiresAt: iso(row.expires_at),
      }
    );
  }

  async deleteSession(idHash: string): Promise<void> {
    await this.#query(`DELETE FROM sessions WHERE id_hash = $1`, [idHash]);
  }

  // -- attempts

  async addAttempts(learnerId: string, attempts: AttemptResult[], receivedAt: string): Promise<AddAttemptsResult> {
    const received = new Date(validInput(ReceivedAtSchema, receivedAt, 'addAttempts receivedAt')).toISOString();
    attempts.forEach((a, i) => {
      validInput(AttemptResultSchema, a, `addAttempts attempts[${i}]`);
      refuseNulCharacter(a, `addAttempts attempts[${i}]`);
    });
    if (!isUuid(learnerId)) throw unknownLearner(learnerId);
    return this.#transaction(async (client) => {
      const learner = await client.query(`SELECT 1 FROM learners WHERE id = $1`, [learnerId]);
      if (learner.rowCount === 0) throw unknownLearner(learnerId);
      const result: AddAttemptsResult = { accepted: [], duplicates: [], conflicts: [] };
      if (attempts.length === 0) return result;
      const inserted = await client.query<{ attempt_id: string }>(
        `INSERT INTO attempts (attempt_id, learner_id, lab_id, status, finished_at, received_at, verification, attempt, summary)
         SELECT a.id, $1, a.lab, a.status, a.finished, $2, 'self-reported', a.body, a.summary
         FROM unnest($3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::jsonb[], $8::json[])
           WITH ORDINALITY AS a(id, lab, status, finished, body, summary, n)
         ORDER BY a.n
         ON CONFLICT (attempt_id) DO NOTHING
         RETURNING attempt_id`,
        [
          learnerId,
          received,
          attempts.map((a) => a.attemptId),
          attempts.map((a) => a.lab.id),
          attempts.map((a) => a.status),
          attempts.map((a) => a.finishedAt),
          attempts.map((a) => JSON.stringify(a)),
          attempts.map((a) => JSON.stringify(summarizeAttempt(a))),
        ],
      );
      const fresh = new Set(inserted.rows.map((r) => r.attempt_id));
      const counts = new Map<string, number>();
      for (const a of attempts) counts.set(a.attemptId, (counts.get(a.attemptId) ?? 0) + 1);
      const others = attempts.filter((a) => !fresh.has(a.attemptId) || counts.get(a.attemptId)! > 1);
      const stored = new Map<string, { learner_id: string; attempt: unknown }>();
      if (others.length > 0) {
        const { rows } = await client.query<{ attempt_id: string; learner_id: string; attempt: unknown }>(
          `SELECT attempt_id, learner_id, attempt FROM attempts WHERE attempt_id = ANY($1::text[])`,
          [[...new Set(others.map((a) => a.attemptId))]],
        );
        for (const row of rows) stored.set(row.attempt_id, row);
      }
      const seen = new Set<string>();
      for (const attempt of attempts) {
        const id = attempt.attemptId;
        if (fresh.has(id) && !seen.has(id)) {
          result.accepted.push(id);
        } else {
          const row = stored.get(id);
          const same = row !== undefined && row.learner_id === learnerId && sameJson(row.attempt, JSON.parse(JSON.stringify(attempt)));
          (same ? result.duplicates : result.conflicts).push(id);
        }
        seen.add(id);
      }
      return result;
    });
  }

  async attemptsOf(learnerId: string, options: AttemptsOfOptions = {}): Promise<StoredAttempt[]> {
    if (!isUuid(learnerId)) return [];
    if (options.before !== undefined && Number.isNaN(Date.parse(options.before))) throw badBefore(options.before);
    const { rows } = await this.#query(
      `SELECT learner_id, received_at, verification, attempt FROM attempts
       WHERE learner_id = $1 AND ($2::timestamptz IS NULL OR finished_at < $2)
       ORDER BY finished_at DESC, attempt_id DESC
       LIMIT $3`,
      [learnerId, options.before === undefined ? null : new Date(options.before).toISOString(), options.limit ?? null],
    );
    return rows.map(storedOf);
  }

  async cohortAttempts(cohortId: string): Promise<StoredAttempt[]> {
    if (!isUuid(cohortId)) return [];
    const { rows } = await this.#query(
      `SELECT a.learner_id, a.received_at, a.verification, a.attempt FROM attempts a
       JOIN learners l ON l.id = a.learner_id
       WHERE l.cohort_id = $1
       ORDER BY a.finished_at, a.attempt_id`,
      [cohortId],
    );
    return rows.map(storedOf);
  }

  async cohortSummaries(cohortId: string): Promise<AttemptSummary[]> {
    if (!isUuid(cohortId)) return [];
    // Rows as arrays and receivedAt formatted by PostgreSQL as toISOString() would: at 200 000 rows,
    // a Date parsed and formatted again for each row is a fifth of the time.
    const { rows } = await this.#query(
      `SELECT a.learner_id::text, to_char(a.received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), a.verification, a.summary
       FROM learners l JOIN attempts a ON a.learner_id = l.id
       WHERE l.cohort_id = $1
       ORDER BY l.seq, a.finished_at, a.attempt_id`,
      [cohortId],
      'array',
    );
    return (rows as unknown as [string, string, Verification, AttemptShape][]).map(
      ([learnerId, receivedAt, verification, attempt]): AttemptSummary => ({ learnerId, receivedAt, verification, attempt }),
    );
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.end();
  }

  // -- internals

  async #migrate(): Promise<void> {
    await this.#transaction(async (client) => {
      await client.query(`SELECT pg_advisory_xact_lock($1)`, [MIGRATION_LOCK_KEY]);
      await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version integer PRIMARY KEY,
        name text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
      const { rows } = await client.query<{ version: number }>(`SELECT coalesce(max(version), 0) AS version FROM schema_migrations`);
      const current = Number(rows[0]?.version ?? 0);
      if (current > SCHEMA_VERSION) {
        throw new MentorStoreError(
          'STORE_TOO_NEW',
          `The mentor database ${this.location} has schema version ${current}; this mlops-lab understands up to version ${SCHEMA_VERSION}. Nothing was changed.`,
          'Update mlops-lab on this server (git pull && npm install) to the version the other replicas run, and start it again.',
        );
      }
      for (const m of MIGRATIONS) {
        if (m.version <= current) continue;
        await client.query(m.sql);
        await client.query(`INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, [m.version, m.name]);
      }
    });
  }

  async #query(text: string, values: unknown[] = [], rowMode?: 'array'): Promise<pg.QueryResult> {
    this.#assertOpen();
    try {
      return rowMode ? await this.#pool.query({ text, values, rowMode }) : await this.#pool.query(text, values);
    } catch (error) {
      throw this.#translate(error);
    }
  }

  async #transaction<V>(work: (client: pg.PoolClient) => Promise<V>): Promise<V> {
    this.#assertOpen();
    let client: pg.PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (error) {
      throw this.#translate(error);
    }
    let broken = false;
    try {
      await client.query('BEGIN');
      const value = await work(client);
      await client.query('COMMIT');
      return value;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      throw this.#translate(error);
    } finally {
      client.release(broken);
    }
  }

  /** Connection failures become STORE_UNREACHABLE naming the URL without its password. */
  #translate(error: unknown): unknown {
    if (error instanceof MentorStoreError) return error;
    if (isConnectionError(error)) {
      return new MentorStoreError(
        'STORE_UNREACHABLE',
        `PostgreSQL at ${this.location} did not answer: ${error instanceof Error ? error.message : String(error)}.`,
        'Check that PostgreSQL is running and reachable (pg_isready -d "<url>"), and that MLOPS_LAB_MENTOR_STORE names the right host, port, database and user.',
        { cause: error },
      );
    }
    return error;
  }

  #assertOpen(): void {
    if (this.#closed) {
      throw new MentorStoreError('STORE_CLOSED', `The mentor store ${this.location} was closed.`, 'Open it again with openMentorStore().');
    }
  }
}

const FOREIGN_KEY_VIOLATION = '23503';
const UNIQUE_VIOLATION = '23505';

function pgCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Network errors, and PostgreSQL's connection (08), shutdown (57P0x) and login (28) classes. */
function isConnectionError(error: unknown): boolean {
  const code = pgCode(error);
  if (code && /^(ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENOENT|EPIPE)$/.test(code)) return true;
  if (code && (/^08/.test(code) || /^57P0[1-3]$/.test(code) || /^28/.test(code) || code === '3D000')) return true;
  const message = error instanceof Error ? error.message : '';
  return /connection terminated|timeout exceeded when trying to connect|Connection terminated unexpectedly|Client has encountered a connection error/i.test(
    message,
  );
}

/** The URL with its password replaced by `***` (for messages and logs). */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    parsed.searchParams.forEach((_, key) => {
      if (/pass/i.test(key)) parsed.searchParams.set(key, '***');
    });
    return parsed.toString();
  } catch {
    return url.replace(/(\/\/[^:/@]*:)[^@]*@/, '$1***@');
  }
}

function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}

function iso(value: unknown): string {
  return value instanceof Date ? value.toISOString() : new Date(String(value)).toISOString();
}

function now(): string {
  return new Date().toISOString();
}

type Row = Record<string, unknown>;

function mentorOf(row: Row): Mentor {
  return {
    id: String(row.id),
    email: String(row.email),
    name: String(row.name),
    passwordHash: String(row.password_hash),
    createdAt: iso(row.created_at),
  };
}

function cohortOf(row: Row): Cohort {
  return { id: String(row.id), name: String(row.name), mentorId: String(row.mentor_id), createdAt: iso(row.created_at) };
}

function learnerOf(row: Row): Learner {
  return { id: String(row.id), cohortId: String(row.cohort_id), name: String(row.name), createdAt: iso(row.created_at) };
}

function storedOf(row: Row): StoredAttempt {
  return {
    learnerId: String(row.learner_id),
    receivedAt: iso(row.received_at),
    verification: row.verification as Verification,
    attempt: row.attempt as AttemptResult,
  };
}
