/**
 * A learner's DVC repository: the `dvc` program by argv (JSON output where
 * DVC offers it), one command at a time per repository (DVC takes a
 * repository lock), and DVC's own files (`*.dvc`, `dvc.yaml`, `dvc.lock`,
 * `params.yaml`) parsed as YAML with size, alias and nesting caps.
 *
 * DVC runs with analytics off and its update check skipped, and keeps its
 * site cache (index, locks) under the workspace's `.dvc/tmp/`, so grading
 * leaves nothing outside the workspace.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { EvidenceError } from '../errors.ts';
import type { WorkspaceFiles } from './files.ts';
import { formatBytes } from './files.ts';
import type { ProcessEvidence, RunResult } from './process.ts';

export const DVC_LIMITS = {
  /** One dvc command (status, diff, push of a small data set); under a check's usual 60 s, so the check reports it. */
  timeoutMs: 45_000,
  maxOutputBytes: 512 * 1024,
  /** dvc.yaml, dvc.lock, params.yaml and .dvc files are small. */
  maxYamlBytes: 256 * 1024,
  maxAliasCount: 20,
  maxDepth: 12,
  /** The largest data file the grader hashes itself. */
  maxHashBytes: 512 * 1024 * 1024,
} as const;

function lastLine(text: string): string {
  return (
    text
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !/^(\+-|\||╭|╰|│)/.test(l))
      .at(-1) ?? ''
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function depthOf(value: unknown, limit: number, depth = 0): number {
  if (depth > limit || typeof value !== 'object' || value === null) return depth;
  let max = depth;
  for (const child of Object.values(value)) max = Math.max(max, depthOf(child, limit, depth + 1));
  return max;
}

function yamlError(file: string, line: number, what: string, hint?: string): EvidenceError {
  return new EvidenceError(
    'DVC_FILE_INVALID',
    `${file}${line > 0 ? `:${line}` : ''} ${what}`,
    hint ?? `Fix ${file}, or restore the committed version with \`git checkout -- ${file}\`.`,
  );
}

/** Parses YAML text of a DVC file with the caps above; pure. */
export function parseDvcYaml(text: string, file: string): unknown {
  const flow = [...text].reduce(
    (acc, ch) => {
      if (ch === '[' || ch === '{') acc.depth++;
      else if (ch === ']' || ch === '}') acc.depth--;
      acc.max = Math.max(acc.max, acc.depth);
      return acc;
    },
    { depth: 0, max: 0 },
  );
  if (flow.max > DVC_LIMITS.maxDepth) throw yamlError(file, 0, `nests lists and maps more than ${DVC_LIMITS.maxDepth} levels deep.`);
  const lineCounter = new LineCounter();
  let doc;
  try {
    doc = parseDocument(text, { lineCounter, uniqueKeys: true });
  } catch (error) {
    throw yamlError(file, 0, `cannot be parsed (${error instanceof Error ? error.message.slice(0, 200) : String(error)}).`);
  }
  const first = doc.errors[0];
  if (first) throw yamlError(file, first.linePos?.[0]?.line ?? 0, `is not valid YAML: ${first.message.split('\n')[0]}`);
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: DVC_LIMITS.maxAliasCount });
  } catch (error) {
    throw yamlError(file, 0, `${error instanceof Error ? error.message : String(error)} (at most ${DVC_LIMITS.maxAliasCount} aliases).`);
  }
  if (depthOf(data, DVC_LIMITS.maxDepth + 1) > DVC_LIMITS.maxDepth)
    throw yamlError(file, 0, `nests lists and maps more than ${DVC_LIMITS.maxDepth} levels deep.`);
  return data;
}

