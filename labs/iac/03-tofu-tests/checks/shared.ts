import { readTfTestFile, type CheckContext, type TfTestFile } from '@mlops-lab/grader/authoring';

export const MODULE = 'modules/serving-namespace';
export const MAX_TEST_FILES = 20;

/** The module's test files (`*.tftest.hcl` in the module folder and in tests/, where `tofu test` looks), parsed once per run. */
export function readTests(ctx: Pick<CheckContext, 'memo' | 'files'>): Promise<TfTestFile[]> {
  return ctx.memo('iac:tests', async () => {
    const listed = await ctx.files.list(MODULE, { maxEntries: 2_000, skip: (p) => p.split('/').includes('.terraform') });
    const files = listed
      .map((f) => f.path)
      .filter(
        (p) => p.endsWith('.tftest.hcl') && (p.split('/').length === MODULE.split('/').length + 1 || p.startsWith(`${MODULE}/tests/`)),
      )
      .sort()
      .slice(0, MAX_TEST_FILES);
    const parsed: TfTestFile[] = [];
    for (const file of files) parsed.push(await readTfTestFile(ctx.files, file));
    return parsed;
  });
}
