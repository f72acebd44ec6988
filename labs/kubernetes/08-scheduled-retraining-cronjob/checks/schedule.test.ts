import { describe, expect, it } from 'vitest';
import { readSchedule } from './schedule.ts';

describe('readSchedule', () => {
  it('counts the runs of a sound schedule', () => {
    expect(readSchedule('0 3 * * *', 'Etc/UTC')).toEqual({ problems: [], runsPerDay: 1 });
    expect(readSchedule('@hourly')).toEqual({ problems: [], runsPerDay: 24 });
    expect(readSchedule('*/10 * * * *').runsPerDay).toBe(144);
    expect(readSchedule('30 2 * * mon-fri').problems).toEqual([]);
    expect(readSchedule('@every 6h').runsPerDay).toBe(4);
  });

  it('flags a step the API server accepts but no one means', () => {
    expect(readSchedule('*/61 * * * *').problems[0]).toMatch(/step 61 .* not smaller than the minute range \(60 values\)/);
    expect(readSchedule('0 */24 * * *').problems[0]).toMatch(/step 24/);
  });

  it('flags what the API server refuses, and a bad time zone', () => {
    expect(readSchedule('0 25 * * *').problems[0]).toBe('"25" is outside the hour range 0-23');
    expect(readSchedule('0 3 * *').problems[0]).toMatch(/has 4/);
    expect(readSchedule('TZ=Europe/Berlin 0 3 * * *').problems[0]).toMatch(/timeZone/);
    expect(readSchedule('0 3 * * *', 'Mars/Olympus').problems[0]).toMatch(/IANA/);
  });
});
