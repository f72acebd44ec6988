/**
 * A demo cohort for trying the mentor dashboard: learners with realistic
 * synced attempts over the real lab catalogue, the same for the same seed.
 * Learner 2 is stuck (4 failed attempts in a row on one check), learner 3
 * has been inactive for 10 days; the others are active and not stuck.
 */
import { overallStatus, RESULT_SCHEMA_VERSION, type AttemptResult, type LoadedLab } from '@mlops-lab/grader';
import { hashPassword, randomToken, sha256Hex } from './auth.ts';
import type { Cohort, Learner, Mentor, MentorStore } from './store/types.ts';

/** A seeded pseudo-random generator (mulberry32 over a hash of the seed): the same seed, the same cohort. */
export function seededRandom(seed: string): () => number {
  let h = 1779033703 ^ seed.length;
  for (let i = 0; i < seed.length; i++) {
    h = Math.imul(h ^ seed.charCodeAt(i), 3432918353);
    h = (h << 13) | (h >>> 19);
  }
  let a = h >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A version-4 UUID from the generator (valid for AttemptResultSchema, repeatable). */
export function seededUuid(random: () => number): string {
  const bytes = Array.from({ length: 16 }, () => Math.floor(random() * 256));
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export interface DemoAttemptInput {
  lab: LoadedLab;
  /** Check ids that fail in this attempt; every other check passes. */
  failing?: readonly string[];
  finishedAt: Date;
  attemptId: string;
  learner?: string;
  credit?: AttemptResult['credit'];
}

/** An attempt result as a learner's grader writes it: every check of the lab, in order, the failing ones with a message. */
export function demoAttempt(input: DemoAttemptInput): AttemptResult {
  const failing = new Set(input.failing ?? []);
  const checks = input.lab.manifest.checks.map((c) => ({
    id: c.id,
    title: c.title,
    status: failing.has(c.id) ? ('fail' as const) : ('pass' as const),
    message: failing.has(c.id) ? `${c.title}: not yet.` : `${c.title}.`,
    ...(failing.has(c.id) ? { expected: 'what the lab asks for', actual: 'something else' } : {}),
    durationMs: 120,
  }));
  const finished = input.finishedAt.getTime();
  return {
    schemaVersion: RESULT_SCHEMA_VERSION,
    lab: { id: input.lab.manifest.id, version: input.lab.manifest.version },
    attemptId: input.attemptId,
    learner: input.learner ?? 'learner',
    startedAt: new Date(finished - 20_000).toISOString(),
    finishedAt: input.finishedAt.toISOString(),
    status: overallStatus(checks),
    credit: input.credit ?? 'learner',
    source: 'cli',
    environment: { node: 'v24.0.0', platform: 'linux-x64', grader: '0.1.0' },
    checks,
  };
}

const FIRST = [
  'Ada',
  'Grace',
  'Alan',
  'Katherine',
  'Linus',
  'Margaret',
  'Dennis',
  'Radia',
  'Ken',
  'Barbara',
  'Edsger',
  'Frances',
  'Tim',
  'Hedy',
  'John',
  'Sophie',
  'Guido',
  'Annie',
  'Bjarne',
  'Karen',
];
const LAST = [
  'Lovelace',
  'Hopper',
  'Turing',
  'Johnson',
  'Torvalds',
  'Hamilton',
  'Ritchie',
  'Perlman',
  'Thompson',
  'Liskov',
  'Dijkstra',
  'Allen',
  'Berners-Lee',
  'Lamarr',
  'Backus',
  'Wilson',
  'van Rossum',
  'Easley',
  'Stroustrup',
  'Spärck Jones',
];

const DAY = 24 * 60 * 60 * 1000;

export interface SeedOptions {
  /** How many learners (at least 3: one stuck, one inactive, one on track). Default 30. */
  learners?: number;
  /** Same seed, same cohort. Default `demo`. */
  seed?: string;
  /** The real lab catalogue (loadAllLabs()). */
  labs: readonly LoadedLab[];
  /** The time the cohort's history ends at. */
  now: Date;
  /** Mentor login. Default `mentor-<seed>@example.org`. */
  email?: string;
  /** Mentor password. Default: 18 random characters. */
  password?: string;
}

export interface SeedResult {
  mentor: Mentor;
  email: string;
  password: string;
  cohort: Cohort;
  learners: { learner: Learner; token: string; role: 'on-track' | 'stuck' | 'inactive' }[];
  attempts: number;
}

/** What one learner synced: attempts grouped by the sync that carried them. */
interface PlannedSync {
  receivedAt: Date;
  attempts: AttemptResult[];
}

/**
 * Creates the mentor, the cohort, the learners and their synced attempts
 * in `store`. Every learner works through the roadmap in order at their
 * own pace: a lab takes one to three attempts (the failing ones fail a
 * check or two), and the learner syncs every few days.
 */
export async function seedDemoCohort(store: MentorStore, options: SeedOptions): Promise<SeedResult> {
  const count = options.learners ?? 30;
  if (!Number.isInteger(count) || count < 3 || count > 500) throw new RangeError('learners must be a whole number from 3 to 500');
  const seed = options.seed ?? 'demo';
  const random = seededRandom(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const labs = [...options.labs]
    .filter((l) => l.manifest.checks.length > 0)
    .sort((a, b) => stageOrder(a) - stageOrder(b) || a.manifest.id.localeCompare(b.manifest.id));
  if (labs.length === 0) throw new RangeError('the lab catalogue is empty');
  const email = options.email ?? `mentor-${seed.replace(/[^A-Za-z0-9]+/g, '-').toLowerCase()}@example.org`;
  const password = options.password ?? randomToken().slice(0, 18);
  const mentor = await store.createMentor({ email, name: 'Demo Mentor', passwordHash: await hashPassword(password) });
  const cohort = await store.createCohort({ name: `Demo cohort (${seed})`, mentorId: mentor.id });
  const now = options.now.getTime();
  const learners: SeedResult['learners'] = [];
  let total = 0;

  for (let i = 0; i < count; i++) {
    const role: SeedResult['learners'][number]['role'] = i === 1 ? 'stuck' : i === 2 ? 'inactive' : 'on-track';
    const name = `${FIRST[i % FIRST.length]} ${LAST[(i * 7 + Math.floor(i / FIRST.length)) % LAST.length]}${i >= FIRST.length ? ` ${Math.floor(i / FIRST.length) + 1}` : ''}`;
    const token = randomToken();
    const learner = await store.createLearner({ cohortId: cohort.id, name, tokenHash: sha256Hex(token) });
    learners.push({ learner, token, role });
    const handle = name.toLowerCase().replace(/[^a-z]+/g, '.');

    // The learner's history: what they did, in order, then spread from 40-70 days ago
    // until 1-2 days ago (the stuck one: 2-3 days ago, then the four failures; the inactive one: 10 days ago).
    const steps: { lab: LoadedLab; failing: string[]; credit: AttemptResult['credit'] }[] = [];
    const reach = Math.min(labs.length, 2 + Math.floor(random() * (labs.length - 2)));
    for (let k = 0; k < reach; k++) {
      const lab = labs[k]!;
      const checkIds = lab.manifest.checks.map((c) => c.id);
      const tries = 1 + Math.floor(random() * 3);
      for (let n = 0; n < tries - 1; n++) steps.push({ lab, failing: [pick(checkIds)], credit: 'learner' });
      // Now and then a learner reveals the solution; the pass then counts for a quarter.
      steps.push({ lab, failing: [], credit: random() < 0.08 ? 'solution' : 'learner' });
    }
    const start = now - (40 + Math.floor(random() * 30)) * DAY;
    const end =
      role === 'inactive' ? now - 10 * DAY - 3 * 60 * 60 * 1000 : now - (role === 'stuck' ? 2 : 1) * DAY - Math.floor(random() * DAY);
    const gap = (end - start) / Math.max(1, steps.length - 1);
    const attempts = steps.map((s, n) =>
      demoAttempt({
        lab: s.lab,
        failing: s.failing,
        credit: s.credit,
        // Evenly spread, each moved by up to a third of the gap, the last one exactly at `end`.
        finishedAt: new Date(n === steps.length - 1 ? end : start + n * gap + (random() - 0.5) * (gap / 1.5)),
        attemptId: seededUuid(random),
        learner: handle,
      }),
    );
    if (role === 'stuck') {
      // Four failed attempts in a row on one check of the next lab, the latest yesterday.
      const lab = labs[Math.min(reach, labs.length - 1)]!;
      const check = lab.manifest.checks[Math.min(1, lab.manifest.checks.length - 1)]!.id;
      for (let n = 0; n < 4; n++) {
        const at = now - DAY - (3 - n) * 5 * 60 * 60 * 1000;
        attempts.push(demoAttempt({ lab, failing: [check], finishedAt: new Date(at), attemptId: seededUuid(random), learner: handle }));
      }
    }

    for (const sync of plannedSyncs(attempts, random, now)) {
      await store.addAttempts(learner.id, sync.attempts, sync.receivedAt.toISOString());
      total += sync.attempts.length;
    }
  }
  return { mentor, email, password, cohort, learners, attempts: total };
}

function stageOrder(lab: LoadedLab): number {
  const order = ['docker', 'kubernetes', 'cicd', 'mlflow', 'dvc', 'serving', 'monitoring', 'iac', 'capstone'];
  const i = order.indexOf(lab.manifest.stage);
  return i < 0 ? order.length : i;
}

/** Attempts grouped into syncs every few days; each sync received a little after its newest attempt. */
function plannedSyncs(attempts: readonly AttemptResult[], random: () => number, now: number): PlannedSync[] {
  const ordered = [...attempts].sort((a, b) => Date.parse(a.finishedAt) - Date.parse(b.finishedAt));
  const syncs: PlannedSync[] = [];
  let current: AttemptResult[] = [];
  let windowEnd = -Infinity;
  for (const a of ordered) {
    const at = Date.parse(a.finishedAt);
    if (current.length > 0 && at > windowEnd) {
      syncs.push({ receivedAt: received(current), attempts: current });
      current = [];
    }
    if (current.length === 0) windowEnd = at + (1 + random() * 4) * DAY;
    current.push(a);
  }
  if (current.length > 0) syncs.push({ receivedAt: received(current), attempts: current });
  return syncs;

  function received(batch: AttemptResult[]): Date {
    const newest = Date.parse(batch.at(-1)!.finishedAt);
    return new Date(Math.min(now, newest + 10 * 60 * 1000));
  }
}
