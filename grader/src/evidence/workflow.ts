/**
 * GitHub Actions workflows as GitHub reads them. Each file goes through a
 * guarded YAML read first (size, alias and nesting caps, keys that YAML 1.1
 * would turn into booleans), then through GitHub's own parser,
 * @actions/workflow-parser: the workflow schema, `${{ }}` expressions, cron
 * syntax, `needs` that name unknown jobs. Its errors come back as problems
 * with the file, the line and the YAML path (`jobs.test.steps[1].run`).
 * Checks then judge the plain data, with a line for every path.
 */
import type { WorkflowTemplate } from '@actions/workflow-parser';
import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Document, type Node } from 'yaml';
import { EvidenceError } from '../errors.ts';
import type { WorkspaceFiles } from './files.ts';
import { loadWorkflowParser } from './workflow/load-parser.ts';

/** Caps that keep a hostile or mistaken workflow from stalling the grader. */
export const WORKFLOW_LIMITS = {
  maxFileBytes: 256 * 1024,
  /** Alias references (a "billion laughs" bomb needs many; GitHub's parser expands every one). */
  maxAliasCount: 50,
  /** Nesting of maps and lists. Real workflows stay under 12. */
  maxDepth: 40,
  /** Workflow files under .github/workflows/. */
  maxFiles: 30,
} as const;

export const WORKFLOWS_DIR = '.github/workflows';

export type YamlPath = readonly (string | number)[];

/** One thing wrong with a workflow, at a file, line and YAML path. */
export interface WorkflowProblem {
  file: string;
  /** 1-based; 0 when the problem is about the whole file. */
  line: number;
  /** Dotted YAML path such as `jobs.test.steps[1].run`; empty for the whole file. */
  path: string;
  message: string;
}

export interface WorkflowStep {
  index: number;
  line: number;
  name: string | undefined;
  id: string | undefined;
  uses: string | undefined;
  run: string | undefined;
  if: string | undefined;
  with: Record<string, unknown>;
  env: Record<string, unknown>;
  /** What a person calls the step: its name, its `uses`, or the first line of `run`. */
  label: string;
  raw: Record<string, unknown>;
}

export interface WorkflowJob {
  id: string;
  line: number;
  needs: string[];
  if: string | undefined;
  /** Job-level `permissions:` as written (undefined when absent). */
  permissions: unknown;
  environment: unknown;
  outputs: Record<string, unknown>;
  steps: WorkflowStep[];
  /** `uses:` of a reusable-workflow job. */
  uses: string | undefined;
  raw: Record<string, unknown>;
}

export interface WorkflowModel {
  /** Workspace-relative path. */
  file: string;
  /** The workflow as plain data (YAML 1.2, as GitHub reads it). */
  data: Record<string, unknown>;
  /** Problems found by the YAML read and by GitHub's parser; the model is only trustworthy when this is empty. */
  problems: WorkflowProblem[];
  /** The events as GitHub's parser normalises `on:` (string, list or map); empty when the parser refused the file. */
  events: WorkflowTemplate['events'];
  /** Workflow-level `permissions:` as written (undefined when absent). */
  permissions: unknown;
  jobs: WorkflowJob[];
  /** 1-based line of a path (a missing path gives its nearest existing parent's line). */
  lineOf(path: YamlPath): number;
  /** `file:line path`, for messages. */
  where(path: YamlPath): string;
}

function bad(file: string, message: string, nextStep: string): EvidenceError {
  return new EvidenceError('WORKFLOW_UNREADABLE', `${file}: ${message}`, nextStep);
}

/** `jobs.test.steps[1].run`; odd keys quoted: `with["python-version"]` stays `with.python-version`. */
export function formatYamlPath(path: YamlPath): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (/^[\w-]+$/.test(part)) out += out === '' ? part : `.${part}`;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out;
}

/** The workflow files of the workspace (`.github/workflows/*.yml|yaml`), sorted. */
export async function listWorkflowFiles(files: WorkspaceFiles): Promise<string[]> {
  if (!(await files.exists(WORKFLOWS_DIR))) return [];
  const found = (await files.list(WORKFLOWS_DIR, { maxEntries: 200 }))
    .map((f) => f.path)
    .filter((p) => /\.ya?ml$/i.test(p) && !p.slice(WORKFLOWS_DIR.length + 1).includes('/'))
    .sort();
  if (found.length > WORKFLOW_LIMITS.maxFiles) {
    throw new EvidenceError(
      'TOO_MANY_WORKFLOWS',
      `${WORKFLOWS_DIR}/ holds ${found.length} workflow files; the grader reads at most ${WORKFLOW_LIMITS.maxFiles}.`,
      `Keep only this lab's workflows in ${WORKFLOWS_DIR}/.`,
    );
  }
  return found;
}

