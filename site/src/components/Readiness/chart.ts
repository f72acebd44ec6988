/**
 * Small helpers for the dashboard's charts: a linear scale, day arithmetic
 * on YYYY-MM-DD and month ticks for the plan timeline (an SVG rendered by
 * Astro), and the percentages the recharts islands (SkillBars, StageBars)
 * print. No Node APIs: the islands bundle it.
 */

const DAY_MS = 86_400_000;
// One formatter each: creating an Intl formatter per call is slow on a per-request page.
const DAY_FORMAT = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
const MONTH_FORMAT = new Intl.DateTimeFormat('en-GB', { month: 'short', year: '2-digit', timeZone: 'UTC' });

export function dayMs(day: string): number {
  return Date.parse(`${day}T00:00:00Z`);
}

/** A linear map from [d0, d1] to [r0, r1], clamped. */
export function scale(d0: number, d1: number, r0: number, r1: number): (x: number) => number {
  const span = d1 - d0 || 1;
  return (x) => r0 + (Math.min(Math.max(x, d0), d1) - d0) * ((r1 - r0) / span);
}

/** The first day of each month inside [from, to], thinned to at most `max` ticks. */
export function monthTicks(from: string, to: string, max = 8): { day: string; label: string }[] {
  const start = new Date(dayMs(from));
  const end = dayMs(to);
  const ticks: { day: string; label: string }[] = [];
  for (let y = start.getUTCFullYear(), m = start.getUTCMonth() + 1; ; m++) {
    const t = Date.UTC(y, m, 1);
    if (t > end) break;
    const d = new Date(t);
    ticks.push({
      day: d.toISOString().slice(0, 10),
      label: MONTH_FORMAT.format(d),
    });
    if (ticks.length > 400) break;
  }
  const step = Math.ceil(ticks.length / max) || 1;
  return ticks.filter((_, i) => i % step === 0);
}

/** "12 Mar 2027" for a YYYY-MM-DD day. */
export function formatDay(day: string): string {
  return DAY_FORMAT.format(new Date(dayMs(day)));
}

/** Whole days between two YYYY-MM-DD days. */
export function daysBetween(a: string, b: string): number {
  return Math.round((dayMs(b) - dayMs(a)) / DAY_MS);
}

/** A percentage for display: whole numbers, "<1%" for a sliver. */
export function percent(score: number): string {
  if (score > 0 && score < 1) return '<1%';
  return `${Math.round(score)}%`;
}
