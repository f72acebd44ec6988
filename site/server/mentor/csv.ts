/**
 * The cohort overview as CSV, one row per learner. Cells are quoted by
 * csv-stringify; text cells that a spreadsheet would run as a formula
 * (starting with = + - @, or a tab or carriage return) get a leading
 * apostrophe, so a learner named `=HYPERLINK(…)` stays a name.
 */
import { stringify } from 'csv-stringify/sync';
import type { CohortOverview } from './overview.ts';
import { describeStuck } from './stuck.ts';

const FORMULA_START = /^[=+\-@\t\r]/;

/** A text cell made safe for spreadsheets. Numbers are left alone (a negative number is not a formula). */
export function guardCell(value: string | number | null | undefined): string | number {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return value;
  return FORMULA_START.test(value) ? `'${value}` : value;
}

const percent = (fraction: number): number => Math.round(fraction * 100);

/** The export: name, last activity, readiness %, one column per stage (completion %), stuck reasons, capstone milestones. */
export function overviewCsv(overview: CohortOverview): string {
  const header = [
    'learner',
    'last activity',
    'readiness %',
    ...overview.stages.map((s) => `${s.title} %`),
    'stuck',
    'capstone milestones',
    'capstone maturity',
  ];
  const rows = overview.learners.map((l) => [
    l.name,
    l.lastActivityAt ?? '',
    percent(l.readiness.overall),
    ...overview.stages.map((s) => percent(l.stages[s.id]?.completion ?? 0)),
    l.stuck.map(describeStuck).join('; '),
    l.capstone.milestones.join(' '),
    l.capstone.maturity,
  ]);
  return stringify(
    [header, ...rows].map((row) => row.map(guardCell)),
    { record_delimiter: 'windows' },
  );
}

/** A file name for the export: the cohort's name, reduced to safe characters. */
export function csvFileName(cohortName: string): string {
  const slug = cohortName
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .toLowerCase();
  return `${slug || 'cohort'}-progress.csv`;
}
