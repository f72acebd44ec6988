/**
 * Checks the IaC labs share, as factories: `tofu validate` on a copy of a
 * configuration folder, and grading with a hidden `.tftest.hcl` file that
 * the grader writes into that copy.
 */
import {
  defineCheck,
  fail,
  formatDiagnostic,
  pass,
  type CheckContext,
  type CheckDefinitionInput,
  type TofuTestResult,
} from '@mlops-lab/grader/authoring';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { copiedConfigTofu, lastLines } from './tofu.ts';

const HIDDEN_DIR = 'mlops_lab_grader_tests';

/** `tofu init -backend=false && tofu validate -json` in a copy of `dir`. */
export function validatePasses(options: { dir: string; needs: string[]; id?: string }): CheckDefinitionInput {
  return defineCheck({
    id: options.id ?? 'tofu-validate-passes',
    title: `\`tofu validate\` accepts ${options.dir}/`,
    needs: options.needs,
    requires: ['tofu'],
    timeoutMs: 180_000,
    hint: '`tofu validate` checks references, types and provider arguments without touching any infrastructure.',
    // Mirrors: cd <dir> && tofu init -backend=false && tofu validate -json
    async run(ctx) {
      const run = await copiedConfigTofu(ctx, options.dir);
      if (run.initError) {
        return fail({
          message: `\`tofu init\` failed for ${options.dir}/ (run by ${run.program}), so nothing else can be checked.`,
          expected: 'init to install hashicorp/kubernetes from the offline mirror and load every module',
          actual: lastLines(run.initError),
          hint: `Run \`cd ${options.dir} && tofu init -backend=false\` and fix the first error it prints (a module source path or a provider version that does not exist are the usual causes).`,
        });
      }
      const result = await run.tofu.validate();
      const errors = result.diagnostics.filter((d) => d.severity === 'error');
      if (!result.valid || errors.length > 0) {
        return fail({
          message: `\`tofu validate\` found ${errors.length || 1} error${errors.length === 1 ? '' : 's'} in ${options.dir}/: ${errors[0] ? formatDiagnostic(errors[0]) : 'see below'}.`,
          expected: 'Success! The configuration is valid.',
          actual: errors.map(formatDiagnostic).join('\n') || lastLines(result.output),
          hint: `Run \`cd ${options.dir} && tofu validate\` to see each error with its line, fix them from the top.`,
        });
      }
      const warnings = result.diagnostics.length - errors.length;
      return pass(`${run.program} validates ${options.dir}/${warnings > 0 ? ` (${warnings} warning${warnings === 1 ? '' : 's'})` : ''}.`);
    },
  });
}

/**
 * Writes `text` as a grader-owned test file into the copy of `dir` and runs
 * `tofu test` with only that file. The file's runs use `mock_provider`, so no
 * cluster is needed.
 */
export async function runHiddenTest(
  ctx: CheckContext,
  dir: string,
  fileName: string,
  text: string,
): Promise<TofuTestResult & { program: string; initError?: string }> {
  const run = await copiedConfigTofu(ctx, dir);
  if (run.initError)
    return {
      exitCode: null,
      passed: 0,
      failed: 0,
      errored: 1,
      skipped: 0,
      runs: [],
      messages: [run.initError],
      output: run.initError,
      program: run.program,
      initError: run.initError,
    };
  // Its own test folder: the learner's `tofu test` runs (root and tests/) never see it, and it sees only itself.
  await mkdir(join(run.dir, HIDDEN_DIR), { recursive: true });
  await writeFile(join(run.dir, HIDDEN_DIR, fileName), text);
  const result = await run.tofu.test({ testDirectory: HIDDEN_DIR, filter: [`${HIDDEN_DIR}/${fileName}`] });
  return { ...result, program: run.program };
}

/** HCL literal for a value read from a .tfvars file (JSON is valid HCL for these; `${` is escaped). */
export function hclLiteral(value: unknown): string {
  return JSON.stringify(value).replace(/\$\{/g, '$${').replace(/%\{/g, '%%{');
}

/** The first message of each failing run, for `actual`. */
export function describeTestFailures(result: TofuTestResult): string {
  const lines = result.runs
    .filter((r) => r.status !== 'pass')
    .map((r) => `run "${r.run}": ${r.status}${r.messages[0] ? ` — ${r.messages[0]}` : ''}`);
  return [...lines, ...result.messages].join('\n') || lastLines(result.output);
}