/** Reads and parses one workflow file of the workspace; throws EvidenceError for input the grader refuses to read. */
export async function readWorkflow(files: WorkspaceFiles, file: string): Promise<WorkflowModel> {
  const text = await files.readText(file, { maxBytes: WORKFLOW_LIMITS.maxFileBytes });
  return await parseWorkflowText(text, file);
}

interface Located {
  path: YamlPath;
  line: number;
}

/** YAML read with the grader's guards: plain data, problems, and the line of every path. */
export interface GuardedYaml {
  file: string;
  /** The document as plain data (YAML 1.2); empty when there are problems. */
  data: Record<string, unknown>;
  /** Syntax errors, a `%YAML 1.1` directive, keys that are not strings, a document that is not a map. */
  problems: WorkflowProblem[];
  lineOf(path: YamlPath): number;
  where(path: YamlPath): string;
  /** The YAML path of the deepest key or item starting on a line ('' when none). */
  pathAtLine(line: number): string;
}

/**
 * Reads CI configuration YAML safely: size cap, alias cap (checked before
 * anything expands them), nesting cap, duplicate keys refused, and keys
 * that are not strings reported (a YAML 1.1 reader turns `on:` into `true:`).
 * Input the grader refuses to read throws an EvidenceError.
 */
export function parseGuardedYaml(text: string, file: string): GuardedYaml {
  if (text.length > WORKFLOW_LIMITS.maxFileBytes) {
    throw bad(
      file,
      `is ${text.length} bytes; the grader reads at most ${WORKFLOW_LIMITS.maxFileBytes}.`,
      'A CI file is a few KiB: check you saved the right file.',
    );
  }
  const lines = new LineCounter();
  let doc: Document.Parsed;
  try {
    doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: true });
  } catch (error) {
    // Nesting deep enough to exhaust the parser's stack, among others.
    throw bad(
      file,
      `cannot be read as YAML (${String((error as Error).message ?? error).slice(0, 160)}).`,
      'Write the file in block style, one key per line.',
    );
  }
  const lineAt = (offset: number | undefined): number => (offset === undefined ? 0 : lines.linePos(offset).line);
  const index: Located[] = [];
  const problems: WorkflowProblem[] = [];
  const result: GuardedYaml = {
    file,
    data: {},
    problems,
    lineOf: (path) => lineOfPath(doc, path, lineAt),
    where: (path) => `${file}:${lineOfPath(doc, path, lineAt)} ${formatYamlPath(path)}`,
    pathAtLine: (line) => formatYamlPath(index.find((l) => l.line === line)?.path ?? []),
  };
  for (const error of doc.errors) {
    if (/call stack/i.test(error.message))
      throw bad(file, `nests brackets too deeply to read.`, 'Write the file in block style, one key per line.');
    problems.push({ file, line: error.linePos?.[0]?.line ?? 0, path: '', message: `is not valid YAML: ${error.message.split('\n')[0]}` });
  }
  if (problems.length > 0) return result;
  if (doc.directives?.yaml.explicit && doc.directives.yaml.version === '1.1') {
    problems.push({
      file,
      line: 1,
      path: '',
      message:
        'declares `%YAML 1.1`: in YAML 1.1 `on`, `yes`, `no` and `off` are booleans, so `on:` would become `true:`. CI systems read YAML 1.2; remove the directive.',
    });
    return result;
  }
  const depth = indexNodes(doc.contents, [], lineAt, index, problems, file);
  if (depth > WORKFLOW_LIMITS.maxDepth) {
    throw bad(
      file,
      `nests maps and lists ${depth} levels deep; the grader reads at most ${WORKFLOW_LIMITS.maxDepth}.`,
      'A CI file needs far fewer levels: flatten it.',
    );
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: WORKFLOW_LIMITS.maxAliasCount });
  } catch (error) {
    throw bad(
      file,
      `${(error as Error).message} (the grader expands at most ${WORKFLOW_LIMITS.maxAliasCount} aliases; GitHub's parser expands every one).`,
      'Write the repeated parts out, or use fewer YAML anchors and aliases.',
    );
  }
  if (!isRecord(data)) problems.push({ file, line: 1, path: '', message: 'must be a map of keys' });
  else if (problems.length === 0) result.data = data;
  return result;
}

/** Parses workflow text: the guarded YAML read, then GitHub's parser. Pure apart from loading the parser. */
export async function parseWorkflowText(text: string, file: string): Promise<WorkflowModel> {
  const yaml = parseGuardedYaml(text, file);
  const { problems, data } = yaml;
  const model: WorkflowModel = {
    file,
    data,
    problems,
    events: {},
    permissions: data.permissions,
    jobs: [],
    lineOf: yaml.lineOf,
    where: yaml.where,
  };
  if (problems.length > 0) return model;
  const parser = await loadWorkflowParser();
  const parsed = parser.parseWorkflow({ name: file, content: text }, new parser.NoOperationTraceWriter());
  for (const error of parsed.context.errors.getErrors()) {
    const line = error.range?.start.line ?? lineFromMessage(error.message);
    problems.push({ file, line, path: yaml.pathAtLine(line), message: error.rawMessage });
  }
  if (problems.length === 0 && parsed.value) {
    const template = await parser.convertWorkflowTemplate(parsed.context, parsed.value);
    for (const error of template.errors ?? []) {
      const line = lineFromMessage(error.Message);
      problems.push({ file, line, path: yaml.pathAtLine(line), message: error.Message.replace(/^.*?\(Line: \d+, Col: \d+\): /, '') });
    }
    model.events = template.events;
  }
  model.jobs = readJobs(data.jobs, model.lineOf);
  return model;
}

