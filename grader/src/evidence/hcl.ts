/**
 * Terraform / OpenTofu configuration read with a real HCL parser
 * (@cdktf/hcl2json: HashiCorp's hcl/v2 compiled to WebAssembly), so what the
 * grader sees is what `tofu` sees. Each file is parsed on its own, so a
 * syntax error names its file and line. On top of the parser's JSON this
 * module gives a typed view: variables (type, default, validation,
 * sensitive), outputs, module calls, required providers with their version
 * constraints, resources, the backend, `.tfvars` values and the run blocks
 * of `.tftest.hcl` files. Every read is capped in bytes and in files; the
 * parser runs in-process, so the caps are what bound its time.
 */
import { createRequire } from 'node:module';
import { posix } from 'node:path';
import { EvidenceError } from '../errors.ts';
import type { WorkspaceFiles } from './files.ts';

/** Caps that keep a hostile or mistaken configuration from stalling the grader. */
export const HCL_LIMITS = {
  /** One .tf / .tfvars / .tftest.hcl file. Real ones stay under 20 KiB. */
  maxFileBytes: 256 * 1024,
  /** Files read from one folder. */
  maxFiles: 40,
  /** Time for one file's parse (the WebAssembly parser is fast; this bounds a pathological input). */
  parseTimeoutMs: 10_000,
  /**
   * Nesting of brackets, braces and parentheses. Real configurations stay under 15; the WebAssembly
   * parser's Go runtime dies on tens of thousands (and with it every later parse), so deeper input is refused unread.
   */
  maxDepth: 100,
} as const;

/** Where something was written: a workspace-relative file and a 1-based line (0 when unknown). */
export interface HclLocation {
  file: string;
  line: number;
}

/** A syntax error as HCL reports it: `main.tf:12,3-4: Missing newline after argument; ...`. */
export interface HclProblem extends HclLocation {
  column: number;
  summary: string;
  detail: string;
}

export interface TfValidation {
  /** The condition expression, without the `${ }` the JSON form wraps it in. */
  condition: string;
  errorMessage: string;
}

export interface TfVariable extends HclLocation {
  name: string;
  /** The type constraint as written (`number`, `map(string)`); undefined when the variable has no type. */
  type: string | undefined;
  hasDefault: boolean;
  default: unknown;
  description: string | undefined;
  sensitive: boolean;
  nullable: boolean | undefined;
  validations: TfValidation[];
}

export interface TfOutput extends HclLocation {
  name: string;
  value: unknown;
  description: string | undefined;
  sensitive: boolean;
}

export interface TfModuleCall extends HclLocation {
  name: string;
  source: string | undefined;
  version: string | undefined;
  /** Every other argument (the module's input variables, count, for_each, providers). */
  inputs: Record<string, unknown>;
}

export interface TfRequiredProvider extends HclLocation {
  /** The local name (`kubernetes`). */
  name: string;
  /** `hashicorp/kubernetes`; undefined for the old string-only form. */
  source: string | undefined;
  /** The version constraint as written; undefined when none. */
  version: string | undefined;
  /** True when the constraint allows only one version or only patch releases of one (see `isPinnedConstraint`). */
  pinned: boolean;
}

export interface TfResource extends HclLocation {
  mode: 'managed' | 'data';
  type: string;
  name: string;
  /** `kubernetes_namespace.this` or `data.kubernetes_namespace.this`. */
  address: string;
  body: Record<string, unknown>;
}

export interface TfBackend extends HclLocation {
  type: string;
  config: Record<string, unknown>;
}

/** One folder of `.tf` files: a root module or a child module. */
export interface TfModule {
  /** Workspace-relative folder (`.` for the workspace itself). */
  dir: string;
  files: string[];
  requiredVersion: string | undefined;
  requiredProviders: TfRequiredProvider[];
  backend: TfBackend | undefined;
  variables: TfVariable[];
  outputs: TfOutput[];
  modules: TfModuleCall[];
  resources: TfResource[];
  locals: Record<string, unknown>;
  /** `provider "x" { ... }` configuration blocks, by local name. */
  providerConfigs: Record<string, Record<string, unknown>[]>;
}

export interface TfTestAssert {
  condition: string;
  errorMessage: string;
}

