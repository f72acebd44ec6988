import { defineCheck, fail, formatBytes, pass, secretFileReason } from '@mlops-lab/grader/authoring';
import { baseImageShare, lab } from './shared.ts';

/** Files up to this size are read to spot private keys under any name. */
const SNIFF_BYTES = 64 * 1024;

/** The instruction behind a history line: `RUN |1 TOKEN=… /bin/sh -c rm x # buildkit` -> `RUN rm x`. */
function instructionOf(createdBy: string): string {
  const text = createdBy.replace(/\s*# buildkit$/, '').replace(/^RUN \|\d+ (\S+=\S* )*/, 'RUN ');
  const shell = /^(?:RUN )?\/bin\/sh -c (#\(nop\) )?(.*)$/s.exec(text);
  if (!shell) return text;
  return shell[1] ? shell[2]!.trim() : `RUN ${shell[2]!.trim()}`;
}

export default defineCheck({
  id: 'image-layers-have-no-secret-files',
  title: 'No layer of the image holds a secret file, not even one deleted later',
  needs: ['image-builds'],
  requires: ['docker'],
  timeoutMs: 180_000,
  hint: 'Keep secrets out of the build context (.dockerignore) and COPY only what the service needs; a later `RUN rm` does not remove a file from the layer that added it.',
  // CIS Docker Benchmark 4.10; dockle CIS-DI-0010 (suspicious files).
  // Mirrors: docker save screening -o img.tar && tar -xf img.tar && for l in */layer.tar; do tar -tvf "$l"; done | grep -E '\.env|id_rsa|\.pem|\.key'
  async run(ctx) {
    const build = await lab.builtImage(ctx);
    if (!build.ok) throw new Error('image-builds should have stopped this check');
    const share = await baseImageShare(ctx);
    ctx.progress('reading every layer (docker save)');
    const scan = await ctx.docker.scanImageLayers(build.imageId, {
      sniffBytes: SNIFF_BYTES,
      classify: (file) => secretFileReason(file.path, file.content),
      signal: ctx.signal,
      timeoutMs: 150_000,
    });
    const ours = scan.layers.slice(share.layers);
    const findings = scan.findings.filter((f) => f.layer >= share.layers);
    const scanned = `${ours.length} layer${ours.length === 1 ? '' : 's'} above ${share.base ?? 'the base'} (${ours.reduce((n, l) => n + l.files, 0)} files, ${formatBytes(ours.reduce((n, l) => n + l.bytes, 0))})`;
    if (findings.length === 0) return pass(`No secret-looking file in the ${scanned}.`);
    const step = (index: number): string => `layer ${index} (\`${instructionOf(scan.layers[index]?.createdBy ?? '').slice(0, 70)}\`)`;
    const first = findings[0]!;
    return fail({
      message:
        first.deletedInLayer !== undefined
          ? `${first.path} (${first.reason}) is in ${step(first.layer)}. A later ${step(first.deletedInLayer)} deletes it, but layers only add: the file still ships, and \`docker save\` gives it to anyone who pulls the image.`
          : `${first.path} (${first.reason}) is in ${step(first.layer)}: anyone who pulls the image can read it.`,
      expected: `no .env, keys or credential files in any of the ${scanned}`,
      actual: `${findings.map((f) => `${f.path}: ${f.reason}, added in layer ${f.layer}${f.deletedInLayer !== undefined ? `, deleted in layer ${f.deletedInLayer} (still in layer ${f.layer})` : ''}`).join('\n')}${scan.truncated ? '\n… and more' : ''}`,
      hint: `Stop it reaching the build: \`echo ${first.path.split('/').pop()} >> .dockerignore\` and COPY only service/; then rebuild and run \`mlops-lab check ${ctx.lab.id}\`.`,
    });
  },
});
