/**
 * node --max-old-space-size=8192 site/bench/mentor.ts [--learners 500] [--labs 40] [--attempts 10] [--runs 20] [--write]
 *
 * The mentor store at cohort scale, lowdb against PostgreSQL, same data,
 * same machine:
 *   - seed: a mentor, a cohort of --learners learners (default 500) with
 *     --attempts attempts (10) at each of --labs labs (40; the real catalogue's
 *     labs and check arrays, cycled when it has fewer), so 200 000 attempts,
 *     plus a cohort of 30 learners with the same per-learner history. lowdb
 *     gets the file written in one go (the file's open time is measured);
 *     PostgreSQL gets it through addAttempts, one learner's history per call,
 *     and that load's throughput is reported too;
 *   - sync throughput: --batches (20) calls of addAttempts with 500 new
 *     attempts each (one learner per call, as POST /api/sync sends them) on
 *     top of the seeded store; attempts/s per call, median; then the same
 *     batches replayed (all duplicates). lowdb appends a sync to its journal
 *     and rewrites the whole file only when the journal reaches half the
 *     file's size, so one rewrite is timed too and the rate with rewrites
 *     spread over the attempts that cause them is reported beside it;
 *   - cohort dashboard reads: cohortSummaries (what the overview reads: per
 *     attempt its lab, status, credit, times and check ids with statuses)
 *     for the 30-learner cohort and the 500-learner cohort, --runs times
 *     each after one unmeasured call, median and p95; cohortAttempts (every
 *     attempt whole, what the overview read before) beside it, at most 5
 *     times, for comparison. PostgreSQL's bytes per read of each are
 *     reported (the JSON text it sends);
 *   - over HTTP (unless --skip-http), the real lab server in mentor mode
 *     over each store: POST /api/sync with 500 new attempts per request
 *     (attempts/s, median), GET /api/mentor/cohorts/:id for both cohorts
 *     (the first call, which computes every learner's readiness, then
 *     --runs calls: median, p95), and, when site/dist holds the mentor
 *     pages and Chromium runs (unless --skip-page), /mentor/cohort/ loaded
 *     cold until its heatmap shows (median of --page-runs).
 * PostgreSQL runs with fsync on (lowdb fsyncs every write too), from
 * grader/test-support/postgres.ts. The seed's attempts are made again from
 * a seeded sequence whenever a store needs them, never held twice. Peak
 * memory at the default size is about 5 GB (the lowdb store holds every
 * attempt in memory; hence --max-old-space-size).
 * Prints a table; --write replaces the section between
 * <!-- bench:mentor-store:start --> and <!-- bench:mentor-store:end --> in BENCHMARKS.md.
 * Exit codes: 0 done, 1 a measurement failed, 2 usage, 3 PostgreSQL missing (use --skip-postgres).
 */
