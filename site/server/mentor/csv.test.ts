import { describe, expect, it } from 'vitest';
import { csvFileName, guardCell, overviewCsv } from './csv.ts';
import type { CohortOverview } from './overview.ts';

describe('guardCell', () => {
  it('returns text that a spreadsheet would run as a formula with a leading apostrophe', () => {
    for (const evil of ['=1+1', '+1', '-2+3', '@SUM(A1)', '\t=1', '\r=1']) expect(guardCell(evil)).toBe(`'${evil}`);
  });

  it('returns other text and numbers unchanged', () => {
    expect(guardCell('Ada Lovelace')).toBe('Ada Lovelace');
    expect(guardCell(-5)).toBe(-5);
    expect(guardCell(null)).toBe('');
  });
});

describe('csvFileName', () => {
  it('returns a safe file name from any cohort name', () => {
    expect(csvFileName('Spring 2027 / "A"')).toBe('spring-2027-a-progress.csv');
    expect(csvFileName('"";\r\n')).toBe('cohort-progress.csv');
  });
});

describe('overviewCsv', () => {
  it('returns one row per learner with quoted, guarded cells', () => {
    const overview: CohortOverview = {
      cohort: { id: 'c', name: 'x' },
      generatedAt: '2027-01-01T00:00:00.000Z',
      stages: [{ id: 'docker', title: 'Containers, with Docker', labs: [] }],
      learners: [
        {
          id: 'l',
          name: '=HYPERLINK("http://evil.example","click")',
          lastActivityAt: null,
          attempts: 0,
          readiness: { overall: 0.426, skills: [] },
          stages: { docker: { completion: 0.6, passed: 3, attempted: 4, labs: 5 } },
          stuck: [{ kind: 'inactive', days: 9 }],
          capstone: { milestones: ['capstone/M1', 'capstone/M2'], maturity: 1 },
        },
      ],
    };
    expect(overviewCsv(overview).split('\r\n')).toEqual([
      'learner,last activity,readiness %,"Containers, with Docker %",stuck,capstone milestones,capstone maturity',
      '"\'=HYPERLINK(""http://evil.example"",""click"")",,43,60,inactive for 9 days,capstone/M1 capstone/M2,1',
      '',
    ]);
  });
});
