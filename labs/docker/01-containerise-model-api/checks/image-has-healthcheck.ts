import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { builtImageInfo } from './shared.ts';

export default defineCheck({
  id: 'image-has-healthcheck',
  title: 'The image declares a HEALTHCHECK',
  needs: ['image-builds'],
  requires: ['docker'],
  hint: 'The slim image has no curl: probe /health with python3 and urllib in `HEALTHCHECK CMD [...]`.',
  // Mirrors: docker image inspect --format '{{json .Config.Healthcheck}}' <image>
  async run(ctx) {
    const info = await builtImageInfo(ctx);
    const test = (info.Config as { Healthcheck?: { Test?: string[] } }).Healthcheck?.Test ?? [];
    if (test.length > 0 && test[0] !== 'NONE') return pass(`HEALTHCHECK: ${test.slice(1).join(' ').slice(0, 120)}`);
    return fail({
      message: 'The image has no HEALTHCHECK, so Docker reports the container as running even when the API is stuck.',
      expected: 'a HEALTHCHECK that calls GET /health',
      actual: test[0] === 'NONE' ? 'HEALTHCHECK NONE' : 'no HEALTHCHECK',
      hint: 'Add `HEALTHCHECK --interval=10s --timeout=3s CMD ["python3", "-c", "import urllib.request; urllib.request.urlopen(\'http://127.0.0.1:8000/health\', timeout=2)"]`.',
    });
  },
});