import { randomUUID, createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { cpus, release, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { getHeapStatistics } from 'node:v8';
import { loadAllLabs, type AttemptResult } from '@mlops-lab/grader';
import pg from 'pg';
import { BenchExit, errorText, parseRuns, runBench, writeBenchmarkSection } from '../../grader/bench/benchmarks-file.ts';
import { probePostgres, startPostgres, type PostgresServer } from '../../grader/test-support/postgres.ts';
import { makeAttempt, SAMPLE_LAB, type LabShape } from '../server/mentor/store/__fixtures__/attempts.ts';
import { LowdbMentorStore } from '../server/mentor/store/lowdb.ts';
import { MentorFileAdapter } from '../server/mentor/store/lowdb/file.ts';
import { emptyMentorFile } from '../server/mentor/store/lowdb/layout.ts';
import { PostgresMentorStore } from '../server/mentor/store/postgres.ts';
import type { Cohort, LearnerRecord, Mentor, MentorStore } from '../server/mentor/store/types.ts';

const SECTION = 'mentor-store';
const MIN_RUNS_FOR_WRITE = 10;
const SMALL_COHORT = 30;
/** cohortAttempts is only the comparison: a few calls are enough (each sends every attempt whole). */
const WHOLE_RUNS = 5;
const BATCH = 500;
const DAY = 86_400_000;

const SITE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const MENTOR_PASSWORD = 'bench password, not secret';
// Cheap scrypt parameters: the hash carries them, so the server's real verification runs, just faster.
const BENCH_SCRYPT = { N: 2 ** 10, r: 8, p: 1, keyLength: 32 } as const;

const log = (line: string) => process.stderr.write(`${line}\n`);
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

interface Options {
  learners: number;
  labs: number;
  attempts: number;
  batches: number;
  runs: number;
  pageRuns: number;
  write: boolean;
  postgres: boolean;
  http: boolean;
  page: boolean;
}

/** What both stores are seeded with: ids fixed up front so both hold the same rows. */
interface Seed {
  mentor: Mentor;
  large: Cohort;
  small: Cohort;
  learners: LearnerRecord[];
  /** Each learner's sync token (the store holds its sha256). */
  tokens: Map<string, string>;
  /**
   * A learner's history, oldest first, made again on each call (same ids,
   * same content): holding 200 000 attempts twice, once here and once in
   * the store under test, would measure the heap, not the store.
   */
  history(learnerId: string): AttemptResult[];
  total: number;
  /** Attempts of the small cohort's learners. */
  smallRows: number;
  labs: LabShape[];
  realLabs: boolean;
}

interface StoreFigures {
  kind: 'lowdb' | 'postgres';
  /** lowdb: ms to write the seeded file in one go; postgres: ms to load it through addAttempts. */
  seedMs: number;
  seedRate?: number;
  openMs: number;
  fileBytes?: number;
  /** lowdb: one rewrite of the whole file (what folding the journal in costs). */
  compactMs?: number;
  /** lowdb: the sync rate with those rewrites spread over the attempts that cause them. */
  amortizedRate?: number;
  syncRates: number[];
  syncMs: number[];
  replayRates: number[];
  /** cohortSummaries per call. */
  summarySmallMs: number[];
  summaryLargeMs: number[];
  /** cohortAttempts per call. */
  wholeSmallMs: number[];
  wholeLargeMs: number[];
  smallRows: number;
  largeRows: number;
  /** PostgreSQL: the JSON text of the large cohort's attempts and of their summaries, in bytes. */
  wholeBytes?: number;
  summaryBytes?: number;
  http?: HttpFigures;
}

interface HttpFigures {
  /** Why the HTTP figures are missing, when they are. */
  skipped?: string;
  syncRates: number[];
  syncMs: number[];
  /** The first GET of each cohort: every learner's readiness computed (or recomputed after the syncs). */
  smallFirstMs?: number;
  largeFirstMs?: number;
  smallMs: number[];
  largeMs: number[];
  page?: { skipped?: string; smallMs: number[]; largeMs: number[] };
}

async function main(): Promise<number> {
  const options = parseOptions();
  if (!options) return 0;
  const heapGiB = getHeapStatistics().heap_size_limit / 1024 ** 3;
  if (options.learners * options.labs * options.attempts >= 100_000 && heapGiB < 6) {
    log(`note: the heap limit is ${heapGiB.toFixed(1)} GiB; at this size run with node --max-old-space-size=8192`);
  }
  let pgServer: PostgresServer | undefined;
  if (options.postgres) {
    const probe = await probePostgres();
    if (!probe.available) throw new BenchExit(3, `PostgreSQL is not usable: ${probe.reason}; ${probe.hint}. Or run with --skip-postgres.`);
    log(`PostgreSQL: ${probe.detail}`);
  }

  const seed = await makeSeed(options);
  log(
    `seed: ${seed.learners.length} learners (${options.learners} + ${SMALL_COHORT}), ${seed.total} attempts, ${seed.labs.length} ${seed.realLabs ? 'real' : 'sample'} labs`,
  );
  const batches = makeSyncBatches(seed, options.batches);
  const dir = await mkdtemp(join(tmpdir(), 'mentor-bench-'));
  const figures: StoreFigures[] = [];
  try {
    figures.push(await benchLowdb(seed, batches, join(dir, 'mentor.json'), options));
    if (options.postgres) {
      pgServer = await startPostgres({ fsync: true, settings: { shared_buffers: '512MB', max_wal_size: '4GB' } });
      figures.push(await benchPostgres(seed, batches, await pgServer.createDatabase('mentor_bench'), options));
    }
  } finally {
    await pgServer?.stop();
    await rm(dir, { recursive: true, force: true });
  }

  const markdown = report(options, seed, figures);
  process.stdout.write(`${markdown}\n`);
  if (options.write) {
    await writeBenchmarkSection(SECTION, markdown, log);
    log(`wrote the ${SECTION} section of BENCHMARKS.md`);
  }
  return 0;
}

function parseOptions(): Options | undefined {
  const usage =
    'Usage: node --max-old-space-size=8192 site/bench/mentor.ts [--learners N] [--labs N] [--attempts N] [--batches N] [--runs N] [--page-runs N] [--skip-postgres] [--skip-http] [--skip-page] [--write]\n';
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      options: {
        learners: { type: 'string', default: '500' },
        labs: { type: 'string', default: '40' },
        attempts: { type: 'string', default: '10' },
        batches: { type: 'string', default: '20' },
        runs: { type: 'string', default: '20' },
        'page-runs': { type: 'string', default: '5' },
        'skip-postgres': { type: 'boolean', default: false },
        'skip-http': { type: 'boolean', default: false },
        'skip-page': { type: 'boolean', default: false },
        write: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new BenchExit(2, `${errorText(error)}\n${usage}`);
  }
  if (values.help) {
    process.stdout.write(
      `${usage}` +
        '  --learners N    learners in the large cohort (default 500; a 30-learner cohort is added)\n' +
        '  --labs N        labs each learner attempted (default 40)\n' +
        '  --attempts N    attempts per learner and lab (default 10)\n' +
        '  --batches N     addAttempts calls of 500 new attempts for the throughput (default 20)\n' +
        '  --runs N        cohort queries per cohort and store (default 20, at least 10 with --write)\n' +
        '  --page-runs N   cold loads of the cohort page per cohort and store (default 5)\n' +
        '  --skip-postgres lowdb only\n' +
        '  --skip-http     store level only (no lab server)\n' +
        '  --skip-page     no Chromium\n' +
        '  --write         update the mentor-store section of BENCHMARKS.md (needs the default sizes)\n',
    );
    return undefined;
  }
  const whole = (name: string, min: number): number => {
    const n = Number(values[name]);
    if (!Number.isInteger(n) || n < min)
      throw new BenchExit(2, `--${name} must be a whole number of at least ${min}, not "${String(values[name])}".`);
    return n;
  };
  const options: Options = {
    learners: whole('learners', SMALL_COHORT),
    labs: whole('labs', 1),
    attempts: whole('attempts', 1),
    batches: whole('batches', 1),
    runs: parseRuns(String(values.runs), Boolean(values.write), MIN_RUNS_FOR_WRITE),
    pageRuns: whole('page-runs', 1),
    write: Boolean(values.write),
    postgres: !values['skip-postgres'],
    http: !values['skip-http'],
    page: !values['skip-page'] && !values['skip-http'],
  };
  if (options.write && (options.learners !== 500 || options.labs !== 40 || options.attempts !== 10 || !options.postgres)) {
    throw new BenchExit(2, '--write records the figures at the documented size: drop --learners, --labs, --attempts and --skip-postgres.');
  }
  return options;
}

/** The real labs' ids and checks when the catalogue loads, else a sample lab renamed per index. */
async function labShapes(count: number): Promise<{ labs: LabShape[]; real: boolean }> {
  let real: LabShape[] = [];
  try {
    const loaded = await loadAllLabs();
    real = loaded.map((l) => ({
      id: l.manifest.id,
      version: l.manifest.version,
      checks: l.manifest.checks.map((c) => ({ id: c.id, title: c.title })),
    }));
  } catch (error) {
    log(`the lab catalogue did not load (${errorText(error)}); using sample labs`);
  }
  real = real.filter((l) => l.checks.length > 0);
  if (real.length === 0) {
    return {
      labs: Array.from({ length: count }, (_, i) => ({ ...SAMPLE_LAB, id: `sample/${String(i + 1).padStart(2, '0')}-lab` })),
      real: false,
    };
  }
  return { labs: Array.from({ length: count }, (_, i) => real[i % real.length]!), real: true };
}

/** A deterministic pseudo-random sequence, so both stores and reruns get the same shape of data. */
/** A UUID v4 from the sequence (the bench's attempt ids must be the same on every call of history()). */
function seededUuid(random: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16));
  hex[12] = '4';
  hex[16] = '89ab'[Math.floor(random() * 4)]!;
  const h = hex.join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function makeSeed(options: Options): Promise<Seed> {
  const { labs, real } = await labShapes(options.labs);
  const createdAt = new Date(Date.now() - 90 * DAY).toISOString();
  const passwordHash = options.http
    ? await import('../server/mentor/auth.ts').then(
        (auth) => auth.hashPassword(MENTOR_PASSWORD, BENCH_SCRYPT),
        () => 'scrypt$bench',
      )
    : 'scrypt$bench';
  const mentor: Mentor = { id: randomUUID(), email: 'bench@example.org', name: 'Bench', passwordHash, createdAt };
  const tokens = new Map<string, string>();
  const large: Cohort = { id: randomUUID(), name: `Large (${options.learners})`, mentorId: mentor.id, createdAt };
  const small: Cohort = { id: randomUUID(), name: `Small (${SMALL_COHORT})`, mentorId: mentor.id, createdAt };
  const learners: LearnerRecord[] = [];
  const start = Date.now() - 60 * DAY;
  const perLearner = options.labs * options.attempts;
  const history = (learnerId: string): AttemptResult[] => {
    const index = learners.findIndex((l) => l.id === learnerId);
    const learner = learners[index]!;
    const random = seeded(1_000 + index);
    const attempts: AttemptResult[] = [];
    let t = start + random() * DAY;
    for (const lab of labs) {
      for (let k = 0; k < options.attempts; k++) {
        t += (random() * (50 * DAY)) / perLearner;
        // Most attempts fail somewhere until the last ones, as learners iterate.
        const passes = k >= options.attempts - 2 || random() < 0.2;
        const failAt = passes ? undefined : Math.floor(random() * lab.checks.length);
        attempts.push(
          makeAttempt({ lab, attemptId: seededUuid(random), learner: learner.name, finishedAt: new Date(t).toISOString(), failAt }),
        );
      }
    }
    return attempts;
  };
  for (let i = 0; i < options.learners + SMALL_COHORT; i++) {
    const cohort = i < options.learners ? large : small;
    const token = `bench-token-${i}-${randomUUID()}`;
    learners.push({ id: randomUUID(), cohortId: cohort.id, name: `Learner ${i + 1}`, createdAt, tokenHash: sha(token) });
    tokens.set(learners[i]!.id, token);
  }
  const total = learners.length * perLearner;
  const smallRows = SMALL_COHORT * perLearner;
  return { mentor, large, small, learners, tokens, history, total, smallRows, labs, realLabs: real };
}

/** --batches calls' worth of new attempts, each for one learner of the large cohort. */
function makeSyncBatches(seed: Seed, count: number): { learnerId: string; attempts: AttemptResult[] }[] {
  const now = Date.now();
  return Array.from({ length: count }, (_, b) => {
    const learner = seed.learners[(b * 7) % (seed.learners.length - SMALL_COHORT)]!;
    const attempts = Array.from({ length: BATCH }, (_, i) =>
      makeAttempt({
        lab: seed.labs[i % seed.labs.length]!,
        learner: learner.name,
        finishedAt: new Date(now - (BATCH - i) * 1000).toISOString(),
        failAt: i % 4 === 0 ? 1 : undefined,
      }),
    );
    return { learnerId: learner.id, attempts };
  });
}

async function benchLowdb(seed: Seed, batches: ReturnType<typeof makeSyncBatches>, file: string, options: Options): Promise<StoreFigures> {
  const data = emptyMentorFile();
  data.mentors.push(seed.mentor);
  data.cohorts.push(seed.large, seed.small);
  data.learners.push(...seed.learners);
  const receivedAt = new Date().toISOString();
  for (const learner of seed.learners) {
    for (const attempt of seed.history(learner.id))
      data.attempts.push({ learnerId: learner.id, receivedAt, verification: 'self-reported', attempt });
  }
  let t0 = performance.now();
  await new MentorFileAdapter(file).write({ data, version: data.version });
  const seedMs = performance.now() - t0;
  const fileBytes = (await stat(file)).size;
  log(`lowdb: wrote ${seed.total} attempts (${mib(fileBytes)}) in ${s(seedMs)}`);
  data.attempts = [];
  t0 = performance.now();
  const store = await LowdbMentorStore.open(file);
  const openMs = performance.now() - t0;
  log(`lowdb: opened in ${s(openMs)}`);
  try {
    const figures: StoreFigures = { kind: 'lowdb', seedMs, openMs, fileBytes, ...(await measure(store, seed, batches, options)) };
    // The journal is folded in (the whole file rewritten) once it is half the file's size: spread that over the attempts.
    const journalBytes = (await stat(store.journalFile)).size;
    t0 = performance.now();
    await store.compact();
    figures.compactMs = performance.now() - t0;
    const newFileBytes = (await stat(file)).size;
    const perAttemptJournal = journalBytes / (BATCH * batches.length);
    const rewritesPerAttempt = perAttemptJournal / Math.max(16 * 1024 * 1024, newFileBytes * 0.5);
    figures.amortizedRate = 1 / (median(figures.syncMs) / 1000 / BATCH + (figures.compactMs / 1000) * rewritesPerAttempt);
    log(
      `lowdb: a rewrite of ${mib(newFileBytes)} took ${s(figures.compactMs)}; sync with rewrites amortized: ${rate(figures.amortizedRate)} attempts/s`,
    );
    if (options.http) figures.http = await measureHttp(store, seed, seed, options);
    return figures;
  } finally {
    await store.close();
  }
}

async function benchPostgres(
  seed: Seed,
  batches: ReturnType<typeof makeSyncBatches>,
  url: string,
  options: Options,
): Promise<StoreFigures> {
  let t0 = performance.now();
  const store = await PostgresMentorStore.open(url);
  const openMs = performance.now() - t0;
  try {
    // The store assigns ids: map the seed's ids to the stored ones.
    const mentor = await store.createMentor({ email: seed.mentor.email, name: seed.mentor.name, passwordHash: seed.mentor.passwordHash });
    const cohorts = new Map<string, string>();
    for (const c of [seed.large, seed.small]) cohorts.set(c.id, (await store.createCohort({ name: c.name, mentorId: mentor.id })).id);
    const ids = new Map<string, string>();
    for (const l of seed.learners)
      ids.set(l.id, (await store.createLearner({ cohortId: cohorts.get(l.cohortId)!, name: l.name, tokenHash: l.tokenHash })).id);
    const receivedAt = new Date().toISOString();
    t0 = performance.now();
    let done = 0;
    for (const learner of seed.learners) {
      const history = seed.history(learner.id);
      for (let i = 0; i < history.length; i += BATCH) {
        const r = await store.addAttempts(ids.get(learner.id)!, history.slice(i, i + BATCH), receivedAt);
        done += r.accepted.length;
      }
      if (done % 40_000 < history.length) log(`postgres: seeded ${done}/${seed.total}`);
    }
    const seedMs = performance.now() - t0;
    if (done !== seed.total) throw new BenchExit(1, `PostgreSQL accepted ${done} of ${seed.total} seed attempts.`);
    log(`postgres: loaded ${done} attempts through addAttempts in ${s(seedMs)}`);
    const mapped: Seed = {
      ...seed,
      large: { ...seed.large, id: cohorts.get(seed.large.id)! },
      small: { ...seed.small, id: cohorts.get(seed.small.id)! },
    };
    const mappedBatches = batches.map((b) => ({ learnerId: ids.get(b.learnerId)!, attempts: b.attempts }));
    await store.close();
    // A fresh pool: open time and queries without the load's warm connections.
    t0 = performance.now();
    const reopened = await PostgresMentorStore.open(url);
    const reopenMs = performance.now() - t0;
    try {
      const figures: StoreFigures = {
        kind: 'postgres',
        seedMs,
        seedRate: done / (seedMs / 1000),
        openMs: Math.max(openMs, reopenMs),
        ...(await measure(reopened, mapped, mappedBatches, options)),
        ...(await jsonBytes(url, mapped.large.id)),
      };
      if (options.http) figures.http = await measureHttp(reopened, mapped, seed, options);
      return figures;
    } finally {
      await reopened.close();
    }
  } finally {
    await store.close();
  }
}

/** The JSON text of a cohort's attempts and of their summaries, as PostgreSQL sends them. */
async function jsonBytes(url: string, cohortId: string): Promise<{ wholeBytes: number; summaryBytes: number }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ whole: string; summary: string }>(
      `SELECT sum(octet_length(a.attempt::text)) AS whole, sum(octet_length(a.summary::text)) AS summary
       FROM attempts a JOIN learners l ON l.id = a.learner_id WHERE l.cohort_id = $1`,
      [cohortId],
    );
    return { wholeBytes: Number(rows[0]?.whole ?? 0), summaryBytes: Number(rows[0]?.summary ?? 0) };
  } finally {
    await client.end();
  }
}

