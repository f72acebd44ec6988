/**
 * The data behind the dashboard's bar charts (SkillBars, StageBars): what
 * each bar shows, its caption and the sentence a screen reader hears.
 * Pure, so the server-rendered tables and the chart islands agree.
 */
import type { SkillReadiness, StageReadiness } from '@mlops-lab/grader';
import { percent } from './chart.ts';

/** One skill as the chart draws it (score 0 to 100). */
export interface SkillBar {
  id: string;
  rank: number;
  title: string;
  score: number;
  label: string;
}

/** One stage as the chart draws it: shares 0 to 100 of its units passed by own work and only with the solution. */
export interface StageBar {
  id: string;
  title: string;
  own: number;
  solution: number;
  completion: number;
  caption: string;
}

export function skillBars(skills: readonly SkillReadiness[]): SkillBar[] {
  return skills.map((s) => ({ id: s.id, rank: s.rank, title: s.title, score: s.score, label: `${s.rank}. ${s.title}` }));
}

export function skillSummary(bars: readonly SkillBar[]): string {
  return bars.map((b) => `${b.label}: ${percent(b.score)}`).join('; ');
}

const unit = (s: StageReadiness): string => (s.stage === 'capstone' ? 'milestone' : 'lab');

/** "3/5 labs · 1 with the solution", or "labs coming" for a stage without labs yet. */
export function stageCaption(s: StageReadiness): string {
  if (!s.available && s.units === 0) return 'labs coming';
  const solved = s.solvedWithSolution > 0 ? ` · ${s.solvedWithSolution} with the solution` : '';
  return `${s.passed}/${s.units} ${unit(s)}${s.units === 1 ? '' : 's'}${solved}`;
}

export function stageBars(stages: readonly StageReadiness[]): StageBar[] {
  return stages.map((s) => ({
    id: s.stage,
    title: s.title,
    own: s.units > 0 ? (100 * s.passed) / s.units : 0,
    solution: s.units > 0 ? (100 * s.solvedWithSolution) / s.units : 0,
    completion: s.completion,
    caption: stageCaption(s),
  }));
}

export function stageSummary(bars: readonly StageBar[]): string {
  return bars.map((b) => `${b.title}: ${b.caption}`).join('; ');
}
