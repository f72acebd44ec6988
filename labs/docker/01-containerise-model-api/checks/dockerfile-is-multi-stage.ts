import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { lab } from './shared.ts';

export default defineCheck({
  id: 'dockerfile-is-multi-stage',
  title: 'Training happens in a build stage; the final stage copies only what it serves',
  needs: ['dockerfile-exists'],
  hint: 'Name the first stage (`FROM python:3.11-slim-bookworm AS train`) and copy only the model: `COPY --from=train /build/model/model.json model/model.json`.',
  async run(ctx) {
    const model = await lab.dockerfile(ctx);
    const final = model.finalStage;
    const copiesFromStage = final.instructions.some((i) => i.keyword === 'COPY' && i.flags.some((f) => /^--from=/i.test(f)));
    if (model.stages.length >= 2 && copiesFromStage) {
      return pass(`${model.stages.length} stages; the final stage copies artefacts from an earlier one.`);
    }
    return fail({
      message:
        model.stages.length < 2
          ? 'The Dockerfile has a single stage, so everything training needed (the dataset, caches) ships in the image.'
          : 'The final stage copies nothing from an earlier stage (no `COPY --from=`), so the build stage does no good.',
      expected: 'at least 2 stages, the final one using COPY --from=<build stage>',
      actual: `${model.stages.length} stage${model.stages.length === 1 ? '' : 's'}${model.stages.length >= 2 ? ', no COPY --from in the last' : ''}`,
      hint: 'Split the Dockerfile: a `train` stage that makes model.json, then a clean stage with `COPY --from=train`.',
    });
  },
});
