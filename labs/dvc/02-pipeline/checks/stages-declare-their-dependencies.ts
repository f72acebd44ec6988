import { defineCheck, entryPaths, fail, pass } from '@mlops-lab/grader/authoring';
import { STAGES, normalPath, stage } from '../../_shared/pipeline.ts';

export default defineCheck({
  id: 'stages-declare-their-dependencies',
  title: 'Each stage depends on its script and on the data it reads',
  needs: ['pipeline-has-prepare-train-evaluate'],
  hint: 'A stage reruns only when one of its `deps` changes: list the script it runs and every file or folder it reads.',
  async run(ctx) {
    // Mirrors: dvc stage list --name-only && yq '.stages[].deps' dvc.yaml
    const gaps: string[] = [];
    for (const spec of STAGES) {
      const deps = new Set(entryPaths((await stage(ctx, spec.name)).deps).map((d) => normalPath(d.path)));
      for (const path of [spec.script, ...spec.inputs]) if (!deps.has(path)) gaps.push(`${spec.name} does not depend on ${path}`);
    }
    if (gaps.length > 0) {
      const script = gaps.find((g) => g.endsWith('.py'));
      return fail({
        message: `${gaps.length === 1 ? 'A dependency is' : `${gaps.length} dependencies are`} missing from dvc.yaml: ${
          script
            ? `after an edit to ${script.split(' ').at(-1)}, \`dvc repro\` says everything is up to date and keeps the old model.`
            : 'DVC cannot tell when the stage must run again.'
        }`,
        expected: STAGES.map((s) => `${s.name}: ${[s.script, ...s.inputs].join(', ')}`).join('; '),
        actual: gaps.join('; '),
        hint: "Add each missing path under that stage's `deps:` in dvc.yaml, then `dvc repro` (it reruns the stage once, since its dependencies changed).",
      });
    }
    return pass('Every stage depends on its script and on the data it reads.');
  },
});
