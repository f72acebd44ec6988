import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAllLabs, type LoadedLab } from '../lab/load.ts';
import { SettingsStore, settingsFile } from '../settings/settings.ts';
import { ProgressStore } from '../store/store.ts';
import { attempt } from './__fixtures__/curriculum.ts';
import { loadReadinessContent, parseReadinessFile, type ReadinessContent } from './content.ts';
import { readReadiness } from './index.ts';

let labs: LoadedLab[];
let content: ReadinessContent;

beforeAll(async () => {
  labs = await loadAllLabs();
  content = await loadReadinessContent({ labs });
});

describe('loadReadinessContent (the real curriculum)', () => {
  it('has the nine ranked skills, weighted 9 down to 1', () => {
    expect(content.skills.map((s) => [s.rank, s.weight])).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9].map((r) => [r, 10 - r]));
    expect(content.skills.map((s) => s.id)).toEqual([
      'production-python',
      'kubernetes',
      'cloud-platform',
      'pipeline-orchestration',
      'model-serving',
      'experiment-tracking',
      'drift-monitoring',
      'ml-fundamentals',
      'observability',
    ]);
  });

  it('maps every skill to evidence: at least one lab or capstone milestone, and every lab to a known skill', () => {
    const ids = new Set(content.skills.map((s) => s.id));
    for (const lab of content.labs)
      expect(
        lab.skills.filter((s) => !ids.has(s)),
        lab.id,
      ).toEqual([]);
    for (const skill of content.skills) {
      const sources = [
        ...content.labs.filter((l) => l.skills.includes(skill.id)),
        ...content.milestones.filter((m) => m.skills.includes(skill.id)),
      ];
      expect(sources.length, `${skill.id} has no evidence source`).toBeGreaterThan(0);
    }
    expect(content.labs.length).toBe(labs.length);
  });

  it('has capstone milestones M1..M7 and maturity levels 0..4, each level needing milestones that exist', () => {
    expect(content.milestones.map((m) => m.id)).toEqual([1, 2, 3, 4, 5, 6, 7].map((n) => `capstone/M${n}`));
    expect(content.maturity.map((l) => l.level)).toEqual([0, 1, 2, 3, 4]);
    // Every milestone counts towards some level, so a finished capstone reaches level 4.
    expect(new Set(content.maturity.flatMap((l) => l.requires))).toEqual(new Set(content.milestones.map((m) => m.id)));
  });

  it('orders the stages by priority and reads every path', () => {
    expect(content.stages.map((s) => s.id)).toEqual([
      'docker',
      'kubernetes',
      'cicd',
      'mlflow',
      'dvc',
      'serving',
      'monitoring',
      'iac',
      'capstone',
    ]);
    expect(content.paths.map((p) => p.id).sort()).toEqual(['backend-platform', 'devops-sre', 'ml-data-science', 'no-engineering']);
  });
});

describe('parseReadinessFile', () => {
  it('errors naming the field when a milestone names an unknown skill or a level an unknown milestone', () => {
    const text = `skills:
  - { id: a, rank: 1, weight: 1, title: A, summary: s }
milestones:
  - { id: capstone/M1, title: t, portfolio: p, skills: [b], minutes: 10 }
maturity:
  - { level: 1, title: t, summary: s, requires: [capstone/M2] }
`;
    expect(() => parseReadinessFile(text)).toThrow(
      /milestones\[0\]\.skills\[0\]: unknown skill "b"[\s\S]*maturity\[0\]\.requires\[0\]: unknown milestone "capstone\/M2"/,
    );
    expect(() =>
      parseReadinessFile(
        'skills:\n  - { id: a, rank: 1, weight: 1, title: A, summary: s }\nmilestones:\n  - { id: M1, title: t, portfolio: p, skills: [a], minutes: 1 }\n',
      ),
    ).toThrow(/milestones\[0\]\.id/);
  });
});

describe('readReadiness', () => {
  let home: string;
  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'mlops-lab-readiness-'));
  });
  afterAll(async () => {
    await rm(home, { recursive: true, force: true });
  });

  it('reads the store and settings: zero for a new learner, then the skill moves after a stored pass', async () => {
    const env = { MLOPS_LAB_HOME: home };
    const now = new Date('2026-06-01T12:00:00Z');
    const fresh = await readReadiness({ learner: 'ada', labs, env, now });
    expect(fresh.skills).toHaveLength(9);
    expect(fresh.skills.every((s) => s.score === 0)).toBe(true);
    expect(fresh.plan).toMatchObject({
      assumed: ['path', 'hoursPerWeek', 'startDate'],
      nextLab: { labId: 'docker/01-containerise-model-api' },
    });

    await SettingsStore.open(settingsFile(env)).update('ada', { path: 'devops-sre', hoursPerWeek: 8, startDate: '2026-05-01' });
    await ProgressStore.open(join(home, 'progress.json')).appendAttempt(
      attempt({ lab: 'docker/01-containerise-model-api', at: '2026-05-20T10:00:00Z' }),
    );
    const after = await readReadiness({ learner: 'ada', labs, env, now });
    const kube = after.skills.find((s) => s.id === 'kubernetes')!;
    expect(kube.score).toBeGreaterThan(0);
    expect(kube.evidence.find((e) => e.id === 'docker/01-containerise-model-api')).toMatchObject({ credit: 'own', factor: 1 });
    expect(after.plan).toMatchObject({ assumed: [], hoursPerWeek: 8, startDate: '2026-05-01', path: { id: 'devops-sre' } });
    expect(after.plan.nextLab?.labId).toBe('docker/02-fast-rebuilds');
    // Another learner on the same machine still starts from zero.
    expect((await readReadiness({ learner: 'grace', labs, env, now })).overall).toBe(0);
  });
});