async function measure(
  store: MentorStore,
  seed: Seed,
  batches: ReturnType<typeof makeSyncBatches>,
  options: Options,
): Promise<Omit<StoreFigures, 'kind' | 'seedMs' | 'openMs' | 'fileBytes' | 'seedRate'>> {
  const syncMs: number[] = [];
  const syncRates: number[] = [];
  for (const [i, batch] of batches.entries()) {
    const t0 = performance.now();
    const r = await store.addAttempts(batch.learnerId, batch.attempts, new Date().toISOString());
    const ms = performance.now() - t0;
    if (r.accepted.length !== BATCH) throw new BenchExit(1, `${store.kind}: batch ${i} accepted ${r.accepted.length} of ${BATCH}.`);
    syncMs.push(ms);
    syncRates.push(BATCH / (ms / 1000));
  }
  log(`${store.kind}: sync median ${Math.round(median(syncRates))} attempts/s (${Math.round(median(syncMs))} ms per ${BATCH})`);
  const replayRates: number[] = [];
  for (const batch of batches.slice(0, Math.min(batches.length, 10))) {
    const t0 = performance.now();
    const r = await store.addAttempts(batch.learnerId, batch.attempts, new Date().toISOString());
    const ms = performance.now() - t0;
    if (r.duplicates.length !== BATCH)
      throw new BenchExit(1, `${store.kind}: a replayed batch gave ${r.duplicates.length} duplicates of ${BATCH}.`);
    replayRates.push(BATCH / (ms / 1000));
  }
  const expectedSmall = seed.smallRows;
  const expectedLarge = seed.total - seed.smallRows + BATCH * batches.length;
  const query = async (name: string, read: () => Promise<unknown[]>, expected: number, runs: number): Promise<number[]> => {
    const check = (rows: unknown[]) => {
      if (rows.length !== expected) throw new BenchExit(1, `${store.kind}: ${name} returned ${rows.length} rows, expected ${expected}.`);
    };
    check(await read()); // warm-up, not measured
    const ms: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      const rows = await read();
      ms.push(performance.now() - t0);
      check(rows);
    }
    return ms;
  };
  const figures = {
    summarySmallMs: [] as number[],
    summaryLargeMs: [] as number[],
    wholeSmallMs: [] as number[],
    wholeLargeMs: [] as number[],
  };
  for (const [cohort, learners, rows, summaryKey, wholeKey] of [
    [seed.small, SMALL_COHORT, expectedSmall, 'summarySmallMs', 'wholeSmallMs'],
    [seed.large, options.learners, expectedLarge, 'summaryLargeMs', 'wholeLargeMs'],
  ] as const) {
    figures[summaryKey] = await query('cohortSummaries', () => store.cohortSummaries(cohort.id), rows, options.runs);
    log(
      `${store.kind}: cohortSummaries, ${learners} learners: median ${ms(median(figures[summaryKey]))}, p95 ${ms(p95(figures[summaryKey]))}`,
    );
    figures[wholeKey] = await query('cohortAttempts', () => store.cohortAttempts(cohort.id), rows, Math.min(options.runs, WHOLE_RUNS));
    log(`${store.kind}: cohortAttempts, ${learners} learners: median ${ms(median(figures[wholeKey]))}`);
  }
  return { syncRates, syncMs, replayRates, ...figures, smallRows: expectedSmall, largeRows: expectedLarge };
}