export interface TfTestRun extends HclLocation {
  name: string;
  /** `apply` unless the block says `command = plan`. */
  command: 'apply' | 'plan';
  variables: Record<string, unknown>;
  asserts: TfTestAssert[];
  /** Checkable objects expected to fail (`var.replicas`), as written. */
  expectFailures: string[];
  /** `module { source = ... }`: a run against another module than the one under test. */
  moduleSource: string | undefined;
}

export interface TfTestFile {
  file: string;
  /** File-level `variables { ... }`. */
  variables: Record<string, unknown>;
  runs: TfTestRun[];
  /** Local names of `mock_provider` blocks. */
  mockProviders: string[];
}

type Json = Record<string, unknown>;

const SYNTAX_HINT =
  'Fix the file at that line (a missing closing brace or quote is the usual cause), then run `tofu fmt -check` and `tofu validate` ' +
  'to see the same message from OpenTofu.';

type ParseFn = (filename: string, contents: string) => Promise<Json>;
const requireCjs = createRequire(import.meta.url);
let parser: ParseFn | undefined;

/** Loads the WebAssembly parser once (it starts a Go runtime in this process). */
function loadParser(): ParseFn {
  parser ??= (requireCjs('@cdktf/hcl2json') as { parse: ParseFn }).parse;
  return parser;
}

/**
 * Drops the parser after a parse that never answered (its Go runtime may have
 * died), so the next parse starts a fresh one instead of waiting forever.
 */
function resetParser(): void {
  parser = undefined;
  for (const key of Object.keys(requireCjs.cache)) {
    if (key.includes('/@cdktf/hcl2json/')) delete requireCjs.cache[key];
  }
}

/** The deepest nesting of ( [ { outside quoted strings and comments (an upper bound is enough here). */
export function nestingDepth(text: string): number {
  let depth = 0;
  let max = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      for (i++; i < text.length && text[i] !== '"' && text[i] !== '\n'; i++) if (text[i] === '\\') i++;
    } else if (c === '#' || (c === '/' && text[i + 1] === '/')) {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '(' || c === '[' || c === '{') {
      depth++;
      if (depth > max) max = depth;
    } else if ((c === ')' || c === ']' || c === '}') && depth > 0) depth--;
  }
  return max;
}

/**
 * Splits hcl2json's error text (`parse config: [a.tf:3,5-6: Summary; Detail., b.tf:...]`)
 * into problems with a file, line and column.
 */
export function parseHclErrors(text: string, fallbackFile: string): HclProblem[] {
  const body = text
    .replace(/^parse config:\s*/, '')
    .replace(/^\[/, '')
    .replace(/\]$/, '');
  const problems: HclProblem[] = [];
  const re = /([^\s,[\]][^:\n]*?):(\d+),(\d+)(?:-\d+(?:,\d+)?)?:\s*([^;]*?)(?:;\s*(.*?))?(?=,\s*[^\s,:]+:\d+,\d+|$)/gs;
  for (const m of body.matchAll(re)) {
    problems.push({ file: m[1]!, line: Number(m[2]), column: Number(m[3]), summary: m[4]!.trim(), detail: (m[5] ?? '').trim() });
  }
  if (problems.length === 0)
    problems.push({ file: fallbackFile, line: 0, column: 0, summary: body.trim() || 'unreadable HCL', detail: '' });
  return problems;
}

/** The learner-facing line for one problem: `main.tf:12: Missing newline after argument (An argument definition must end with a newline.)`. */
export function formatHclProblem(p: HclProblem): string {
  const where = p.line > 0 ? `${p.file}:${p.line}` : p.file;
  return p.detail ? `${where}: ${p.summary} (${p.detail})` : `${where}: ${p.summary}`;
}

/** An HCL file that does not parse: an EvidenceError whose message names the file and line. */
export class HclSyntaxError extends EvidenceError {
  readonly problems: HclProblem[];
  constructor(problems: HclProblem[]) {
    const first = problems[0]!;
    super('HCL_SYNTAX', `${formatHclProblem(first)}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''}`, SYNTAX_HINT);
    this.problems = problems;
  }
}

/**
 * Parses HCL text (a .tf, .tfvars or .tftest.hcl file) into hcl2json's JSON
 * form. Throws HclSyntaxError with file:line when it does not parse.
 */
