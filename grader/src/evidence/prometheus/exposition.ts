/**
 * A strict reader of the Prometheus text exposition format (version 0.0.4,
 * what prometheus_client, prom-client and every exporter serve on /metrics):
 * `# HELP`, `# TYPE`, samples with labels, histogram and summary children.
 * Written here rather than taken from a library so that every limit is ours
 * (lines, series, label counts, line length) and every problem comes back
 * as a line-numbered sentence a learner can act on, instead of a throw.
 *
 * Format reference: https://prometheus.io/docs/instrumenting/exposition_formats/
 */

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface Sample {
  /** The sample's own name, e.g. `x_bucket` of histogram `x`. */
  name: string;
  labels: Record<string, string>;
  value: number;
  /** 1-based line of the exposition. */
  line: number;
}

export interface MetricFamily {
  name: string;
  type: MetricType;
  /** True when a `# TYPE` line declared the type (otherwise `untyped`). */
  typed: boolean;
  help?: string;
  samples: Sample[];
}

export interface Exposition {
  /** Families by name, in order of first appearance. */
  families: Map<string, MetricFamily>;
  /** Line-numbered problems; the exposition is only trustworthy when empty. */
  problems: string[];
  sampleCount: number;
}

export const EXPOSITION_LIMITS = {
  /** Lines read; beyond them the rest is a problem, not parsed. */
  maxLines: 200_000,
  /** Samples kept. */
  maxSamples: 50_000,
  /** Characters per line. */
  maxLineLength: 16_384,
  /** Labels per sample. */
  maxLabels: 64,
  /** Problems kept (the first ones). */
  maxProblems: 20,
} as const;

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set<MetricType>(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const CHILD_SUFFIXES: Record<string, readonly string[]> = {
  histogram: ['_bucket', '_sum', '_count', '_created'],
  summary: ['_sum', '_count', '_created'],
  counter: ['_created'],
};

/** Parses an exposition; never throws. */
export function parseExposition(text: string, limits: Partial<Record<keyof typeof EXPOSITION_LIMITS, number>> = {}): Exposition {
  const caps = { ...EXPOSITION_LIMITS, ...limits };
  const families = new Map<string, MetricFamily>();
  const problems: string[] = [];
  const seenSeries = new Set<string>();
  let sampleCount = 0;
  const problem = (line: number, what: string): void => {
    if (problems.length < caps.maxProblems) problems.push(`line ${line}: ${what}`);
  };
  const familyFor = (sampleName: string): MetricFamily => {
    for (const family of families.values()) {
      if (family.name === sampleName) return family;
      const suffixes = CHILD_SUFFIXES[family.type] ?? [];
      if (suffixes.some((suffix) => sampleName === `${family.name}${suffix}`)) return family;
    }
    const created: MetricFamily = { name: sampleName, type: 'untyped', typed: false, samples: [] };
    families.set(sampleName, created);
    return created;
  };

  const lines = text.split('\n');
  if (lines.length > caps.maxLines) problem(caps.maxLines, `more than ${caps.maxLines} lines; the rest was not read`);
  for (let index = 0; index < Math.min(lines.length, caps.maxLines); index++) {
    const lineNo = index + 1;
    const raw = lines[index]!.replace(/\r$/, '');
    if (raw.trim() === '') continue;
    if (raw.length > caps.maxLineLength) {
      problem(lineNo, `line longer than ${caps.maxLineLength} characters`);
      continue;
    }
    if (raw.startsWith('#')) {
      const meta = /^#\s*(HELP|TYPE)\s+(\S+)(?:\s+(.*))?$/.exec(raw);
      if (!meta) continue; // a plain comment
      const [, keyword, name, rest = ''] = meta;
      if (!METRIC_NAME.test(name!)) {
        problem(lineNo, `invalid metric name "${name}" in # ${keyword}`);
        continue;
      }
      let family = families.get(name!);
      if (keyword === 'TYPE') {
        const type = rest.trim() as MetricType;
        if (!TYPES.has(type)) {
          problem(lineNo, `unknown type "${rest.trim()}" for ${name} (counter, gauge, histogram, summary or untyped)`);
          continue;
        }
        if (family?.typed) problem(lineNo, `second # TYPE line for ${name}`);
        else if (family && family.samples.length > 0) problem(lineNo, `# TYPE for ${name} comes after its samples`);
        if (!family) {
          family = { name: name!, type, typed: true, samples: [] };
          families.set(name!, family);
        } else {
          family.type = type;
          family.typed = true;
        }
      } else {
        if (!family) {
          family = { name: name!, type: 'untyped', typed: false, samples: [] };
          families.set(name!, family);
        }
        if (family.help !== undefined) problem(lineNo, `second # HELP line for ${name}`);
        family.help = rest.replace(/\\(n|\\)/g, (_, c: string) => (c === 'n' ? '\n' : '\\'));
      }
      continue;
    }
    const sample = parseSampleLine(raw, caps.maxLabels);
    if (typeof sample === 'string') {
      problem(lineNo, sample);
      continue;
    }
    const key = seriesKey(sample.name, sample.labels);
    if (seenSeries.has(key)) {
      problem(lineNo, `duplicate series ${key}`);
      continue;
    }
    if (sampleCount >= caps.maxSamples) {
      problem(lineNo, `more than ${caps.maxSamples} samples; the rest was not read`);
      break;
    }
    seenSeries.add(key);
    sampleCount++;
    familyFor(sample.name).samples.push({ ...sample, line: lineNo });
  }
  return { families, problems, sampleCount };
}

/** `name{a="1",b="2"}` with labels sorted: how a series is named in messages. */
export function seriesKey(name: string, labels: Record<string, string>): string {
  const parts = Object.keys(labels)
    .sort()
    .map((key) => `${key}="${labels[key]}"`);
  return parts.length > 0 ? `${name}{${parts.join(',')}}` : name;
}

function parseSampleLine(raw: string, maxLabels: number): Omit<Sample, 'line'> | string {
  const nameMatch = /^([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(raw);
  if (!nameMatch) return `not a sample line: "${raw.slice(0, 80)}"`;
  const name = nameMatch[1]!;
  let rest = raw.slice(name.length);
  const labels: Record<string, string> = {};
  if (rest.startsWith('{')) {
    let i = 1;
    for (;;) {
      while (rest[i] === ' ') i++;
      if (rest[i] === '}') {
        i++;
        break;
      }
      const labelMatch = /^([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"/.exec(rest.slice(i));
      if (!labelMatch) return `bad label syntax in ${name}: "${rest.slice(i, i + 40)}"`;
      const labelName = labelMatch[1]!;
      if (!LABEL_NAME.test(labelName)) return `invalid label name "${labelName}" in ${name}`;
      i += labelMatch[0].length;
      let value = '';
      for (;;) {
        const ch = rest[i];
        if (ch === undefined) return `unterminated label value in ${name}`;
        if (ch === '\\') {
          const next = rest[i + 1];
          value += next === 'n' ? '\n' : next === '"' ? '"' : next === '\\' ? '\\' : `\\${next ?? ''}`;
          i += 2;
          continue;
        }
        if (ch === '"') {
          i++;
          break;
        }
        value += ch;
        i++;
      }
      if (labelName in labels) return `label ${labelName} twice in ${name}`;
      labels[labelName] = value;
      if (Object.keys(labels).length > maxLabels) return `more than ${maxLabels} labels on ${name}`;
      while (rest[i] === ' ') i++;
      if (rest[i] === ',') {
        i++;
        continue;
      }
      if (rest[i] === '}') {
        i++;
        break;
      }
      return `expected , or } after label ${labelName} in ${name}`;
    }
    rest = rest.slice(i);
  }
  const fields = rest.trim().split(/\s+/);
  if (!/^\s/.test(rest) || fields.length === 0 || fields[0] === '') return `no value after ${name}`;
  if (fields.length > 2) return `unexpected text after the value of ${name}: "${fields.slice(2).join(' ').slice(0, 40)}"`;
  const value = parseValue(fields[0]!);
  if (value === undefined) return `value "${fields[0]}" of ${name} is not a number`;
  if (fields[1] !== undefined && !/^-?\d+$/.test(fields[1])) return `timestamp "${fields[1]}" of ${name} is not an integer`;
  return { name, labels, value };
}

function parseValue(text: string): number | undefined {
  if (text === '+Inf' || text === 'Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (text === 'NaN') return NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) return undefined;
  return Number(text);
}

/** Samples of a family (or of one of its children, e.g. `x_bucket`) whose labels include `match`. */
export function samplesOf(family: MetricFamily | undefined, sampleName: string, match: Record<string, string> = {}): Sample[] {
  if (!family) return [];
  return family.samples.filter((s) => s.name === sampleName && Object.entries(match).every(([k, v]) => s.labels[k] === v));
}

/** The sum of the values of matching samples (0 when none). */
export function sumOf(family: MetricFamily | undefined, sampleName: string, match: Record<string, string> = {}): number {
  return samplesOf(family, sampleName, match).reduce((total, s) => total + s.value, 0);
}

export interface HistogramSeries {
  /** Labels other than `le`. */
  labels: Record<string, string>;
  /** Upper bounds and cumulative counts, ascending, +Inf last when present. */
  buckets: { le: number; count: number }[];
  sum?: number;
  count?: number;
}

/** A histogram family's series, grouped by their labels other than `le`. */
export function histogramSeries(family: MetricFamily): HistogramSeries[] {
  const groups = new Map<string, HistogramSeries>();
  const group = (labels: Record<string, string>): HistogramSeries => {
    const rest = Object.fromEntries(Object.entries(labels).filter(([k]) => k !== 'le'));
    const key = seriesKey('', rest);
    let found = groups.get(key);
    if (!found) {
      found = { labels: rest, buckets: [] };
      groups.set(key, found);
    }
    return found;
  };
  for (const sample of family.samples) {
    if (sample.name === `${family.name}_bucket`) {
      const le = parseValue(sample.labels.le ?? '');
      if (le !== undefined) group(sample.labels).buckets.push({ le, count: sample.value });
    } else if (sample.name === `${family.name}_sum`) group(sample.labels).sum = sample.value;
    else if (sample.name === `${family.name}_count`) group(sample.labels).count = sample.value;
  }
  for (const series of groups.values()) series.buckets.sort((a, b) => a.le - b.le);
  return [...groups.values()];
}

/** What is inconsistent in a histogram family (empty when it is a well-formed histogram). */
export function histogramProblems(family: MetricFamily): string[] {
  const problems: string[] = [];
  if (family.type !== 'histogram') return [`${family.name} is a ${family.type}, not a histogram`];
  const bad = family.samples.filter((s) => s.name === `${family.name}_bucket` && parseValue(s.labels.le ?? '') === undefined);
  if (bad.length > 0) problems.push(`${family.name}_bucket has a sample without a numeric \`le\` label (line ${bad[0]!.line})`);
  const series = histogramSeries(family);
  if (series.length === 0) problems.push(`${family.name} has no _bucket samples yet`);
  for (const one of series) {
    const name = seriesKey(family.name, one.labels);
    const inf = one.buckets.at(-1);
    if (!inf || inf.le !== Infinity) problems.push(`${name} has no le="+Inf" bucket`);
    for (let i = 1; i < one.buckets.length; i++) {
      if (one.buckets[i]!.count < one.buckets[i - 1]!.count) {
        problems.push(
          `${name}: bucket le="${one.buckets[i]!.le}" counts fewer than le="${one.buckets[i - 1]!.le}" (buckets are cumulative)`,
        );
        break;
      }
    }
    if (one.count === undefined) problems.push(`${name} has no _count`);
    if (one.sum === undefined) problems.push(`${name} has no _sum`);
    if (inf?.le === Infinity && one.count !== undefined && inf.count !== one.count) {
      problems.push(`${name}: the +Inf bucket (${inf.count}) differs from _count (${one.count})`);
    }
  }
  return problems;
}