/**
 * The same store behind the real lab server in mentor mode: POST /api/sync
 * with a learner's bearer token, 500 new attempts per request; GET
 * /api/mentor/cohorts/:id with a logged-in mentor's cookie; and, when the
 * site is built and Chromium runs, the cohort page until its heatmap shows.
 * `stored` carries the store's cohort ids, `original` the seed's tokens.
 */
async function measureHttp(store: MentorStore, stored: Seed, original: Seed, options: Options): Promise<HttpFigures> {
  const empty: HttpFigures = { syncRates: [], syncMs: [], smallMs: [], largeMs: [] };
  let createLabServer: typeof import('../server/server.ts').createLabServer;
  try {
    ({ createLabServer } = await import('../server/server.ts'));
  } catch (error) {
    log(`HTTP not measured: the lab server did not load (${errorText(error)})`);
    return { ...empty, skipped: `the lab server did not load (${errorText(error)})` };
  }
  const home = await mkdtemp(join(tmpdir(), 'mentor-bench-home-'));
  const env: NodeJS.ProcessEnv = { ...process.env, MLOPS_LAB_HOME: home, NO_COLOR: '1' };
  delete env.MLOPS_LAB_MODE;
  delete env.MLOPS_LAB_MENTOR_STORE;
  const quiet = {
    info: () => {},
    warn: () => {},
    error: (msg: string, fields?: Record<string, unknown>) => log(`server error: ${msg} ${JSON.stringify(fields ?? {})}`),
  };
  const server = await createLabServer({ port: 0, env, siteDir: SITE_DIR, log: quiet, mode: 'mentor', mentorStore: store });
  try {
    const http: HttpFigures = { ...empty };
    // Sync: new attempts for learners of the large cohort, each request as `mlops-lab sync` sends it.
    const batches = makeSyncBatches(original, options.batches);
    for (const [i, batch] of batches.entries()) {
      const token = original.tokens.get(batch.learnerId)!;
      const body = JSON.stringify({ client: { grader: '0.1.0' }, attempts: batch.attempts });
      const t0 = performance.now();
      const res = await fetch(`${server.url}/api/sync`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body,
      });
      const answer = (await res.json()) as { accepted?: string[] };
      const ms = performance.now() - t0;
      if (res.status !== 200 || answer.accepted?.length !== BATCH) {
        throw new BenchExit(1, `${store.kind}: POST /api/sync ${i} answered ${res.status}: ${JSON.stringify(answer).slice(0, 400)}`);
      }
      http.syncMs.push(ms);
      http.syncRates.push(BATCH / (ms / 1000));
    }
    log(
      `${store.kind}: POST /api/sync median ${Math.round(median(http.syncRates))} attempts/s (${Math.round(median(http.syncMs))} ms per ${BATCH})`,
    );

    const login = await fetch(`${server.url}/api/mentor/login`, {
      method: 'POST',
      headers: { origin: server.url, 'content-type': 'application/json' },
      body: JSON.stringify({ email: original.mentor.email, password: MENTOR_PASSWORD }),
    });
    if (login.status !== 200)
      throw new BenchExit(1, `${store.kind}: POST /api/mentor/login answered ${login.status}: ${await login.text()}`);
    const cookie = login.headers.getSetCookie()[0]?.split(';')[0] ?? '';
    const overview = async (cohortId: string, learners: number): Promise<{ first: number; ms: number[] }> => {
      const get = async (): Promise<number> => {
        const t0 = performance.now();
        const res = await fetch(`${server.url}/api/mentor/cohorts/${cohortId}`, { headers: { cookie } });
        const body = (await res.json()) as { learners?: unknown[] };
        const ms = performance.now() - t0;
        if (res.status !== 200 || body.learners?.length !== learners) {
          throw new BenchExit(
            1,
            `${store.kind}: GET /api/mentor/cohorts/${cohortId} answered ${res.status} with ${body.learners?.length} learners, expected ${learners}.`,
          );
        }
        return ms;
      };
      // The first call computes every learner's readiness (the cache is cold, or stale after the syncs): reported apart.
      const first = await get();
      const ms: number[] = [];
      for (let i = 0; i < options.runs; i++) ms.push(await get());
      return { first, ms };
    };
    const small = await overview(stored.small.id, SMALL_COHORT);
    [http.smallFirstMs, http.smallMs] = [small.first, small.ms];
    log(
      `${store.kind}: GET cohort of ${SMALL_COHORT}: first ${ms(small.first)}, then median ${ms(median(http.smallMs))}, p95 ${ms(p95(http.smallMs))}`,
    );
    const large = await overview(stored.large.id, options.learners);
    [http.largeFirstMs, http.largeMs] = [large.first, large.ms];
    log(
      `${store.kind}: GET cohort of ${options.learners}: first ${ms(large.first)}, then median ${ms(median(http.largeMs))}, p95 ${ms(p95(http.largeMs))}`,
    );
    if (options.page) http.page = await measurePage(server.url, cookie, stored, options, store.kind);
    return http;
  } finally {
    await server.close();
    await rm(home, { recursive: true, force: true });
  }
}

