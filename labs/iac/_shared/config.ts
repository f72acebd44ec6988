/**
 * The learner's configuration as the IaC checks read it: each module folder
 * parsed once per grading run (a syntax error is the same error for every
 * check that reads the folder), and the small judgements several labs share.
 */
import { readTfModule, type CheckContext, type TfModule, type TfVariable } from '@mlops-lab/grader/authoring';

/** A module folder of the workspace, parsed once per run. */
export function moduleAt(ctx: Pick<CheckContext, 'memo' | 'files'>, dir: string): Promise<TfModule> {
  return ctx.memo(`iac:module:${dir}`, () => readTfModule(ctx.files, dir));
}

/** `file:line` of something in the configuration. */
export function at(loc: { file: string; line: number }): string {
  return loc.line > 0 ? `${loc.file}:${loc.line}` : loc.file;
}

/** Why a variable is not typed well enough (undefined when it is). */
export function untypedReason(v: TfVariable): string | undefined {
  if (!v.type) return `variable "${v.name}" (${at(v)}) has no type`;
  if (v.type === 'any') return `variable "${v.name}" (${at(v)}) is typed \`any\`, which accepts anything`;
  return undefined;
}

/** True when one of the variable's validation conditions refers to the variable itself. */
export function hasOwnValidation(v: TfVariable): boolean {
  return v.validations.some((c) => new RegExp(`\\bvar\\.${v.name}\\b`).test(c.condition) && c.errorMessage.trim().length > 0);
}

/** Names of the resources of a given type in a module. */
export function resourcesOfType(mod: TfModule, type: string): string[] {
  return mod.resources.filter((r) => r.mode === 'managed' && r.type === type).map((r) => r.name);
}

/** A list for messages: `a, b and c`. */
export function listText(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}
