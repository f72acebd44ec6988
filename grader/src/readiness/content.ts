import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { LabDefinitionError } from '../errors.ts';
import { formatIssues } from '../lab/friendly-errors.ts';
import { loadAllLabs, type LoadedLab } from '../lab/load.ts';
import { contentDir } from '../paths.ts';

/** A milestone id: `capstone/M1` … `capstone/M9`. */
const MILESTONE_ID = /^capstone\/M([1-9])$/;

/** content/skills.yaml: the nine ranked skills, the capstone milestones and the maturity levels. */
export const ReadinessFileSchema = z.object({
  skills: z
    .array(
      z.object({
        /** Skill id that labs name in `skills`. */
        id: z.string().min(1),
        /** 1 = most frequent in job postings. */
        rank: z.number().int().min(1),
        /** How much the skill counts in the overall readiness (the rank reversed: 9 … 1). */
        weight: z.number().positive(),
        title: z.string().min(1),
        summary: z.string().min(1),
      }),
    )
    .min(1),
  milestones: z
    .array(
      z
        .object({
          /** `capstone/M<n>`; capstone checks whose ids start with `m<n>-` give its evidence. */
          id: z.string().regex(MILESTONE_ID, 'a milestone id looks like capstone/M1'),
          title: z.string().min(1),
          /** The portfolio checklist item, as a reviewer would read it. */
          portfolio: z.string().min(1),
          /** Skill ids the milestone gives evidence for. */
          skills: z.array(z.string()).min(1),
          /** Weight of the milestone as evidence, like a lab's `minutes`. */
          minutes: z.number().positive(),
        })
        .strict(),
    )
    .default([]),
  maturity: z
    .array(
      z
        .object({
          /** 0 … 4 (Microsoft's MLOps maturity model). */
          level: z.number().int().min(0),
          title: z.string().min(1),
          summary: z.string().min(1),
          /** Milestone ids this level needs, on top of the levels below. */
          requires: z.array(z.string()).default([]),
        })
        .strict(),
    )
    .default([]),
});

/** A skill as the readiness model weighs it. */
export interface SkillDef {
  id: string;
  rank: number;
  weight: number;
  title: string;
  summary: string;
}

/** A capstone milestone (content/skills.yaml `milestones`). */
export interface MilestoneDef {
  /** `capstone/M<n>`. */
  id: string;
  /** n of `capstone/M<n>`: checks `m<n>-…` of a capstone lab belong to it. */
  number: number;
  title: string;
  portfolio: string;
  skills: string[];
  minutes: number;
}

export interface MaturityDef {
  level: number;
  title: string;
  summary: string;
  requires: string[];
}

/** A roadmap stage (content/stages/<id>.md frontmatter). */
export interface StageDef {
  id: string;
  title: string;
  /** Priority order, 1 … 9 (9 is the capstone). */
  order: number;
  /** Focused hours a newcomer needs. */
  hours: number;
}

/** An entry path (content/paths/<id>.md frontmatter). */
export interface PathDef {
  id: string;
  title: string;
  /** Stage ids in the order this path takes them. */
  stageOrder: string[];
  timeline: { minMonths: number; maxMonths: number; note: string };
  /** The path's CKA advice. */
  cka: string;
}

/** A lab as the readiness model needs it. */
export interface LabDef {
  id: string;
  stage: string;
  title: string;
  minutes: number;
  skills: string[];
}

/** Everything the readiness model reads besides attempts: the curriculum. */
export interface ReadinessContent {
  /** By rank, most frequent first. */
  skills: SkillDef[];
  /** By number, M1 first. */
  milestones: MilestoneDef[];
  /** By level, 0 first. */
  maturity: MaturityDef[];
  /** By order. */
  stages: StageDef[];
  paths: PathDef[];
  /** By id. */
  labs: LabDef[];
}

const StageFrontmatterSchema = z.object({ title: z.string().min(1), order: z.number().int(), hours: z.number().positive() });
const PathFrontmatterSchema = z.object({
  title: z.string().min(1),
  stageOrder: z.array(z.string()).min(1),
  timeline: z.object({ minMonths: z.number().positive(), maxMonths: z.number().positive(), note: z.string() }),
  cka: z.string().min(1),
});

