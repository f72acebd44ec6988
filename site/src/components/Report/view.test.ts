import { buildCapstoneReport, loadReadinessContent, type ReadinessContent } from '@mlops-lab/grader';
import { beforeAll, describe, expect, it } from 'vitest';
import { capstoneAttempt } from '../../../../grader/src/report/__fixtures__/capstone-attempts.ts';
import { figureRows, formatWhen, milestoneState, notRecorded } from './view.ts';

let content: ReadinessContent;
beforeAll(async () => {
  content = await loadReadinessContent({ labs: [] });
});

describe('figureRows', () => {
  it('returns each recorded figure formatted, with its provenance and the check that recorded it', () => {
    const attempt = capstoneAttempt({
      at: '2026-05-30T10:00:00Z',
      statuses: { 'm6-drift-alert-reaches-receiver': 'fail' },
      omit: ['m7-rollback-restores-previous'],
    });
    const report = buildCapstoneReport([attempt], content);
    const rows = figureRows(report);
    expect(rows.find((r) => r.key === 'p99Ms')).toMatchObject({
      label: 'Latency p99',
      value: '11 ms',
      provenance: 'verified',
      checkId: 'm5-serves-under-load',
      declared: false,
    });
    expect(rows.find((r) => r.key === 'dataset.rows')?.value).toBe('45,222 rows');
    expect(rows.find((r) => r.key === 'drift.method')).toMatchObject({ provenance: 'self-reported', declared: true, checkStatus: 'fail' });
    expect(rows.find((r) => r.key === 'drift.secondsToAlert')?.provenanceNote).toMatch(/did not pass/);
    expect(rows.some((r) => r.key.startsWith('rollback.'))).toBe(false);
    expect(notRecorded(report)).toEqual(['Rollback from version', 'Rollback to version', 'kubectl rollout undo invoked', 'Rollback time']);
  });
});

describe('milestoneState', () => {
  it('returns reached, not reached with the passing share, or not graded', () => {
    const report = buildCapstoneReport(
      [
        capstoneAttempt({
          at: '2026-05-30T10:00:00Z',
          statuses: { 'm5-requires-basic-auth': 'fail' },
          omit: ['m7-rollback-restores-previous'],
        }),
      ],
      content,
    );
    const byId = new Map(report.milestones.map((m) => [m.id, milestoneState(m)]));
    expect(byId.get('capstone/M1')).toEqual({ status: 'reached', text: 'reached' });
    expect(byId.get('capstone/M5')).toEqual({ status: 'not-reached', text: 'not reached: 1 of 2 checks pass' });
    expect(byId.get('capstone/M7')).toEqual({ status: 'not-graded', text: 'not graded in this attempt' });
  });
});

describe('formatWhen', () => {
  it('returns the day and time in UTC', () => {
    expect(formatWhen('2026-05-30T10:04:00+02:00')).toBe('30 May 2026, 08:04 UTC');
  });
});
