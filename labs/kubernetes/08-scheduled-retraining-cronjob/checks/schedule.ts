/**
 * A cron schedule read the way a reviewer reads it: the five fields of the
 * Kubernetes CronJob syntax (minute hour day-of-month month day-of-week,
 * names like `mon` and `jan`, `@daily`-style descriptors), each value in
 * range, and steps that make sense for their field. The API server accepts
 * `*\/61` (it fires at minute 0 only); a reviewer does not. Pure functions,
 * shared with the hold-out tests.
 */

interface Field {
  name: string;
  min: number;
  max: number;
  names?: Record<string, number>;
}

const FIELDS: Field[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  {
    name: 'month',
    min: 1,
    max: 12,
    names: { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 },
  },
  { name: 'day of week', min: 0, max: 6, names: { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 } },
];

const DESCRIPTORS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

export interface ScheduleReading {
  /** What is wrong, one sentence each; empty when the schedule is sound. */
  problems: string[];
  /** Runs on a day the schedule fires at all (minutes × hours). */
  runsPerDay: number;
}

function value(text: string, field: Field): number {
  const named = field.names?.[text.toLowerCase()];
  if (named !== undefined) return named;
  if (!/^\d+$/.test(text)) throw new Error(`"${text}" is not a number or a name in the ${field.name} field`);
  return Number(text);
}

/** The values one field selects, or an error sentence. */
function expand(expr: string, field: Field): Set<number> {
  const out = new Set<number>();
  for (const part of expr.split(',')) {
    const [range = '', stepText, extra] = part.split('/');
    if (extra !== undefined) throw new Error(`"${part}" has two slashes`);
    let start: number;
    let end: number;
    if (range === '*' || range === '?') {
      start = field.min;
      end = field.max;
    } else {
      const [low = '', high, more] = range.split('-');
      if (more !== undefined) throw new Error(`"${part}" has two hyphens`);
      start = value(low, field);
      end = high !== undefined ? value(high, field) : stepText !== undefined ? field.max : start;
    }
    if (start < field.min || end > field.max) throw new Error(`"${part}" is outside the ${field.name} range ${field.min}-${field.max}`);
    if (start > end) throw new Error(`"${part}" starts after it ends`);
    let step = 1;
    if (stepText !== undefined) {
      if (!/^\d+$/.test(stepText) || Number(stepText) === 0) throw new Error(`the step in "${part}" must be a positive number`);
      step = Number(stepText);
      const span = end - start + 1;
      if (step >= span)
        throw new Error(
          `the step ${step} in "${part}" is not smaller than the ${field.name} range (${span} values): it fires only at ${field.name} ${start}, surely not what was meant`,
        );
    }
    for (let v = start; v <= end; v += step) out.add(v);
  }
  return out;
}

/** Reads a schedule (and its timeZone, if set) as a reviewer would. */
export function readSchedule(schedule: string, timeZone?: string): ScheduleReading {
  const problems: string[] = [];
  let text = schedule.trim();
  if (/(^|\s)(CRON_)?TZ=/.test(text)) problems.push('`TZ=` inside the schedule is not supported; use the `timeZone` field');
  if (timeZone !== undefined) {
    try {
      new Intl.DateTimeFormat('en', { timeZone });
    } catch {
      problems.push(`timeZone "${timeZone}" is not an IANA time zone name (e.g. "Etc/UTC", "Europe/Berlin")`);
    }
  }
  if (text.startsWith('@every')) {
    const match = /^@every\s+(\d+)(s|m|h)$/.exec(text);
    if (!match) return { problems: [...problems, `"${text}" is not a duration like "@every 6h"`], runsPerDay: 0 };
    const seconds = Number(match[1]) * { s: 1, m: 60, h: 3600 }[match[2] as 's' | 'm' | 'h'];
    return { problems, runsPerDay: seconds > 0 ? Math.floor(86_400 / seconds) : Infinity };
  }
  if (text.startsWith('@')) {
    const expanded = DESCRIPTORS[text];
    if (!expanded)
      return {
        problems: [...problems, `"${text}" is not a known descriptor (@hourly, @daily, @weekly, @monthly, @yearly)`],
        runsPerDay: 0,
      };
    text = expanded;
  }
  const parts = text.split(/\s+/).filter(Boolean);
  if (parts.length !== 5)
    return {
      problems: [...problems, `a schedule has 5 fields (minute hour day-of-month month day-of-week); "${schedule}" has ${parts.length}`],
      runsPerDay: 0,
    };
  const sets: Set<number>[] = [];
  parts.forEach((part, i) => {
    try {
      sets.push(expand(part, FIELDS[i]!));
    } catch (error) {
      problems.push((error as Error).message);
      sets.push(new Set());
    }
  });
  return { problems, runsPerDay: sets[0]!.size * sets[1]!.size };
}
