/**
 * What the mentor pages say about a learner, as pure functions (tested in
 * format.test.ts): the stuck reasons in words, the order of the heatmap's
 * rows, the heatmap's colour steps, relative activity, capstone status.
 */
import type { CohortLearner, StuckReason, TimelineCheck } from './types.ts';

const DAY_MS = 86_400_000;

/** "failed check image-runs-as-non-root of lab Containerise a model API 4 times" / "inactive for 9 days". */
export function stuckReason(reason: StuckReason, labTitle: (labId: string) => string = (id) => id): string {
  if (reason.kind === 'inactive') return `inactive for ${reason.days} day${reason.days === 1 ? '' : 's'}`;
  return `failed check ${reason.checkId} of lab ${labTitle(reason.labId)} ${reason.failures} times`;
}

/** Stuck learners first (the one stuck longest or on most counts first), then everyone by name. */
export function orderLearners(learners: readonly CohortLearner[]): CohortLearner[] {
  const byName = (a: CohortLearner, b: CohortLearner): number =>
    a.name.localeCompare(b.name, 'en', { sensitivity: 'base' }) || a.id.localeCompare(b.id);
  return [...learners].sort((a, b) => {
    const stuck = Number(b.stuck.length > 0) - Number(a.stuck.length > 0);
    if (stuck !== 0) return stuck;
    if (a.stuck.length > 0 && b.stuck.length !== a.stuck.length) return b.stuck.length - a.stuck.length;
    return byName(a, b);
  });
}

/** The heatmap's colour step for a completion in 0..1: 0 none, 1..4 quarters, 5 complete. */
export function heatLevel(completion: number): 0 | 1 | 2 | 3 | 4 | 5 {
  if (!(completion > 0)) return 0;
  if (completion >= 1) return 5;
  return (Math.min(3, Math.floor(completion * 4)) + 1) as 1 | 2 | 3 | 4;
}

/** The legend of the heatmap's steps, in words. */
export const HEAT_LEGEND: { level: ReturnType<typeof heatLevel>; label: string }[] = [
  { level: 0, label: '0%' },
  { level: 1, label: '1–24%' },
  { level: 2, label: '25–49%' },
  { level: 3, label: '50–74%' },
  { level: 4, label: '75–99%' },
  { level: 5, label: '100%' },
];

/** A share in 0..1 as a whole percentage ("<1%" for a sliver). */
export function percentOf(share: number): string {
  if (share > 0 && share < 0.01) return '<1%';
  return `${Math.round(Math.min(Math.max(share, 0), 1) * 100)}%`;
}

/** Overall readiness (a share in 0..1, as the mentor API sends it) as a percentage. */
export function readinessPercent(overall: number): string {
  return percentOf(overall);
}

/** "within a day", "1 day ago", "9 days ago" (whole days, as the stuck rules count them), or "never synced". */
export function lastActivity(iso: string | null, now: Date = new Date()): string {
  if (!iso) return 'never synced';
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return 'unknown';
  const days = Math.floor((now.getTime() - at) / DAY_MS);
  if (days <= 0) return 'within a day';
  return `${days} day${days === 1 ? '' : 's'} ago`;
}

/** "2026-11-22 07:52 UTC". */
export function formatTime(iso: string): string {
  const t = new Date(iso);
  return Number.isNaN(t.getTime()) ? iso : `${t.toISOString().replace('T', ' ').slice(0, 16)} UTC`;
}

/** "M1, M2 · maturity 1" or "not started". */
export function capstoneStatus(capstone: CohortLearner['capstone']): string {
  if (capstone.milestones.length === 0) return capstone.maturity > 0 ? `maturity ${capstone.maturity}` : 'not started';
  return `${capstone.milestones.map((m) => m.replace(/^capstone\//, '')).join(', ')} · maturity ${capstone.maturity}`;
}

/** "3 of 9 checks pass". */
export function checkSummary(checks: readonly TimelineCheck[]): string {
  const passing = checks.filter((c) => c.status === 'pass').length;
  return `${passing} of ${checks.length} check${checks.length === 1 ? '' : 's'} pass`;
}
