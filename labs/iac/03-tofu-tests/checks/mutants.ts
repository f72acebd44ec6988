/**
 * Broken copies of the learner's module ("mutants"), to see whether the
 * learner's tests notice: each one changes one promise of the module. Locals
 * are replaced through an `*_override.tf` file (OpenTofu merges it over the
 * module); a validation block, which an override cannot remove, is cut out of
 * the text. A mutant that cannot be made from the learner's module (a local
 * renamed) is left out and said so.
 */
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Tofu, blockLine, parseHcl, type CheckContext, type TfModule } from '@mlops-lab/grader/authoring';
import { runTempDir } from '../../_shared/tofu.ts';

export interface Mutant {
  id: string;
  /** What the broken module does, for the learner. */
  breaks: string;
  /** The local it overrides, or the variable whose validation it removes. */
  needsLocal?: string;
  needsVariable?: string;
  override?: string;
}

export const MUTANTS: Mutant[] = [
  {
    id: 'prod-quota-halved',
    breaks: 'prod gets 4 CPU cores instead of 8',
    needsLocal: 'quota',
    override: 'locals {\n  quota = {\n    dev  = { cpu = "2", memory = "4Gi" }\n    prod = { cpu = "4", memory = "16Gi" }\n  }\n}\n',
  },
  {
    id: 'name-parts-swapped',
    breaks: 'the namespace is named <environment>-<team>',
    needsLocal: 'namespace_name',
    override: 'locals {\n  namespace_name = "${var.environment}-${var.team}"\n}\n',
  },
  {
    id: 'prod-logs-debug',
    breaks: 'prod logs at debug level',
    needsLocal: 'log_level',
    override: 'locals {\n  log_level = "debug"\n}\n',
  },
  { id: 'environment-unvalidated', breaks: 'environment accepts any value (its validation block is gone)', needsVariable: 'environment' },
];

/** Index just past the `}` that closes the `{` at `open`, skipping quoted strings; -1 when unbalanced. */
function closingBrace(text: string, open: number): number {
  let depth = 0;
  let inString = false;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '#') i = text.indexOf('\n', i) === -1 ? text.length : text.indexOf('\n', i);
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i + 1;
  }
  return -1;
}

/** The text with every `validation { ... }` block of `variable "<name>"` removed; undefined when there is none to remove. */
export function withoutValidation(text: string, name: string): string | undefined {
  const line = blockLine(text, 'variable', name);
  if (line === 0) return undefined;
  const headerAt =
    text
      .split('\n')
      .slice(0, line - 1)
      .join('\n').length + (line > 1 ? 1 : 0);
  const open = text.indexOf('{', headerAt);
  const end = closingBrace(text, open);
  if (open < 0 || end < 0) return undefined;
  const body = text.slice(open, end);
  let stripped = body;
  for (;;) {
    const m = /\bvalidation\s*\{/.exec(stripped);
    if (!m) break;
    const close = closingBrace(stripped, m.index + m[0].length - 1);
    if (close < 0) return undefined;
    stripped = stripped.slice(0, m.index) + stripped.slice(close);
  }
  return stripped === body ? undefined : text.slice(0, open) + stripped + text.slice(end);
}

export interface MutantRun {
  mutant: Mutant;
  /** caught: some run failed; survived: every run passed; skipped: could not be made from this module. */
  outcome: 'caught' | 'survived' | 'skipped';
  detail: string;
}

/**
 * Builds the mutant from the copy of the module at `baseDir` (already
 * initialised) and runs the learner's tests against it.
 */
export async function runMutant(ctx: CheckContext, module: TfModule, baseDir: string, mutant: Mutant): Promise<MutantRun> {
  if (mutant.needsLocal && !(mutant.needsLocal in module.locals)) {
    return { mutant, outcome: 'skipped', detail: `the module has no local "${mutant.needsLocal}"` };
  }
  const root = await runTempDir(ctx, `mutant-${mutant.id}`);
  const dir = join(root, 'module');
  await cp(baseDir, dir, { recursive: true });
  if (mutant.override) await writeFile(join(dir, 'mlops_lab_mutant_override.tf'), mutant.override);
  if (mutant.needsVariable) {
    const variable = module.variables.find((v) => v.name === mutant.needsVariable);
    const file = variable ? join(dir, variable.file.slice(module.dir.length + 1)) : undefined;
    const text = file ? await readFile(file, 'utf8') : undefined;
    const mutated = text ? withoutValidation(text, mutant.needsVariable) : undefined;
    if (!file || !mutated)
      return { mutant, outcome: 'skipped', detail: `variable "${mutant.needsVariable}" has no validation block to remove` };
    await parseHcl(variable!.file, mutated); // the mutant must still be valid HCL
    await writeFile(file, mutated);
  }
  const tofu = await Tofu.create({ process: ctx.process, cwd: dir, dataDir: join(root, 'data'), signal: ctx.signal });
  const init = await tofu.init({ backend: false });
  if (!init.ok) return { mutant, outcome: 'skipped', detail: `the mutant did not initialise: ${init.output.slice(-300)}` };
  const result = await tofu.test();
  const failing = result.runs.filter((r) => r.status !== 'pass');
  if (result.exitCode !== 0 && failing.length > 0) {
    return { mutant, outcome: 'caught', detail: `caught by run ${failing.map((r) => `"${r.run}"`).join(', ')}` };
  }
  if (result.exitCode !== 0)
    return { mutant, outcome: 'skipped', detail: `tofu test could not run: ${result.messages[0] ?? result.output.slice(-300)}` };
  return { mutant, outcome: 'survived', detail: `all ${result.passed} runs passed` };
}