export async function parseHcl(file: string, text: string): Promise<Json> {
  if (Buffer.byteLength(text) > HCL_LIMITS.maxFileBytes) {
    throw new EvidenceError(
      'HCL_TOO_LARGE',
      `${file} is larger than ${HCL_LIMITS.maxFileBytes / 1024} KiB; the grader does not parse it.`,
      `Split the configuration into smaller files, or check that ${file} is the file you meant: \`ls -lh ${file}\`.`,
    );
  }
  if (text.includes('\u0000')) {
    throw new EvidenceError('HCL_BINARY', `${file} contains NUL bytes: it is not a text file.`, `Replace ${file} with a text file.`);
  }
  const depth = nestingDepth(text);
  if (depth > HCL_LIMITS.maxDepth) {
    throw new EvidenceError(
      'HCL_TOO_DEEP',
      `${file} nests brackets or braces ${depth} levels deep; the grader parses at most ${HCL_LIMITS.maxDepth} levels.`,
      `Check that ${file} is the file you meant (a generated or corrupted file?): real configurations nest fewer than 15 levels.`,
    );
  }
  // A parser whose Go runtime died (a crash on some earlier input) answers with errors that are not HCL
  // diagnostics, or never: start a fresh one and try once more before giving up.
  for (let attempt = 1; ; attempt++) {
    const outcome = await parseOnce(file, text);
    if (outcome.ok) return outcome.json;
    if (outcome.syntax) throw new HclSyntaxError(parseHclErrors(outcome.syntax, file));
    resetParser();
    if (attempt >= 2) {
      throw new EvidenceError(
        outcome.timedOut ? 'HCL_TIMEOUT' : 'HCL_PARSER_FAILED',
        outcome.timedOut
          ? `Parsing ${file} took longer than ${HCL_LIMITS.parseTimeoutMs / 1000} s, twice.`
          : `The HCL parser failed on ${file}: ${outcome.message.slice(0, 300)}`,
        `Check that ${file} is an ordinary OpenTofu file (\`tofu validate\` reads it the same way), then run the check again.`,
      );
    }
  }
}

type ParseOutcome = { ok: true; json: Json } | { ok: false; syntax?: string; timedOut?: boolean; message: string };

async function parseOnce(file: string, text: string): Promise<ParseOutcome> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const parse = loadParser();
    const timeout = new Promise<'timeout'>((resolveTimeout) => {
      timer = setTimeout(() => resolveTimeout('timeout'), HCL_LIMITS.parseTimeoutMs);
    });
    const parsed = await Promise.race([parse(file, text), timeout]);
    if (parsed === 'timeout') return { ok: false, timedOut: true, message: 'timed out' };
    return { ok: true, json: parsed && typeof parsed === 'object' ? parsed : {} };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // HCL diagnostics come back as `parse config: [file:line,col: ...]`; anything else is the parser itself failing.
    return /^parse config:/.test(message) ? { ok: false, syntax: message, message } : { ok: false, message };
  } finally {
    clearTimeout(timer);
  }
}

/** Reads and parses one workspace file (capped). */
export async function readHclFile(files: WorkspaceFiles, path: string): Promise<{ json: Json; text: string }> {
  const text = await files.readText(path, { maxBytes: HCL_LIMITS.maxFileBytes });
  return { json: await parseHcl(path, text), text };
}

/** `${var.x}` -> `var.x`; strings that mix text and interpolation, and non-strings, come back unchanged. */
export function unwrapExpression(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const m = /^\$\{([\s\S]*)\}$/.exec(value);
  if (!m) return value;
  // "${a}-${b}" is a template, not one expression.
  const inner = m[1]!;
  let depth = 0;
  for (let i = 0; i < inner.length; i++) {
    if (inner[i] === '{') depth++;
    else if (inner[i] === '}') {
      depth--;
      if (depth < 0) return value;
    }
  }
  return inner.trim();
}

