import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { builtImageInfo } from './shared.ts';

const ROOT = new Set(['', 'root', '0', '0:0', 'root:root', 'root:0', '0:root']);

export default defineCheck({
  id: 'image-runs-as-non-root',
  title: 'The image runs as a non-root user',
  needs: ['image-builds'],
  requires: ['docker'],
  hint: 'Add a numeric user near the end of the final stage: `USER 10001:10001`.',
  // Mirrors: docker image inspect --format '{{.Config.User}}' <image>
  async run(ctx) {
    const info = await builtImageInfo(ctx);
    const user = (info.Config.User ?? '').trim();
    if (!ROOT.has(user)) return pass(`The image runs as user ${user}.`);
    return fail({
      message: 'The image runs as root, so a bug in the API (or a dependency) gives an attacker root inside the container.',
      expected: 'Config.User set to an unprivileged user, e.g. 10001:10001',
      actual: user ? `Config.User = ${user}` : 'Config.User is empty (root)',
      hint: 'Add `USER 10001:10001` after the last RUN of the final stage, then `docker image inspect --format "{{.Config.User}}" loan-model`.',
    });
  },
});