/** Cold loads of /mentor/cohort/?id=… in a fresh Chromium context each, until the heatmap table is visible. */
async function measurePage(
  url: string,
  cookie: string,
  stored: Seed,
  options: Options,
  kind: string,
): Promise<NonNullable<HttpFigures['page']>> {
  if (!existsSync(join(SITE_DIR, 'dist', 'client', 'mentor', 'cohort', 'index.html'))) {
    log('page not measured: site/dist has no mentor/cohort page (npm run build)');
    return { skipped: 'the site is not built with the mentor pages (npm run build)', smallMs: [], largeMs: [] };
  }
  const helpers = await import('../e2e/helpers.ts');
  const chromium = await helpers.probeChromium();
  if (!chromium.available) {
    log(`page not measured: ${chromium.reason}`);
    return { skipped: `Chromium is not usable: ${chromium.reason}`, smallMs: [], largeMs: [] };
  }
  const browser = await helpers.launchBrowser();
  const [name, value] = [cookie.slice(0, cookie.indexOf('=')), cookie.slice(cookie.indexOf('=') + 1)];
  const load = async (cohortId: string): Promise<number> => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      await context.addCookies([{ name, value, url }]);
      const page = await context.newPage();
      const t0 = performance.now();
      await page.goto(`${url}/mentor/cohort/?id=${cohortId}`, { waitUntil: 'commit', timeout: 120_000 });
      await page.locator('table.mentor-heatmap').first().waitFor({ state: 'visible', timeout: 120_000 });
      return performance.now() - t0;
    } finally {
      await context.close();
    }
  };
  try {
    const result = { smallMs: [] as number[], largeMs: [] as number[] };
    await load(stored.small.id); // warm-up: the server reads the page from disk once
    for (let i = 0; i < options.pageRuns; i++) {
      result.smallMs.push(await load(stored.small.id));
      result.largeMs.push(await load(stored.large.id));
    }
    log(
      `${kind}: cohort page: ${SMALL_COHORT} learners median ${ms(median(result.smallMs))}, ${options.learners} learners median ${ms(median(result.largeMs))}`,
    );
    return result;
  } finally {
    await browser.close();
  }
}