function lineFromMessage(message: string): number {
  const m = /\(Line: (\d+), Col: \d+\)/.exec(message);
  return m ? Number(m[1]) : 0;
}

/**
 * Records the line of every key and list item, refuses keys that are not
 * strings (a YAML 1.1 habit: `on:` read as `true:`), and returns the deepest
 * nesting, without following aliases.
 */
function indexNodes(
  node: unknown,
  path: (string | number)[],
  lineAt: (offset: number | undefined) => number,
  index: Located[],
  problems: WorkflowProblem[],
  file: string,
): number {
  const stack: { node: unknown; path: (string | number)[] }[] = [{ node, path }];
  let deepest = 0;
  while (stack.length > 0) {
    const { node: current, path: at } = stack.pop()!;
    deepest = Math.max(deepest, at.length);
    if (deepest > WORKFLOW_LIMITS.maxDepth) return deepest;
    if (isMap(current)) {
      for (const pair of current.items) {
        const key = isScalar(pair.key) ? pair.key.value : undefined;
        const line = lineAt((pair.key as Node | null)?.range?.[0]);
        if (typeof key !== 'string') {
          const shown = isScalar(pair.key) ? String(pair.key.source ?? pair.key.value) : 'a map or list';
          problems.push({
            file,
            line,
            path: formatYamlPath(at),
            message:
              typeof key === 'boolean'
                ? `the key \`${shown}\` is read as the boolean ${key}: write it as a plain word (GitHub reads YAML 1.2, where \`on\` is a string; a \`%YAML 1.1\` reader makes it \`true\`)`
                : `the key ${shown} is not a string; workflow keys are names`,
          });
          continue;
        }
        index.push({ path: [...at, key], line });
        stack.push({ node: pair.value, path: [...at, key] });
      }
    } else if (isSeq(current)) {
      current.items.forEach((item, i) => {
        index.push({ path: [...at, i], line: lineAt((item as Node | null)?.range?.[0]) });
        stack.push({ node: item, path: [...at, i] });
      });
    }
  }
  index.sort((a, b) => a.line - b.line || b.path.length - a.path.length);
  return deepest;
}

function lineOfPath(doc: Document.Parsed, path: YamlPath, lineAt: (offset: number | undefined) => number): number {
  for (let n = path.length; n > 0; n--) {
    const parent = n > 1 ? doc.getIn(path.slice(0, n - 1), true) : doc.contents;
    const last = path[n - 1];
    if (isMap(parent)) {
      const pair = parent.items.find((p) => isScalar(p.key) && p.key.value === last);
      if (pair) return lineAt((pair.key as Node).range?.[0]);
    } else if (isSeq(parent) && typeof last === 'number') {
      const item = parent.items[last] as Node | undefined;
      if (item?.range) return lineAt(item.range[0]);
    }
  }
  return 1;
}

function readJobs(jobs: unknown, lineOf: (path: YamlPath) => number): WorkflowJob[] {
  if (!isRecord(jobs)) return [];
  return Object.entries(jobs).map(([id, raw]) => {
    const job = isRecord(raw) ? raw : {};
    const steps = Array.isArray(job.steps) ? job.steps : [];
    return {
      id,
      line: lineOf(['jobs', id]),
      needs: typeof job.needs === 'string' ? [job.needs] : Array.isArray(job.needs) ? job.needs.map(String) : [],
      if: scalarText(job.if),
      permissions: job.permissions,
      environment: job.environment,
      outputs: isRecord(job.outputs) ? job.outputs : {},
      uses: typeof job.uses === 'string' ? job.uses : undefined,
      steps: steps.map((s, index): WorkflowStep => {
        const step = isRecord(s) ? s : {};
        const name = scalarText(step.name);
        const uses = typeof step.uses === 'string' ? step.uses : undefined;
        const run = scalarText(step.run);
        return {
          index,
          line: lineOf(['jobs', id, 'steps', index]),
          name,
          id: scalarText(step.id),
          uses,
          run,
          if: scalarText(step.if),
          with: isRecord(step.with) ? step.with : {},
          env: isRecord(step.env) ? step.env : {},
          label: name ?? uses ?? (run ? run.trim().split('\n')[0]!.slice(0, 60) : `step ${index + 1}`),
          raw: step,
        };
      }),
      raw: job,
    };
  });
}

function scalarText(value: unknown): string | undefined {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
