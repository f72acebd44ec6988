import { copySources, defineCheck, fail, pass, type DockerfileInstruction } from '@mlops-lab/grader/authoring';
import { lab } from './shared.ts';

const URL_SOURCE = /^(https?|ftp):\/\/|^git@|\.git(#.*)?$/i;
const ARCHIVE = /\.(tar|tar\.gz|tgz|tar\.bz2|tbz2?|tar\.xz|txz|tar\.zst)$/i;

type Verdict = { line: number; text: string; why: string; fix: string };

/** How a senior reviewer reads one ADD; undefined when it is acceptable. */
export function judgeAdd(add: DockerfileInstruction): Verdict | undefined {
  const text = `ADD ${[...add.flags, add.args].join(' ').replace(/\s+/g, ' ').trim()}`;
  const srcs = copySources(add);
  const checksum = add.flags.some((f) => /^--checksum=sha256:[0-9a-f]{64}$/i.test(f));
  const url = srcs.find((s) => URL_SOURCE.test(s));
  if (url) {
    if (checksum) return undefined; // the download is verified: what CIS 4.9 is after
    return {
      line: add.line,
      text,
      why: `downloads ${url} at build time with no checksum: the same Dockerfile can ship a different file tomorrow, and a compromised server ships straight into the image`,
      fix: `download in a RUN and verify it (\`curl -fsSLo f "${url}" && echo "<sha256>  f" | sha256sum -c\`), or pin it with \`ADD --checksum=sha256:<hash> ${url} …\``,
    };
  }
  const archive = srcs.find((s) => ARCHIVE.test(s));
  if (archive) {
    return {
      line: add.line,
      text,
      why: `silently unpacks ${archive}: a reader cannot tell a copy from an extraction, and whatever paths the archive holds land in the image`,
      fix: `extract explicitly, e.g. \`RUN --mount=type=bind,source=${archive},target=/tmp/a tar -xf /tmp/a -C <dir>\`, or COPY the files themselves`,
    };
  }
  return {
    line: add.line,
    text,
    why: 'does what COPY does, but may also fetch URLs and unpack archives, so the reader has to check which',
    fix: `write \`COPY ${add.args.trim()}\` (and copy only what the service needs)`,
  };
}

export default defineCheck({
  id: 'dockerfile-uses-copy-not-add',
  title: 'Files come in with COPY, not ADD (CIS 4.9)',
  needs: ['dockerfile-exists'],
  hint: 'Replace each ADD with COPY of exactly what the image needs, e.g. `COPY service/ service/`.',
  // CIS Docker Benchmark 4.9; dockle CIS-DI-0009. Mirrors: grep -n '^ADD' Dockerfile
  async run(ctx) {
    const model = await lab.dockerfile(ctx);
    const adds = model.stages.flatMap((s) => s.instructions).filter((i) => i.keyword === 'ADD');
    const verdicts = adds.map(judgeAdd).filter((v): v is Verdict => v !== undefined);
    if (verdicts.length === 0) {
      return pass(
        adds.length === 0
          ? 'No ADD: every file comes in with COPY.'
          : `${adds.length} ADD of a URL pinned with --checksum; everything else uses COPY.`,
      );
    }
    const first = verdicts[0]!;
    return fail({
      message: `Line ${first.line}: \`${first.text}\` ${first.why} (CIS 4.9).`,
      expected: 'COPY for local files; no ADD of URLs without --checksum',
      actual: verdicts.map((v) => `line ${v.line}: ${v.text}`).join('\n'),
      hint: `Line ${first.line}: ${first.fix}.`,
    });
  },
});