function issuesText(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || '(top level)'}: ${i.message}`)
    .join('; ');
}

async function readYaml<T>(files: WorkspaceFiles, path: string, schema: z.ZodType<T>, what: string): Promise<T> {
  const text = await files.readText(path, { maxBytes: DVC_LIMITS.maxYamlBytes });
  return parseYamlAs(text, path, schema, what);
}

/** Parses and validates YAML text of a DVC file; pure. */
export function parseYamlAs<T>(text: string, path: string, schema: z.ZodType<T>, what: string): T {
  const parsed = schema.safeParse(parseDvcYaml(text, path));
  if (!parsed.success) throw yamlError(path, 0, `is not ${what}: ${issuesText(parsed.error)}`);
  return parsed.data;
}

// ---------------------------------------------------------------- schemas

const OutputEntrySchema = z.object({
  path: z.string().min(1),
  md5: z.string().optional(),
  size: z.number().optional(),
  nfiles: z.number().optional(),
  hash: z.string().optional(),
});

/** A `.dvc` file written by `dvc add`. */
export const DvcFileSchema = z.object({ outs: z.array(OutputEntrySchema).min(1) });
export type DvcFile = z.infer<typeof DvcFileSchema>;

/** An entry of `deps`, `outs`, `metrics`, `plots` in dvc.yaml: a path, or `{ path: { cache: false, ... } }`. */
const PathEntrySchema = z.union([z.string(), z.record(z.string(), z.union([z.record(z.string(), z.unknown()), z.null()]))]);
/** An entry of `params`: a key of params.yaml (`train.max_depth`), or `{ other.yaml: [keys] }`. */
const ParamEntrySchema = z.union([z.string(), z.record(z.string(), z.union([z.array(z.string()), z.null()]))]);

const StageSchema = z.object({
  cmd: z.union([z.string(), z.array(z.string())]),
  wdir: z.string().optional(),
  deps: z.array(PathEntrySchema).optional(),
  params: z.array(ParamEntrySchema).optional(),
  outs: z.array(PathEntrySchema).optional(),
  metrics: z.array(PathEntrySchema).optional(),
  plots: z.array(z.unknown()).optional(),
  frozen: z.boolean().optional(),
  always_changed: z.boolean().optional(),
  desc: z.string().optional(),
});
export type DvcStage = z.infer<typeof StageSchema>;

/** dvc.yaml: the stages of a pipeline. */
export const PipelineSchema = z.looseObject({ stages: z.record(z.string(), StageSchema) });
export type DvcPipeline = z.infer<typeof PipelineSchema>;

const LockStageSchema = z.object({
  cmd: z.union([z.string(), z.array(z.string())]),
  deps: z.array(OutputEntrySchema).optional(),
  params: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
  outs: z.array(OutputEntrySchema).optional(),
});

/** dvc.lock: what `dvc repro` recorded for each stage. */
export const LockSchema = z.object({ schema: z.string(), stages: z.record(z.string(), LockStageSchema) });
export type DvcLock = z.infer<typeof LockSchema>;

/** The paths of `deps`/`outs`/`metrics` entries, with their options. */
export function entryPaths(entries: DvcStage['deps']): { path: string; options: Record<string, unknown> }[] {
  return (entries ?? []).flatMap((entry) =>
    typeof entry === 'string'
      ? [{ path: entry, options: {} }]
      : Object.entries(entry).map(([path, options]) => ({ path, options: options ?? {} })),
  );
}

/** The params.yaml keys a stage declares (`train` covers `train.max_depth`); keys of other files are prefixed `<file>:`. */
export function declaredParams(stage: DvcStage): string[] {
  return (stage.params ?? []).flatMap((entry) =>
    typeof entry === 'string'
      ? [entry]
      : Object.entries(entry).flatMap(([file, keys]) =>
          file === 'params.yaml' ? (keys ?? ['']) : (keys ?? ['']).map((k) => `${file}:${k}`),
        ),
  );
}

/** Whether `key` (e.g. `train.max_depth`) is covered by the declared params (the key itself or a section above it). */
export function paramIsDeclared(declared: readonly string[], key: string): boolean {
  return declared.some((d) => d === '' || d === key || key.startsWith(`${d}.`));
}

/** The value at a dotted key of a params map, or undefined. */
export function paramValue(params: unknown, key: string): unknown {
  let at: unknown = params;
  for (const part of key.split('.')) {
    if (!isRecord(at)) return undefined;
    at = at[part];
  }
  return at;
}

// ---------------------------------------------------------------- files

/** Reads and validates a `.dvc` file of the workspace. */
export function readDvcFile(files: WorkspaceFiles, path: string): Promise<DvcFile> {
  return readYaml(files, path, DvcFileSchema, 'a .dvc file (a map with an `outs:` list of `path`/`md5` entries, as `dvc add` writes it)');
}

/** Reads and validates dvc.yaml. */
export function readPipeline(files: WorkspaceFiles, path = 'dvc.yaml'): Promise<DvcPipeline> {
  return readYaml(files, path, PipelineSchema, 'a DVC pipeline (a map with `stages:`, each stage with a `cmd:`)');
}

/** Reads and validates dvc.lock. */
export function readLock(files: WorkspaceFiles, path = 'dvc.lock'): Promise<DvcLock> {
  return readYaml(files, path, LockSchema, 'a dvc.lock as `dvc repro` writes it');
}

/** Reads params.yaml (any map). */
export function readParams(files: WorkspaceFiles, path = 'params.yaml'): Promise<Record<string, unknown>> {
  return readYaml(files, path, z.record(z.string(), z.unknown()), 'a map of parameters');
}

/** The MD5 of a workspace file as DVC 3 records it (of the bytes as they are), streamed with a size cap. */
export async function md5OfWorkspaceFile(files: WorkspaceFiles, path: string): Promise<{ md5: string; size: number } | undefined> {
  const abs = await files.resolve(path);
  const info = await lstat(abs).catch(() => undefined);
  if (!info) return undefined;
  if (!info.isFile())
    throw new EvidenceError('NOT_A_FILE', `${path} is not a regular file.`, `Make ${path} a regular file: \`ls -l ${path}\`.`);
  if (info.size > DVC_LIMITS.maxHashBytes) {
    throw new EvidenceError(
      'FILE_TOO_LARGE',
      `${path} is ${formatBytes(info.size)}; the grader hashes at most ${formatBytes(DVC_LIMITS.maxHashBytes)}.`,
      `Check that ${path} is the lab's data file: \`ls -lh ${path}\`.`,
    );
  }
  const hash = createHash('md5');
  let size = 0;
  for await (const chunk of createReadStream(abs, { end: DVC_LIMITS.maxHashBytes })) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { md5: hash.digest('hex'), size };
}

