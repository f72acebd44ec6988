import { describe, expect, it } from 'vitest';
import { daysBetween, formatDay, monthTicks, percent, scale } from './chart.ts';

describe('scale', () => {
  it('maps linearly and clamps outside the domain', () => {
    const x = scale(0, 100, 10, 210);
    expect([x(0), x(50), x(100), x(-5), x(500)]).toEqual([10, 110, 210, 10, 210]);
    expect(scale(5, 5, 0, 10)(5)).toBe(0);
  });
});

describe('monthTicks', () => {
  it('puts a tick on the first of each month inside the range', () => {
    expect(monthTicks('2026-11-22', '2027-03-29').map((t) => t.day)).toEqual(['2026-12-01', '2027-01-01', '2027-02-01', '2027-03-01']);
    expect(monthTicks('2026-11-22', '2027-03-29')[0]!.label).toBe('Dec 26');
  });

  it('thins a long range to at most the given number of ticks', () => {
    const ticks = monthTicks('2026-01-15', '2029-01-15', 8);
    expect(ticks.length).toBeLessThanOrEqual(8);
    expect(ticks[0]!.day).toBe('2026-02-01');
  });
});

describe('formatDay, daysBetween, percent', () => {
  it('formats days and percentages for learners', () => {
    expect(formatDay('2027-03-29')).toBe('29 Mar 2027');
    expect(daysBetween('2026-02-27', '2026-03-01')).toBe(2);
    expect([percent(0), percent(0.4), percent(23.06), percent(100)]).toEqual(['0%', '<1%', '23%', '100%']);
  });
});