/** The text of an expression or literal, for messages. */
export function expressionText(value: unknown): string {
  const v = unwrapExpression(value);
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/**
 * True when a provider version constraint allows one version, or only patch
 * releases of one: `1.13.4`, `= 1.13.4`, `~> 1.13.4`. `>= 1.0`, `~> 1.13`
 * (any 1.x from 1.13) and a missing constraint are not pinned.
 */
export function isPinnedConstraint(constraint: string | undefined): boolean {
  if (!constraint) return false;
  const parts = constraint.split(',').map((p) => p.trim());
  return parts.some((p) => /^(=\s*)?v?\d+\.\d+\.\d+$/.test(p) || /^~>\s*v?\d+\.\d+\.\d+$/.test(p));
}

function asBlocks(value: unknown): Json[] {
  if (Array.isArray(value)) return value.filter((v): v is Json => !!v && typeof v === 'object' && !Array.isArray(v));
  if (value && typeof value === 'object') return [value as Json];
  return [];
}

function asRecord(value: unknown): Json {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The 1-based line of a block header such as `variable "replicas" {` (0 when not found). */
export function blockLine(text: string, keyword: string, ...labels: string[]): number {
  const labelRe = labels.map((l) => `\\s+(?:"${escapeRe(l)}"|${escapeRe(l)})`).join('');
  const re = new RegExp(`^[ \\t]*${escapeRe(keyword)}${labelRe}\\s*\\{`, 'm');
  const m = re.exec(text);
  if (!m) return 0;
  return text.slice(0, m.index).split('\n').length;
}

/** The 1-based line where `name =` first appears after `fromLine` (0 when not found). */
function attributeLine(text: string, name: string, fromLine: number): number {
  const lines = text.split('\n');
  for (let i = Math.max(0, fromLine - 1); i < lines.length; i++) {
    if (new RegExp(`^\\s*"?${escapeRe(name)}"?\\s*=`).test(lines[i]!)) return i + 1;
  }
  return 0;
}

function modelFromFiles(dir: string, parsed: { file: string; json: Json; text: string }[]): TfModule {
  const model: TfModule = {
    dir,
    files: parsed.map((p) => p.file),
    requiredVersion: undefined,
    requiredProviders: [],
    backend: undefined,
    variables: [],
    outputs: [],
    modules: [],
    resources: [],
    locals: {},
    providerConfigs: {},
  };
  for (const { file, json, text } of parsed) {
    for (const tf of asBlocks(json.terraform)) {
      model.requiredVersion ??= str(tf.required_version);
      const tfLine = blockLine(text, 'terraform');
      for (const block of asBlocks(tf.required_providers)) {
        for (const [name, spec] of Object.entries(block)) {
          const source = typeof spec === 'string' ? undefined : str(asRecord(spec).source);
          const version = typeof spec === 'string' ? spec : str(asRecord(spec).version);
          model.requiredProviders.push({
            name,
            source,
            version,
            pinned: isPinnedConstraint(version),
            file,
            line: attributeLine(text, name, tfLine),
          });
        }
      }
      for (const [type, configs] of Object.entries(asRecord(tf.backend))) {
        model.backend ??= { type, config: asBlocks(configs)[0] ?? {}, file, line: blockLine(text, 'backend', type) };
      }
    }
    for (const [name, blocks] of Object.entries(asRecord(json.variable))) {
      const v = asBlocks(blocks)[0] ?? {};
      model.variables.push({
        name,
        file,
        line: blockLine(text, 'variable', name),
        type: v.type === undefined ? undefined : expressionText(v.type),
        hasDefault: 'default' in v,
        default: v.default,
        description: str(v.description),
        sensitive: v.sensitive === true,
        nullable: typeof v.nullable === 'boolean' ? v.nullable : undefined,
        validations: asBlocks(v.validation).map((b) => ({
          condition: expressionText(b.condition),
          errorMessage: str(b.error_message) ?? '',
        })),
      });
    }
    for (const [name, blocks] of Object.entries(asRecord(json.output))) {
      const o = asBlocks(blocks)[0] ?? {};
      model.outputs.push({
        name,
        file,
        line: blockLine(text, 'output', name),
        value: o.value,
        description: str(o.description),
        sensitive: o.sensitive === true,
      });
    }
    for (const [name, blocks] of Object.entries(asRecord(json.module))) {
      const m = asBlocks(blocks)[0] ?? {};
      const { source, version, ...inputs } = m;
      model.modules.push({ name, file, line: blockLine(text, 'module', name), source: str(source), version: str(version), inputs });
    }
    for (const [mode, key] of [
      ['managed', 'resource'],
      ['data', 'data'],
    ] as const) {
      for (const [type, byName] of Object.entries(asRecord(json[key]))) {
        for (const [name, blocks] of Object.entries(asRecord(byName))) {
          model.resources.push({
            mode,
            type,
            name,
            address: mode === 'data' ? `data.${type}.${name}` : `${type}.${name}`,
            body: asBlocks(blocks)[0] ?? {},
            file,
            line: blockLine(text, key, type, name),
          });
        }
      }
    }
    for (const block of asBlocks(json.locals)) Object.assign(model.locals, block);
    for (const [name, blocks] of Object.entries(asRecord(json.provider))) {
      (model.providerConfigs[name] ??= []).push(...asBlocks(blocks));
    }
  }
  // The parser sorts names; the learner reads files top to bottom.
  const byPlace = (a: HclLocation, b: HclLocation): number => a.file.localeCompare(b.file) || a.line - b.line;
  for (const list of [model.requiredProviders, model.variables, model.outputs, model.modules, model.resources]) list.sort(byPlace);
  return model;
}

/**
 * Reads every `.tf` file directly in `dir` (not below it: a subfolder is a
 * different module) and returns the module's typed view. Throws
 * HclSyntaxError (file:line) for the first file that does not parse and
 * EvidenceError `HCL_NO_FILES` when the folder holds no `.tf` file.
 */
export async function readTfModule(files: WorkspaceFiles, dir = '.'): Promise<TfModule> {
  const clean = posix.normalize(dir).replace(/\/$/, '') || '.';
  if (!(await files.exists(clean))) {
    throw new EvidenceError('HCL_NO_FILES', `The folder ${clean}/ does not exist in the workspace.`, `Create it: \`mkdir -p ${clean}\`.`);
  }
  const listed = await files.list(clean, { maxEntries: 2_000, skip: (p) => p.split('/').includes('.terraform') });
  const tfFiles = listed
    .map((f) => f.path)
    .filter((p) => posix.dirname(p) === (clean === '.' ? '.' : clean) && p.endsWith('.tf'))
    .sort();
  if (tfFiles.length === 0) {
    throw new EvidenceError(
      'HCL_NO_FILES',
      `${clean}/ holds no .tf files.`,
      `Write the configuration into ${clean === '.' ? '' : `${clean}/`}main.tf.`,
    );
  }
  if (tfFiles.length > HCL_LIMITS.maxFiles) {
    throw new EvidenceError(
      'HCL_TOO_MANY_FILES',
      `${clean}/ holds ${tfFiles.length} .tf files; the grader reads at most ${HCL_LIMITS.maxFiles}.`,
      'Keep a module to a handful of files: main.tf, variables.tf, outputs.tf, versions.tf.',
    );
  }
  const parsed = [];
  for (const file of tfFiles) parsed.push({ file, ...(await readHclFile(files, file)) });
  return modelFromFiles(clean, parsed);
}

/** Values of a `.tfvars` file (plain HCL attributes; expressions are not evaluated and come back as `${...}` strings). */
export async function readTfvars(files: WorkspaceFiles, path: string): Promise<Record<string, unknown>> {
  const { json } = await readHclFile(files, path);
  return json;
}

/** The run blocks (and file-level variables and mock providers) of a `.tftest.hcl` file. */
export async function readTfTestFile(files: WorkspaceFiles, path: string): Promise<TfTestFile> {
  const { json, text } = await readHclFile(files, path);
  return testFileFromJson(path, json, text);
}

export function testFileFromJson(file: string, json: Json, text: string): TfTestFile {
  const runs: TfTestRun[] = [];
  for (const [name, blocks] of Object.entries(asRecord(json.run))) {
    for (const run of asBlocks(blocks)) {
      const command = expressionText(run.command ?? 'apply');
      runs.push({
        name,
        file,
        line: blockLine(text, 'run', name),
        command: command === 'plan' ? 'plan' : 'apply',
        variables: Object.assign({}, ...asBlocks(run.variables)) as Json,
        asserts: asBlocks(run.assert).map((a) => ({ condition: expressionText(a.condition), errorMessage: str(a.error_message) ?? '' })),
        expectFailures: (Array.isArray(run.expect_failures) ? run.expect_failures : []).map((e) => expressionText(e)),
        moduleSource: str(asBlocks(run.module)[0]?.source),
      });
    }
  }
  runs.sort((a, b) => a.line - b.line);
  return {
    file,
    variables: Object.assign({}, ...asBlocks(json.variables)) as Json,
    runs,
    mockProviders: Object.keys(asRecord(json.mock_provider)),
  };
}
