import { defineCheck, fail, maskSecret, pass, secretAssignments, SECRET_NAME } from '@mlops-lab/grader/authoring';
import { baseImageShare, lab } from './shared.ts';

export default defineCheck({
  id: 'no-secrets-in-image-env-or-history',
  title: 'Neither the image config nor its history carries a secret (CIS 4.10)',
  needs: ['image-builds'],
  requires: ['docker'],
  hint: 'Anything in ENV or ARG is readable with `docker history --no-trunc`; pass secrets at run time, or at build time with `RUN --mount=type=secret`.',
  // CIS Docker Benchmark 4.10; dockle CIS-DI-0010.
  // Mirrors: docker image inspect --format '{{json .Config.Env}}' screening; docker history --no-trunc screening
  async run(ctx) {
    const info = await lab.builtImageInfo(ctx);
    const share = await baseImageShare(ctx);
    const model = await lab.dockerfile(ctx);
    const leaks = new Map<string, { name: string; value: string; where: string }>();
    for (const entry of info.Config.Env ?? []) {
      const eq = entry.indexOf('=');
      const name = entry.slice(0, eq);
      const value = entry.slice(eq + 1);
      if (SECRET_NAME.test(name) && value !== '')
        leaks.set(`${name}=${value}`, { name, value, where: 'Config.Env (docker image inspect)' });
    }
    // `docker history` lists the newest entry first; the base image's entries are the oldest.
    const history = (await ctx.docker.imageHistory(info.Id)).reverse().slice(share.history);
    for (const entry of history) {
      const found = secretAssignments(entry.CreatedBy);
      // Every secret on the line is masked before the line is shown.
      const shown = found.reduce((line, f) => line.replaceAll(f.value, maskSecret(f.value)), entry.CreatedBy).slice(0, 100);
      for (const f of found) {
        const key = `${f.name}=${f.value}`;
        if (!leaks.has(key)) leaks.set(key, { ...f, where: `history: ${shown}` });
      }
    }
    if (leaks.size === 0)
      return pass(`No credential-like variable in Config.Env or in the ${history.length} history entries this Dockerfile adds.`);
    const all = [...leaks.values()];
    const first = all[0]!;
    const declared = model.variables.find((v) => v.name === first.name);
    return fail({
      message: `\`${first.name}=${maskSecret(first.value)}\` is readable by anyone who pulls the image${declared ? ` (from \`${declared.kind} ${declared.name}\` on line ${declared.line})` : ''}: ${first.where.startsWith('history') ? 'BuildKit records the ARGs a RUN sees in the image history' : 'ENV values are part of the image config'}.`,
      expected: 'no credential-like NAME=value in Config.Env or `docker history --no-trunc`',
      actual: all.map((l) => `${l.name}=${maskSecret(l.value)} in ${l.where}`).join('\n'),
      hint: declared
        ? `Delete line ${declared.line}. A secret a build step really needs goes in with \`RUN --mount=type=secret,id=${first.name.toLowerCase()} …\` and \`docker build --secret id=${first.name.toLowerCase()},env=${first.name}\`: it never enters a layer or the history.`
        : 'Remove the variable from the Dockerfile and give it at run time with `docker run -e NAME=…`.',
    });
  },
});
