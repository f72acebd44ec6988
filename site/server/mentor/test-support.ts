/**
 * Helpers for the mentor-mode tests: a real lab server in mentor mode on a
 * free port, over a real mentor store (H6's lowdb file by default, or a
 * PostgreSQL URL), with a clock the tests can move; mentors, learners and
 * logins made the way the admin CLI and the pages make them.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAllLabs, type LoadedLab } from '@mlops-lab/grader';
import { createLabServer, type LabServer } from '../server.ts';
import { memoryLogger, request, type TestServer } from '../test-helpers.ts';
import { hashPassword, randomToken, sha256Hex } from './auth.ts';
import { openMentorStore } from './store/index.ts';
import type { Cohort, Learner, Mentor, MentorStore } from './store/types.ts';

/** Cheap scrypt parameters for test mentors: the stored hash carries them, so verification is the real code path. */
export const TEST_SCRYPT = { N: 2 ** 10, r: 8, p: 1, keyLength: 32 } as const;

let catalogue: Promise<LoadedLab[]> | undefined;
/** The real lab catalogue, loaded once per test file. */
export function realLabs(): Promise<LoadedLab[]> {
  catalogue ??= loadAllLabs();
  return catalogue;
}

export interface MentorTestServer extends LabServer {
  home: string;
  env: NodeJS.ProcessEnv;
  store: MentorStore;
  logs: TestServer['logs'];
  /** The server's clock: `clock.now` is what it reads. */
  clock: { now: Date; advance(ms: number): void };
  dispose(): Promise<void>;
}

export async function startMentorServer(options: { storeUrl?: string; env?: NodeJS.ProcessEnv } = {}): Promise<MentorTestServer> {
  const home = await mkdtemp(join(tmpdir(), 'mlops-lab-mentor-'));
  const env: NodeJS.ProcessEnv = { ...process.env, MLOPS_LAB_HOME: home, NO_COLOR: '1', ...options.env };
  delete env.MLOPS_LAB_MODE;
  delete env.MLOPS_LAB_MENTOR_STORE;
  const store = await openMentorStore(options.storeUrl ?? join(home, 'mentor.json'));
  const clock = {
    now: new Date(),
    advance(ms: number) {
      this.now = new Date(this.now.getTime() + ms);
    },
  };
  const logs: TestServer['logs'] = [];
  const server = await createLabServer({
    port: 0,
    env,
    siteDir: home,
    log: memoryLogger(logs),
    mode: 'mentor',
    mentorStore: store,
    now: () => clock.now,
  });
  return {
    ...server,
    home,
    env,
    store,
    logs,
    clock,
    async dispose() {
      await server.close();
      await store.close();
      await rm(home, { recursive: true, force: true });
    },
  };
}

/** A mentor with a known password, straight into the store (as `npm run mentor -- add-mentor` does). */
export async function addMentor(store: MentorStore, email: string, password = 'correct horse battery'): Promise<Mentor> {
  return store.createMentor({ email, name: email.split('@')[0]!, passwordHash: await hashPassword(password, TEST_SCRYPT) });
}

/** A learner and their sync token (as `add-learner` does). */
export async function addLearner(store: MentorStore, cohort: Cohort, name: string): Promise<{ learner: Learner; token: string }> {
  const token = randomToken();
  const learner = await store.createLearner({ cohortId: cohort.id, name, tokenHash: sha256Hex(token) });
  return { learner, token };
}

export interface Login {
  /** `mlops_mentor_session=<value>` for the Cookie header. */
  cookie: string;
  csrf: string;
  setCookie: string;
}

/** Logs in over HTTP as the page does; throws with the answer when it fails. */
export async function login(server: { url: string }, email: string, password = 'correct horse battery'): Promise<Login> {
  const r = await request(server, 'POST', '/api/mentor/login', { body: { email, password } });
  if (r.status !== 200) throw new Error(`login failed: ${r.status} ${r.text}`);
  const setCookie = String(r.headers['set-cookie']?.[0] ?? '');
  return { cookie: setCookie.split(';')[0]!, csrf: r.json.csrfToken as string, setCookie };
}

/** Headers of a logged-in page's request (cookie, and the CSRF token for POSTs). */
export function as(l: Login, csrf = true): Record<string, string> {
  return { cookie: l.cookie, ...(csrf ? { 'x-csrf-token': l.csrf } : {}) };
}

/** Headers of `mlops-lab sync`: a bearer token, JSON, and no Origin. */
export function bearer(token: string): Record<string, string | undefined> {
  return { authorization: `Bearer ${token}`, origin: undefined, 'content-type': 'application/json' };
}