/** Parses and cross-checks the text of content/skills.yaml. Throws LabDefinitionError naming the field. */
export function parseReadinessFile(
  text: string,
  file = 'content/skills.yaml',
): Pick<ReadinessContent, 'skills' | 'milestones' | 'maturity'> {
  const parsed = ReadinessFileSchema.safeParse(parseYaml(text));
  if (!parsed.success) {
    throw new LabDefinitionError(
      'CONTENT_INVALID',
      `${file} is invalid:\n${bullets(formatIssues(parsed.error.issues, '(file)'))}`,
      `Fix the fields named above in ${file}.`,
    );
  }
  const skills = [...parsed.data.skills].sort((a, b) => a.rank - b.rank);
  const skillIds = new Set(skills.map((s) => s.id));
  const problems: string[] = [];
  const milestones = parsed.data.milestones.map((m, i): MilestoneDef => {
    m.skills.forEach((s, j) => {
      if (!skillIds.has(s)) problems.push(`milestones[${i}].skills[${j}]: unknown skill "${s}"`);
    });
    return { ...m, number: Number(MILESTONE_ID.exec(m.id)?.[1]) };
  });
  const milestoneIds = new Set<string>();
  for (const m of milestones) {
    if (milestoneIds.has(m.id)) problems.push(`milestones: ${m.id} appears twice`);
    milestoneIds.add(m.id);
  }
  parsed.data.maturity.forEach((level, i) =>
    level.requires.forEach((r, j) => {
      if (!milestoneIds.has(r)) problems.push(`maturity[${i}].requires[${j}]: unknown milestone "${r}"`);
    }),
  );
  if (problems.length > 0) {
    throw new LabDefinitionError('CONTENT_INVALID', `${file} is invalid:\n${bullets(problems)}`, `Fix the fields named above in ${file}.`);
  }
  return {
    skills,
    milestones: milestones.sort((a, b) => a.number - b.number),
    maturity: [...parsed.data.maturity].sort((a, b) => a.level - b.level),
  };
}

function bullets(lines: string[]): string {
  return lines.map((l) => `  - ${l}`).join('\n');
}

/** The YAML frontmatter of a Markdown page, validated. */
function frontmatter<T>(text: string, schema: z.ZodType<T>, file: string): T {
  const match = /^---\r?\n([\s\S]*?)\r?\n---/.exec(text);
  const parsed = schema.safeParse(parseYaml(match?.[1] ?? ''));
  if (!parsed.success) {
    throw new LabDefinitionError(
      'CONTENT_INVALID',
      `${file}: the frontmatter is invalid:\n${bullets(formatIssues(parsed.error.issues, '(frontmatter)'))}`,
      `Fix the frontmatter of ${file}.`,
    );
  }
  return parsed.data;
}

// The dashboard derives readiness on every request: parsing YAML is most of
// that time, so a parsed file is kept until its size or mtime changes.
const parsedFiles = new Map<string, { key: string; value: unknown }>();

async function parsedFile<T>(file: string, parse: (text: string) => T): Promise<T> {
  const s = await stat(file);
  const key = `${s.size}:${s.mtimeMs}`;
  const hit = parsedFiles.get(file);
  if (hit?.key === key) return hit.value as T;
  const value = parse(await readFile(file, 'utf8'));
  parsedFiles.set(file, { key, value });
  return value;
}

async function markdownFiles<T>(dir: string, schema: z.ZodType<T>): Promise<{ id: string; data: T }[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.md')).sort();
  return Promise.all(
    files.map(async (f) => ({
      id: f.replace(/\.md$/, ''),
      data: await parsedFile(join(dir, f), (text) => frontmatter(text, schema, `content/${dir.split('/').at(-1)}/${f}`)),
    })),
  );
}

/** A loaded lab as the readiness model needs it. */
export function labDef(lab: LoadedLab): LabDef {
  const m = lab.manifest;
  return { id: m.id, stage: m.stage, title: m.title, minutes: m.minutes, skills: [...m.skills] };
}

/**
 * Reads the curriculum the readiness model needs: content/skills.yaml,
 * the stages' and paths' frontmatter, and the labs (given, or loaded).
 */
export async function loadReadinessContent(options: { labs?: LoadedLab[]; dir?: string } = {}): Promise<ReadinessContent> {
  const dir = options.dir ?? contentDir();
  const [file, stages, paths, labs] = await Promise.all([
    parsedFile(join(dir, 'skills.yaml'), (text) => parseReadinessFile(text)),
    markdownFiles(join(dir, 'stages'), StageFrontmatterSchema),
    markdownFiles(join(dir, 'paths'), PathFrontmatterSchema),
    options.labs ?? loadAllLabs(),
  ]);
  return {
    ...file,
    stages: stages
      .map((s) => ({ id: s.id, title: s.data.title, order: s.data.order, hours: s.data.hours }))
      .sort((a, b) => a.order - b.order),
    paths: paths.map((p) => ({ id: p.id, ...p.data })),
    labs: labs.map(labDef).sort((a, b) => a.id.localeCompare(b.id)),
  };
}
