import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { dockerfile } from './shared.ts';

/** A tag that names at least a major.minor version, e.g. 3.11-slim-bookworm. */
const VERSIONED_TAG = /\d+\.\d+/;

export default defineCheck({
  id: 'base-image-tag-pinned',
  title: 'Base images are pinned to a version, not latest',
  needs: ['dockerfile-exists'],
  hint: 'Name the exact Python and Debian versions, e.g. `FROM python:3.11-slim-bookworm` (or pin a digest with @sha256:…).',
  async run(ctx) {
    const model = await dockerfile(ctx);
    const external = model.stages.filter((s) => !s.fromStage);
    const loose = external.filter((s) => !s.digest && (!s.tag || s.tag === 'latest' || !VERSIONED_TAG.test(s.tag)));
    if (loose.length === 0) {
      return pass(`Every base image is pinned: ${external.map((s) => s.image).join(', ') || '(only earlier stages)'}.`);
    }
    const first = loose[0]!;
    const why = !first.tag ? 'has no tag, so Docker uses `latest`' : first.tag === 'latest' ? 'uses `latest`' : `uses \`${first.tag}\`, which moves to new versions`;
    return fail({
      message: `Line ${first.line}: \`FROM ${first.image}\` ${why}; the next build may get a different Python or Debian without any change on your side.`,
      expected: 'a tag with at least major.minor (python:3.11-slim-bookworm) or a digest (@sha256:…)',
      actual: loose.map((s) => `line ${s.line}: FROM ${s.image}`).join('\n'),
      hint: `Change line ${first.line} to \`FROM python:3.11-slim-bookworm\`; see \`docker image ls python\` for tags you have.`,
    });
  },
});
