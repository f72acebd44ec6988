import { beforeAll, describe, expect, it } from 'vitest';
import { loadReadinessContent, type ReadinessContent } from '../readiness/content.ts';
import { capstoneAttempt, capstoneSolveEvent } from './__fixtures__/capstone-attempts.ts';
import { buildCapstoneReport } from './build.ts';
import { renderReportMarkdown } from './markdown.ts';
import { CapstoneReportSchema } from './schema.ts';

let content: ReadinessContent;
const now = new Date('2026-06-01T12:00:00Z');

beforeAll(async () => {
  // The real curriculum: the seven milestones of content/skills.yaml (no lab is loaded).
  content = await loadReadinessContent({ labs: [] });
});

describe('buildCapstoneReport', () => {
  it('returns every milestone reached, verified figures and a bullet from them when every check passed', () => {
    const attempt = capstoneAttempt({ at: '2026-05-30T10:00:00Z' });
    const report = buildCapstoneReport([attempt], content, { learner: 'ada', now });

    expect(report.attempt).toMatchObject({ id: attempt.attemptId, selected: 'latest-own', status: 'pass' });
    expect(report.lab).toEqual({ id: 'capstone/01-monitored-ml-system', version: '1.0.0' });
    expect(report.learner).toBe('ada');
    expect(report.environment).toEqual({ grader: '0.1.0', node: 'v24.11.0', platform: 'linux-x64', docker: '28.5.1' });
    expect(report.credit).toMatchObject({ graded: 'learner', kind: 'own', ownWork: true });
    expect(report.milestones.map((m) => [m.id, m.reached])).toEqual([1, 2, 3, 4, 5, 6, 7].map((n) => [`capstone/M${n}`, true]));
    expect(report.milestones[4]!.checks.map((c) => c.id)).toEqual(['m5-serves-under-load', 'm5-requires-basic-auth']);
    expect(report.figures.precision).toMatchObject({
      value: 0.7134,
      provenance: 'verified',
      basis: 'measured',
      checkId: 'm1-training-is-reproducible',
      milestone: 'capstone/M1',
    });
    expect(report.figures.p99).toMatchObject({ value: 11.3, unit: 'ms', provenance: 'verified' });
    expect(report.figures.dataset.rows?.value).toBe(45222);
    expect(report.figures.rollback.seconds?.value).toBe(3.1);
    expect(report.resumeBullet).toMatchInlineSnapshot(
      `"Built and operated an income classifier on UCI Adult (45,222 rows): precision 0.71 / recall 0.69, every training run tracked in MLflow, packaged as a 187 MB non-root container for Kubernetes, retrained by CI/CD behind a gate against the champion, served behind basic auth at p99 11 ms under 50 req/s, a drift alert reaching Alertmanager 14 s after an input shift (none on clean traffic), rollback by registry alias in 3.1 s."`,
    );
    expect(report.resumeBulletBasis.figures).toEqual([
      'dataset.name',
      'dataset.rows',
      'precision',
      'recall',
      'image.sizeMb',
      'p99Ms',
      'load.rps',
      'drift.secondsToAlert',
      'drift.cleanAlerts',
      'rollback.seconds',
    ]);
    expect(report.recheck).toEqual({
      check: 'mlops-lab check capstone/01-monitored-ml-system',
      report: `mlops-lab report capstone/01-monitored-ml-system --attempt ${attempt.attemptId}`,
    });
    expect(CapstoneReportSchema.safeParse(JSON.parse(JSON.stringify(report))).success).toBe(true);
  });

  it('returns JSON with the keys precision, recall, p99, drift and resumeBullet, null where nothing was recorded', () => {
    const report = buildCapstoneReport([capstoneAttempt({ at: '2026-05-30T10:00:00Z', omit: ['m5-serves-under-load'] })], content, { now });
    const json = JSON.parse(JSON.stringify(report)) as Record<string, unknown> & { figures: Record<string, unknown> };
    expect(Object.keys(json)).toContain('resumeBullet');
    expect(Object.keys(json.figures)).toEqual(expect.arrayContaining(['precision', 'recall', 'p99', 'drift']));
    expect(json.figures.p99).toBeNull();
    expect(json.figures.precision).toMatchObject({ value: 0.7134 });
  });

  it('returns a bullet of the milestones reached only when some failed, and marks figures of failing checks self-reported', () => {
    const attempt = capstoneAttempt({
      at: '2026-05-30T10:00:00Z',
      omit: ['m2-runs-tracked', 'm3-image-builds-and-is-healthy', 'm4-workflow-gates-before-deploy', 'm7-rollback-restores-previous'],
      statuses: { 'm6-drift-alert-reaches-receiver': 'fail' },
      figures: { 'm6-drift-alert-reaches-receiver': { 'drift.method': 'ks', 'drift.secondsToAlert': 95, 'drift.cleanAlerts': 2 } },
    });
    const report = buildCapstoneReport([attempt], content, { now });
    expect(report.milestones.filter((m) => m.reached).map((m) => m.id)).toEqual(['capstone/M1', 'capstone/M5']);
    expect(report.milestones.find((m) => m.id === 'capstone/M6')).toMatchObject({ reached: false, checks: [{ status: 'fail' }] });
    expect(report.milestones.find((m) => m.id === 'capstone/M2')).toMatchObject({ reached: false, checks: [] });
    expect(report.figures.drift.secondsToAlert).toMatchObject({ value: 95, provenance: 'self-reported', checkStatus: 'fail' });
    expect(report.figures.drift.cleanAlerts).toMatchObject({ value: 2, provenance: 'self-reported' });
    expect(report.resumeBullet).toBe(
      'Built and operated an income classifier on UCI Adult (45,222 rows): precision 0.71 / recall 0.69, served behind basic auth at p99 11 ms under 50 req/s.',
    );
    expect(report.resumeBullet).not.toMatch(/drift|95/);
    expect(report.resumeBulletBasis.milestones).toEqual(['capstone/M1', 'capstone/M5']);
  });

  it('returns a verified figure of a milestone not reached, and keeps it out of the bullet', () => {
    // m5-serves-under-load passed and measured p99, but m5-requires-basic-auth failed: M5 is not reached.
    const attempt = capstoneAttempt({ at: '2026-05-30T10:00:00Z', statuses: { 'm5-requires-basic-auth': 'fail' } });
    const report = buildCapstoneReport([attempt], content, { now });
    expect(report.figures.p99).toMatchObject({ value: 11.3, provenance: 'verified' });
    expect(report.milestones.find((m) => m.id === 'capstone/M5')!.reached).toBe(false);
    expect(report.resumeBullet).not.toContain('p99');
    expect(report.resumeBullet).not.toContain('served');
    expect(report.resumeBullet).toContain('a drift alert reaching Alertmanager 14 s');
  });

  it('returns no figure the checks did not record: missing ones stay null and drop out of the bullet', () => {
    const attempt = capstoneAttempt({
      at: '2026-05-30T10:00:00Z',
      figures: {
        'm1-training-is-reproducible': { 'dataset.name': 'UCI Adult', precision: 0.71 },
        'm5-serves-under-load': { 'load.rps': 50 },
        'm6-drift-alert-reaches-receiver': {},
        'm7-rollback-restores-previous': {},
        'm3-image-builds-and-is-healthy': {},
      },
    });
    const report = buildCapstoneReport([attempt], content, { now });
    expect(report.figures.recall).toBeNull();
    expect(report.figures.dataset.rows).toBeNull();
    expect(report.figures.p99).toBeNull();
    expect(report.figures.drift.secondsToAlert).toBeNull();
    expect(report.figures.rollback.seconds).toBeNull();
    expect(report.resumeBullet).toMatchInlineSnapshot(
      `"Built and operated an income classifier on UCI Adult: precision 0.71, every training run tracked in MLflow, packaged as a non-root container for Kubernetes, retrained by CI/CD behind a gate against the champion, served behind basic auth, a drift alert reaching Alertmanager after an input shift, rollback by registry alias."`,
    );
    expect(report.resumeBullet).not.toMatch(/recall|rows|req\/s|p99| s\b/);
    expect(report.resumeBulletBasis.figures).toEqual(['dataset.name', 'precision']);
  });

  it('returns the drift method and threshold as self-reported and declared even when their check passed', () => {
    const report = buildCapstoneReport([capstoneAttempt({ at: '2026-05-30T10:00:00Z' })], content, { now });
    expect(report.figures.drift.method).toMatchObject({ value: 'ks', provenance: 'self-reported', basis: 'declared', checkStatus: 'pass' });
    expect(report.figures.drift.threshold).toMatchObject({ value: 0.05, provenance: 'self-reported', basis: 'declared' });
    expect(report.figures.drift.secondsToAlert).toMatchObject({ provenance: 'verified', basis: 'measured' });
    expect(report.resumeBullet).not.toMatch(/\bks\b|KS/);
  });

  it('returns no bullet and says so when the attempt graded the revealed solution', () => {
    const solved = capstoneAttempt({ at: '2026-05-30T10:00:00Z', credit: 'solution' });
    const report = buildCapstoneReport([solved], content, { events: [capstoneSolveEvent('2026-05-30T09:00:00Z')], now });
    expect(report.attempt.selected).toBe('latest');
    expect(report.credit).toMatchObject({ graded: 'solution', kind: 'solution', ownWork: false });
    expect(report.credit.statement).toMatch(/^Not your work/);
    expect(report.resumeBullet).toBeNull();
    expect(report.resumeBulletBasis.reason).toMatch(/reference solution, not your work/);
    // The measurements are still shown, with their provenance, for what they are.
    expect(report.figures.p99).toMatchObject({ value: 11.3, provenance: 'verified' });
    expect(renderReportMarkdown(report)).toContain('**Credit:** Not your work');
  });

  it('returns no bullet for own work graded after the solution was revealed, and prefers it over a newer solution attempt', () => {
    const own = capstoneAttempt({ at: '2026-05-30T10:00:00Z' });
    const solved = capstoneAttempt({ at: '2026-05-31T10:00:00Z', credit: 'solution' });
    const report = buildCapstoneReport([own, solved], content, { events: [capstoneSolveEvent('2026-05-29T09:00:00Z')], now });
    expect(report.attempt).toMatchObject({ id: own.attemptId, selected: 'latest-own' });
    expect(report.credit).toMatchObject({ graded: 'learner', kind: 'own-after-reveal', ownWork: false });
    expect(report.resumeBullet).toBeNull();
    expect(report.resumeBulletBasis.reason).toMatch(/revealed before this attempt/);
  });

  it('returns the latest own attempt that reached a milestone over a newer one that reached none, and null with a reason for that newer one', () => {
    const good = capstoneAttempt({ at: '2026-05-30T10:00:00Z' });
    const broken = capstoneAttempt({
      at: '2026-05-31T10:00:00Z',
      statuses: Object.fromEntries(
        [
          'm1-dependencies-pinned',
          'm2-runs-tracked',
          'm3-image-builds-and-is-healthy',
          'm4-workflow-gates-before-deploy',
          'm5-requires-basic-auth',
          'm6-drift-alert-reaches-receiver',
          'm7-rollback-restores-previous',
        ].map((id) => [id, 'fail' as const]),
      ),
    });
    expect(buildCapstoneReport([good, broken], content, { now }).attempt.id).toBe(good.attemptId);

    const only = buildCapstoneReport([broken], content, { now });
    expect(only.attempt).toMatchObject({ id: broken.attemptId, selected: 'latest' });
    expect(only.milestones.every((m) => !m.reached)).toBe(true);
    expect(only.resumeBullet).toBeNull();
    expect(only.resumeBulletBasis.reason).toMatch(/^No milestone was reached/);
    expect(only.figures.precision).toMatchObject({ provenance: 'verified' });
  });

  it('returns re-verified figures when a mentor server re-ran the checks, and still builds the bullet', () => {
    const report = buildCapstoneReport([capstoneAttempt({ at: '2026-05-30T10:00:00Z' })], content, { verifiedBy: 'mentor', now });
    expect(report.figures.p99?.provenance).toBe('re-verified');
    expect(report.figures.drift.method?.provenance).toBe('self-reported');
    expect(report.resumeBullet).toContain('p99 11 ms');
  });

  it('returns a figure of an unexpected type under other, never in its slot', () => {
    const attempt = capstoneAttempt({
      at: '2026-05-30T10:00:00Z',
      figures: { 'm5-serves-under-load': { p99Ms: '11 ms', 'load.rps': 50, 'cpu.cores': 2 } },
    });
    const report = buildCapstoneReport([attempt], content, { now });
    expect(report.figures.p99).toBeNull();
    expect(report.figures.other).toMatchObject({ p99Ms: { value: '11 ms', provenance: 'verified' }, 'cpu.cores': { value: 2 } });
    expect(report.resumeBullet).toContain('served behind basic auth,');
  });

  it('returns the attempt --attempt names, by id or an 8-character prefix, and only the learner’s own', () => {
    const first = capstoneAttempt({ at: '2026-05-29T10:00:00Z' });
    const second = capstoneAttempt({ at: '2026-05-30T10:00:00Z' });
    const other = capstoneAttempt({ at: '2026-05-30T11:00:00Z', learner: 'bob' });
    const all = [first, second, other];
    expect(buildCapstoneReport(all, content, { learner: 'ada', attemptId: first.attemptId, now }).attempt).toMatchObject({
      id: first.attemptId,
      selected: 'chosen',
    });
    expect(
      buildCapstoneReport(all, content, { learner: 'ada', attemptId: first.attemptId.slice(0, 8).toUpperCase(), now }).attempt.id,
    ).toBe(first.attemptId);
    expect(() => buildCapstoneReport(all, content, { learner: 'ada', attemptId: other.attemptId, now })).toThrow(
      expect.objectContaining({ code: 'ATTEMPT_UNKNOWN', message: `There is no attempt "${other.attemptId}" by ada.` }),
    );
    expect(() => buildCapstoneReport(all, content, { learner: 'ada', attemptId: 'abc', now })).toThrow(/at least 8 characters/);
  });

  it('errors if there is no capstone attempt, if the attempt is of another lab, or if the lab is not a capstone lab', () => {
    const docker = {
      ...capstoneAttempt({ at: '2026-05-30T10:00:00Z' }),
      lab: { id: 'docker/01-containerise-model-api', version: '1.0.0' },
    };
    expect(() => buildCapstoneReport([docker], content, { now })).toThrow(
      expect.objectContaining({
        code: 'REPORT_NONE',
        message: 'There is no attempt of capstone/01-monitored-ml-system yet, so there is nothing to report.',
        nextStep: 'Grade your capstone first: `mlops-lab check capstone/01-monitored-ml-system`.',
      }),
    );
    expect(() => buildCapstoneReport([docker], content, { attemptId: docker.attemptId, now })).toThrow(
      expect.objectContaining({ code: 'ATTEMPT_NOT_CAPSTONE' }),
    );
    expect(() => buildCapstoneReport([docker], content, { labId: 'docker/01-containerise-model-api', now })).toThrow(
      expect.objectContaining({ code: 'REPORT_NOT_CAPSTONE' }),
    );
  });
});

