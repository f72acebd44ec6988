import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sha256Hex, verifyPassword } from './auth.ts';
import { mentorCli } from './cli.ts';
import { openMentorStore } from './store/index.ts';

describe('npm run mentor', () => {
  let home: string;
  let out: string[];
  let err: string[];
  const io = {
    out: (t: string) => out.push(t),
    err: (t: string) => err.push(t),
    askPassword: async () => 'typed at the prompt',
  };
  const run = (args: string[], env: NodeJS.ProcessEnv = {}) => mentorCli(args, io, { MLOPS_LAB_HOME: home, ...env });

  beforeEach(async () => {
    home = await mkdtemp(join(tmpdir(), 'mlops-lab-mentor-cli-'));
    out = [];
    err = [];
  });

  afterEach(async () => {
    await rm(home, { recursive: true, force: true });
  });

  it('returns a mentor, a cohort and a learner whose printed token the store recognises', async () => {
    expect(
      await run(['add-mentor', '--email', 'ada@example.org', '--name', 'Ada'], { MLOPS_LAB_MENTOR_PASSWORD: 'from the environment' }),
    ).toBe(0);
    expect(await run(['add-mentor', '--email', 'grace@example.org', '--name', 'Grace'])).toBe(0);
    expect(await run(['add-cohort', '--mentor', 'ADA@example.org', '--name', 'Spring', '--json'])).toBe(0);
    const cohort = JSON.parse(out.at(-1)!).cohort;
    expect(await run(['add-learner', '--cohort', cohort.id, '--name', 'Linus', '--json'])).toBe(0);
    const { token, learner } = JSON.parse(out.at(-1)!);
    const store = await openMentorStore(join(home, 'mentor.json'));
    try {
      expect(await store.learnerByTokenHash(sha256Hex(token))).toMatchObject({ id: learner.id, name: 'Linus', cohortId: cohort.id });
      expect(await verifyPassword('from the environment', (await store.mentorByEmail('ada@example.org'))!.passwordHash)).toBe(true);
      expect(await verifyPassword('typed at the prompt', (await store.mentorByEmail('grace@example.org'))!.passwordHash)).toBe(true);
    } finally {
      await store.close();
    }
    expect(err).toEqual([]);
  });

  it('errors with exit 2 and a next step for a short password, a missing option, an unknown mentor or cohort', async () => {
    expect(await run(['add-mentor', '--email', 'a@example.org', '--name', 'A'], { MLOPS_LAB_MENTOR_PASSWORD: 'short' })).toBe(2);
    expect(await run(['add-cohort', '--name', 'x'])).toBe(2);
    expect(await run(['add-cohort', '--mentor', 'nobody@example.org', '--name', 'x'])).toBe(2);
    expect(await run(['add-learner', '--cohort', 'no-such-cohort', '--name', 'x'])).toBe(2);
    expect(err.filter((l) => l.startsWith('error '))).toEqual([
      'error The password has 5 characters; a mentor password needs at least 10.',
      'error add-cohort needs --mentor.',
      'error There is no mentor with the email nobody@example.org.',
      'error There is no cohort no-such-cohort.',
    ]);
    expect(err.filter((l) => l.startsWith('next: '))).toHaveLength(4);
  });

  it('returns a seeded cohort and prints the mentor login that works', async () => {
    expect(await run(['seed', '--learners', '4', '--seed', 'cli'], { MLOPS_LAB_MENTOR_PASSWORD: 'seeded mentor password' })).toBe(0);
    expect(out.join('\n')).toMatch(/4 learners, \d+ synced attempts over \d+ labs; .+ is stuck, .+ inactive\./);
    expect(out.join('\n')).toContain('email:    mentor-cli@example.org');
    expect(out.join('\n')).toContain('password: seeded mentor password');
    const store = await openMentorStore(join(home, 'mentor.json'));
    try {
      const mentor = (await store.mentorByEmail('mentor-cli@example.org'))!;
      expect(await verifyPassword('seeded mentor password', mentor.passwordHash)).toBe(true);
      const [cohort] = await store.cohortsOf(mentor.id);
      expect(await store.learnersOf(cohort!.id)).toHaveLength(4);
    } finally {
      await store.close();
    }
  });
});
