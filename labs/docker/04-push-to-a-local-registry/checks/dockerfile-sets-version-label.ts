import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { VERSION_LABEL, dockerfile } from './shared.ts';

/** `LABEL a=b c="d e"` pairs, as the Dockerfile writes them (quotes kept out). */
export function labelPairs(args: string): { key: string; value: string }[] {
  const pairs: { key: string; value: string }[] = [];
  const pattern = /([^\s=]+)=("(?:[^"\\]|\\.)*"|'[^']*'|\S*)/g;
  for (const m of args.matchAll(pattern)) {
    const raw = m[2]!;
    pairs.push({ key: m[1]!.replace(/^["']|["']$/g, ''), value: /^["']/.test(raw) ? raw.slice(1, -1) : raw });
  }
  return pairs;
}

export default defineCheck({
  id: 'dockerfile-sets-version-label',
  title: 'The Dockerfile labels the image with its release version',
  hint: 'Add `ARG VERSION=1.0.0` and `LABEL org.opencontainers.image.version="${VERSION}"` to the Dockerfile.',
  // Mirrors: grep -n LABEL Dockerfile   (after a build: docker image inspect --format '{{json .Config.Labels}}' loan-model)
  async run(ctx) {
    if (!(await ctx.files.exists('Dockerfile'))) {
      return fail({
        message: 'There is no Dockerfile at the top of the workspace.',
        expected: 'a Dockerfile next to app/ and model/',
        actual: 'no Dockerfile',
        hint: 'Restore the starter with `mlops-lab reset docker/04-push-to-a-local-registry`.',
      });
    }
    const model = await dockerfile(ctx);
    const labelLines = model.finalStage.instructions.filter((i) => i.keyword === 'LABEL');
    const found = labelLines.flatMap((i) => labelPairs(i.args).map((p) => ({ ...p, line: i.line }))).filter((p) => p.key === VERSION_LABEL);
    const last = found.at(-1);
    if (last && last.value !== '' && last.value !== 'latest') return pass(`Line ${last.line}: ${VERSION_LABEL}=${last.value}.`);
    return fail({
      message: last
        ? `Line ${last.line}: the ${VERSION_LABEL} label is ${last.value === '' ? 'empty' : '"latest"'}, which says nothing about the release.`
        : `The final stage sets no ${VERSION_LABEL} label, so an image pulled from the registry cannot tell which release it is once its tags move.`,
      expected: `LABEL ${VERSION_LABEL}="<the release, e.g. 1.0.0>" in the final stage`,
      actual: labelLines.length > 0 ? labelLines.map((i) => `line ${i.line}: LABEL ${i.args}`).join('\n') : 'no LABEL in the final stage',
      hint: 'Replace the TODO in the Dockerfile with `ARG VERSION=1.0.0` and `LABEL org.opencontainers.image.version="${VERSION}"`, then rebuild.',
    });
  },
});