describe('renderReportMarkdown', () => {
  it('returns the credit, the bullet, a table of figures with provenance, the milestones and the exact commands to check again', () => {
    const attempt = capstoneAttempt({
      at: '2026-05-30T10:00:00Z',
      omit: ['m7-rollback-restores-previous'],
      statuses: { 'm6-drift-alert-reaches-receiver': 'fail' },
    });
    const md = renderReportMarkdown(buildCapstoneReport([attempt], content, { now }));
    expect(md).toContain('# Capstone report: capstone/01-monitored-ml-system');
    expect(md).toContain(`Attempt \`${attempt.attemptId}\``);
    expect(md).toContain('graded 2026-05-30 10:00 UTC by mlops-lab 0.1.0 (Node v24.11.0, linux-x64, Docker 28.5.1)');
    expect(md).toContain('**Credit:** Your own work');
    expect(md).toMatch(/^> Built and operated an income classifier on UCI Adult \(45,222 rows\)/m);
    expect(md).toContain('| Figure | Value | Provenance | Recorded by |');
    expect(md).toContain('| Precision (test split) | 0.7134 | verified | `m1-training-is-reproducible` (pass) |');
    expect(md).toContain('| Latency p99 | 11 ms | verified | `m5-serves-under-load` (pass) |');
    expect(md).toContain('| Dataset rows | 45,222 rows | verified |');
    expect(md).toContain('| Shift to alert | 14 s | self-reported | `m6-drift-alert-reaches-receiver` (fail) |');
    expect(md).toContain(
      '| Drift method (declared by /ready) | ks | self-reported | `m6-drift-alert-reaches-receiver` (fail, declared by the service) |',
    );
    expect(md).toContain(
      'Not recorded in this attempt (left out, never estimated): Rollback from version, Rollback to version, kubectl rollout undo invoked, Rollback time.',
    );
    expect(md).toContain('## Milestones (5 of 7 reached)');
    expect(md).toContain('- ✗ **M6. Drift detected and alerted on**: not reached (0 of 1 checks pass)');
    expect(md).toContain('- ○ **M7. Rollback and infrastructure as code**: not graded in this attempt');
    expect(md).toContain('```sh\nmlops-lab check capstone/01-monitored-ml-system\n```');
    expect(md).toContain(`mlops-lab report capstone/01-monitored-ml-system --attempt ${attempt.attemptId}`);
  });

  it('returns check text as inert Markdown: no HTML, pipes escaped in the table, one line per message', () => {
    const attempt = capstoneAttempt({
      at: '2026-05-30T10:00:00Z',
      figures: { 'm1-training-is-reproducible': { model: 'a|b <script>x</script>' } },
    });
    attempt.checks[1]!.message = 'line one\nline <b>two</b>';
    const md = renderReportMarkdown(buildCapstoneReport([attempt], content, { now }));
    expect(md).toContain('| Model | a\\|b &lt;script>x&lt;/script> |');
    expect(md).toContain('line one line &lt;b>two&lt;/b>');
    expect(md).not.toContain('<script>');
  });

  it('returns "None" and the reason when there is no bullet', () => {
    const md = renderReportMarkdown(
      buildCapstoneReport([capstoneAttempt({ at: '2026-05-30T10:00:00Z', credit: 'solution' })], content, { now }),
    );
    expect(md).toContain('## Resume bullet\n\nNone. No resume bullet: this attempt graded the revealed reference solution, not your work.');
    expect(md).not.toMatch(/^> /m);
  });
});