function report(options: Options, seed: Seed, figures: StoreFigures[]): string {
  const lowdb = figures.find((f) => f.kind === 'lowdb');
  const postgres = figures.find((f) => f.kind === 'postgres');
  /** undefined: not measured; null: does not apply to this store. */
  type Pick = (f: StoreFigures) => number | null | undefined;
  const ratio = (pick: Pick): string => {
    const a = lowdb && pick(lowdb);
    const b = postgres && pick(postgres);
    return typeof a === 'number' && typeof b === 'number' && a > 0 ? `${(b / a).toFixed(2)}×` : '—';
  };
  const cell = (f: StoreFigures | undefined, pick: Pick, show: (v: number) => string): string => {
    if (!f) return 'not run';
    const v = pick(f);
    return v === undefined ? 'not measured' : v === null ? '—' : show(v);
  };
  const some = (xs: number[] | undefined): number[] | undefined => (xs && xs.length > 0 ? xs : undefined);
  const med = (xs: number[] | undefined) => (some(xs) ? median(xs!) : undefined);
  const p95of = (xs: number[] | undefined) => (some(xs) ? p95(xs!) : undefined);
  const rows: [string, Pick, (v: number) => string][] = [
    [`store: addAttempts, ${BATCH} new attempts per call (attempts/s, median of ${options.batches})`, (f) => med(f.syncRates), rate],
    [`store: time per addAttempts call of ${BATCH} (median)`, (f) => med(f.syncMs), ms],
    [
      'store: sync with the journal folded in at half the file size (attempts/s, the rewrites spread over the attempts)',
      (f) => (f.kind === 'lowdb' ? f.amortizedRate : med(f.syncRates)),
      rate,
    ],
    ['store: one rewrite of the whole lowdb file (folding the journal in)', (f) => (f.kind === 'lowdb' ? f.compactMs : null), ms],
    [`store: the same calls replayed, all duplicates (attempts/s, median)`, (f) => med(f.replayRates), rate],
    [
      `store: cohortSummaries, ${SMALL_COHORT} learners (${(figures[0]?.smallRows ?? 0).toLocaleString('en')} attempts): median`,
      (f) => med(f.summarySmallMs),
      ms,
    ],
    [`store: cohortSummaries, ${SMALL_COHORT} learners: p95`, (f) => p95of(f.summarySmallMs), ms],
    [
      `store: cohortSummaries, ${options.learners} learners (${(figures[0]?.largeRows ?? 0).toLocaleString('en')} attempts): median`,
      (f) => med(f.summaryLargeMs),
      ms,
    ],
    [`store: cohortSummaries, ${options.learners} learners: p95`, (f) => p95of(f.summaryLargeMs), ms],
    [
      `store, for comparison: cohortAttempts (every attempt whole), ${SMALL_COHORT} learners: median of ${Math.min(options.runs, WHOLE_RUNS)}`,
      (f) => med(f.wholeSmallMs),
      ms,
    ],
    [
      `store, for comparison: cohortAttempts, ${options.learners} learners: median of ${Math.min(options.runs, WHOLE_RUNS)}`,
      (f) => med(f.wholeLargeMs),
      ms,
    ],
    [
      `store: JSON text PostgreSQL sends per read of the ${options.learners}-learner cohort: summaries`,
      (f) => (f.kind === 'postgres' ? f.summaryBytes : null),
      mib,
    ],
    [`store: the same, whole attempts (cohortAttempts)`, (f) => (f.kind === 'postgres' ? f.wholeBytes : null), mib],
    ['store: open the seeded store', (f) => f.openMs, ms],
    [`HTTP: POST /api/sync, ${BATCH} attempts per request (attempts/s, median of ${options.batches})`, (f) => med(f.http?.syncRates), rate],
    [
      `HTTP: GET /api/mentor/cohorts/:id, ${SMALL_COHORT} learners: first call (every learner's readiness computed)`,
      (f) => f.http?.smallFirstMs,
      ms,
    ],
    [`HTTP: GET /api/mentor/cohorts/:id, ${SMALL_COHORT} learners: median`, (f) => med(f.http?.smallMs), ms],
    [`HTTP: GET /api/mentor/cohorts/:id, ${SMALL_COHORT} learners: p95`, (f) => p95of(f.http?.smallMs), ms],
    [
      `HTTP: GET /api/mentor/cohorts/:id, ${options.learners} learners: first call (every learner's readiness computed)`,
      (f) => f.http?.largeFirstMs,
      ms,
    ],
    [`HTTP: GET /api/mentor/cohorts/:id, ${options.learners} learners: median`, (f) => med(f.http?.largeMs), ms],
    [`HTTP: GET /api/mentor/cohorts/:id, ${options.learners} learners: p95`, (f) => p95of(f.http?.largeMs), ms],
    [
      `page: /mentor/cohort/ in Chromium until the heatmap shows, ${SMALL_COHORT} learners (median of ${options.pageRuns})`,
      (f) => med(f.http?.page?.smallMs),
      ms,
    ],
    [`page: the same, ${options.learners} learners (median of ${options.pageRuns})`, (f) => med(f.http?.page?.largeMs), ms],
  ];
  const table = [
    '| measure | lowdb | PostgreSQL | PostgreSQL / lowdb |',
    '| --- | ---: | ---: | ---: |',
    ...rows.map(([name, pick, show]) => `| ${name} | ${cell(lowdb, pick, show)} | ${cell(postgres, pick, show)} | ${ratio(pick)} |`),
  ];
  const skips = figures.flatMap((f) => [
    ...(f.http?.skipped ? [`${f.kind}: HTTP not measured: ${f.http.skipped}.`] : []),
    ...(f.http?.page?.skipped ? [`${f.kind}: page not measured: ${f.http.page.skipped}.`] : []),
  ]);
  const scope = options.http
    ? `HTTP rows: the real lab server in mentor mode on loopback over the same store; the page rows: a fresh Chromium context per load, logged in, from navigation to the heatmap table being visible. ${skips.join(' ')}`
    : 'Store level only (--skip-http): the HTTP endpoints and the cohort page were not measured.';
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  return [
    '## Mentor store: lowdb against PostgreSQL (`node site/bench/mentor.ts`)',
    '',
    `${seed.learners.length - SMALL_COHORT} learners × ${options.labs} labs × ${options.attempts} attempts in one cohort plus a ${SMALL_COHORT}-learner cohort: ` +
      `${seed.total.toLocaleString('en')} attempts of ${seed.realLabs ? 'the real catalogue' : 'sample'} labs' check arrays ` +
      `(${lowdb?.fileBytes ? `${mib(lowdb.fileBytes)} as the lowdb file` : 'file size not measured'}). ` +
      `lowdb: the file written in one go in ${lowdb ? s(lowdb.seedMs) : '—'}; PostgreSQL (fsync on): loaded through addAttempts in ` +
      `${postgres ? `${s(postgres.seedMs)} (${rate(postgres.seedRate ?? 0)} attempts/s)` : '—'}. Sync calls add ${BATCH} new attempts for one learner on top; ` +
      `queries run ${options.runs} times after one unmeasured call. The ratio is PostgreSQL's figure over lowdb's: above 1 means PostgreSQL is slower for times and faster for rates.`,
    '',
    ...table,
    '',
    `${scope} ` +
      `Machine: ${cpus().length} × ${cpu}, ${Math.round(totalmem() / 1024 ** 3)} GiB, Linux ${release()}, Node ${process.version}; ${new Date().toISOString().slice(0, 10)}.`,
  ].join('\n');
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Nearest-rank 95th percentile. */
function p95(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(0.95 * sorted.length) - 1)]!;
}

const ms = (v: number) => (v >= 100 ? `${Math.round(v)} ms` : `${v.toFixed(1)} ms`);
const s = (v: number) => `${(v / 1000).toFixed(1)} s`;
const rate = (v: number) => Math.round(v).toLocaleString('en');
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;

await runBench(main);
