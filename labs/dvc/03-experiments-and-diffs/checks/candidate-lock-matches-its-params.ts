import { LockSchema, defineCheck, fail, paramValue, parseDvcYaml, parseYamlAs, pass } from '@mlops-lab/grader/authoring';
import { repos } from '../../_shared/repo.ts';
import { commits } from '../comparison.ts';

export default defineCheck({
  id: 'candidate-lock-matches-its-params',
  title: "The candidate commit's dvc.lock was made from its params.yaml (`dvc repro` ran before the commit)",
  needs: ['comparison-names-two-commits'],
  requires: ['git'],
  hint: 'Change params.yaml, run `dvc repro`, then commit params.yaml, dvc.lock and metrics.json together.',
  async run(ctx) {
    // Mirrors: git show <candidate>:dvc.lock && git show <candidate>:params.yaml
    const { candidate, short } = await commits(ctx);
    const { git } = await repos(ctx);
    const lockText = await git.show(candidate, 'dvc.lock');
    const paramsText = await git.show(candidate, 'params.yaml');
    if (lockText === undefined || paramsText === undefined) {
      return fail({
        message: `The candidate ${short(candidate)} has no ${lockText === undefined ? 'dvc.lock' : 'params.yaml'}: nothing records how its model was made.`,
        expected: 'dvc.lock and params.yaml in the candidate commit',
        actual: `\`git show ${short(candidate)}:${lockText === undefined ? 'dvc.lock' : 'params.yaml'}\` finds nothing`,
        hint: 'Run `dvc repro` and commit dvc.lock with params.yaml.',
      });
    }
    const lock = parseYamlAs(lockText, `dvc.lock at ${short(candidate)}`, LockSchema, 'a dvc.lock as `dvc repro` writes it');
    const params = parseDvcYaml(paramsText, `params.yaml at ${short(candidate)}`);
    const stale: string[] = [];
    for (const [stageName, stage] of Object.entries(lock.stages)) {
      for (const [key, recorded] of Object.entries(stage.params?.['params.yaml'] ?? {})) {
        const now = paramValue(params, key);
        if (JSON.stringify(now) !== JSON.stringify(recorded))
          stale.push(`${stageName}: dvc.lock records ${key}: ${JSON.stringify(recorded)}, params.yaml has ${JSON.stringify(now)}`);
      }
    }
    if (stale.length > 0) {
      return fail({
        message: `In the candidate ${short(candidate)}, params.yaml changed but dvc.lock still records the old values: the commit was made without \`dvc repro\`, so its model and metrics are the baseline's.`,
        expected: 'every param in dvc.lock equal to params.yaml in the same commit',
        actual: stale.join('; '),
        hint: "Check out the candidate's params, run `dvc repro`, commit params.yaml, dvc.lock and metrics.json together, and name that commit as the candidate.",
      });
    }
    return pass(`The candidate ${short(candidate)}'s dvc.lock records the params of its params.yaml.`);
  },
});