/** Where a local remote keeps the object with this MD5 (DVC 3 layout: files/md5/ab/cdef…). */
export function remoteObjectPath(remoteDir: string, md5: string): string {
  return join(remoteDir, 'files', 'md5', md5.slice(0, 2), md5.slice(2));
}

// ---------------------------------------------------------------- the program

/** A configured DVC remote. */
export interface DvcRemote {
  name: string;
  url: string;
  /** The config file that sets it (`.dvc/config`, `.dvc/config.local`, a global file). */
  origin: string;
  isDefault: boolean;
}

/** The DVC repository at `dir` (the learner's workspace), driven by the `dvc` program. */
export class DvcRepo {
  readonly dir: string;
  readonly #process: ProcessEvidence;
  readonly #files: WorkspaceFiles;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(process: ProcessEvidence, files: WorkspaceFiles, dir: string) {
    this.#process = process;
    this.#files = files;
    this.dir = dir;
  }

  /** Whether `dvc init` ran in the workspace itself (`.dvc/config` exists there). */
  async isInitialised(): Promise<boolean> {
    return await this.#files.exists('.dvc/config');
  }

  /** The environment every dvc command of the grader runs with. */
  env(): Record<string, string> {
    return {
      DVC_NO_ANALYTICS: '1',
      // DVC skips its update check (a background process that phones home) under CI.
      CI: 'true',
      DVC_SITE_CACHE_DIR: join(this.dir, '.dvc', 'tmp', 'mlops-lab-site-cache'),
      GIT_CEILING_DIRECTORIES: dirname(this.dir),
      NO_COLOR: '1',
    };
  }

  /** Runs `dvc <args>` in the workspace after the previous dvc command of this repo finished; the result whatever the exit code. */
  run(args: readonly string[], options: { timeoutMs?: number } = {}): Promise<RunResult> {
    const next = this.#queue.then(() => this.#runNow(args, options));
    this.#queue = next.catch(() => {});
    return next;
  }

  async #runNow(args: readonly string[], options: { timeoutMs?: number }): Promise<RunResult> {
    if (args[0] !== 'init' && !(await this.isInitialised())) {
      throw new EvidenceError(
        'DVC_NOT_INITIALISED',
        'The workspace is not a DVC repository: .dvc/config is missing.',
        'Run `dvc init` in the workspace, then `git commit -m "Initialise DVC"`.',
      );
    }
    const timeoutMs = options.timeoutMs ?? DVC_LIMITS.timeoutMs;
    const result = await this.#process.run('dvc', args, {
      cwd: this.dir,
      timeoutMs,
      maxOutputBytes: DVC_LIMITS.maxOutputBytes,
      env: this.env(),
    });
    if (result.timedOut) {
      throw new EvidenceError(
        'DVC_TIMEOUT',
        `\`dvc ${args.join(' ')}\` did not finish within ${timeoutMs / 1000} s.`,
        'Run it yourself in the workspace to see where it waits (a lock held by another dvc command, a remote that does not answer).',
      );
    }
    return result;
  }

  /** `dvc <args>` that must succeed; its stdout. */
  async output(args: readonly string[], options: { timeoutMs?: number } = {}): Promise<string> {
    const result = await this.run(args, options);
    if (result.exitCode !== 0) throw this.failure(args, result);
    return result.stdout;
  }

  /** `dvc <args> --json` parsed (DVC prints warnings on stderr, the JSON alone on stdout). */
  async json(args: readonly string[], options: { timeoutMs?: number } = {}): Promise<unknown> {
    const out = await this.output([...args, '--json'], options);
    const text = out.trim();
    if (text === '') return {};
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new EvidenceError(
        'DVC_OUTPUT_UNREADABLE',
        `\`dvc ${args.join(' ')} --json\` printed something that is not JSON: ${text.slice(0, 160)}`,
        `Run \`dvc ${args.join(' ')}\` in the workspace and check its output; \`dvc --version\` should be 3.x.`,
      );
    }
  }

  /** An EvidenceError that says which dvc command failed and how to see why. */
  failure(args: readonly string[], result: RunResult): EvidenceError {
    const why = lastLine(result.stderr) || lastLine(result.stdout) || `exit code ${result.exitCode}`;
    const corrupt = /dvc\.lock|dvc\.yaml|\.dvc'/.test(why) && /(corrupt|unable to read|invalid|malformed|schema|expected)/i.test(why);
    return new EvidenceError(
      corrupt ? 'DVC_FILE_INVALID' : 'DVC_FAILED',
      `\`dvc ${args.join(' ')}\` failed: ${why.replace(/^ERROR:\s*/, '')}`,
      corrupt
        ? 'Restore the committed file (`git checkout -- dvc.lock`) or regenerate it with `dvc repro`, then check again.'
        : `Run \`dvc ${args.join(' ')}\` in the workspace to see the whole message (\`-v\` for details).`,
    );
  }

  /** Every configured remote, from `dvc config --list --show-origin` (URLs of local folders are absolute there). */
  async remotes(): Promise<DvcRemote[]> {
    const out = await this.output(['config', '--list', '--show-origin']);
    const entries = out
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [origin = '', ...rest] = line.split('\t');
        const pair = rest.join('\t');
        const eq = pair.indexOf('=');
        return { origin, key: pair.slice(0, eq), value: pair.slice(eq + 1) };
      });
    const defaultName = entries.findLast((e) => e.key === 'core.remote')?.value;
    const remotes = new Map<string, DvcRemote>();
    for (const e of entries) {
      const match = /^remote\.(.+)\.url$/.exec(e.key);
      if (match) remotes.set(match[1]!, { name: match[1]!, url: e.value, origin: e.origin, isDefault: match[1] === defaultName });
    }
    return [...remotes.values()];
  }
}
