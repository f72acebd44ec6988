import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { LOCKFILE, lab } from './shared.ts';
import { normaliseName, parseLock } from './lockfile.ts';

/** Lists every installed distribution the image's python3 can import, as JSON. */
const LIST_DISTRIBUTIONS =
  'import importlib.metadata as m, json; print(json.dumps([[d.metadata["Name"] or "", d.version, str(d.locate_file(""))] for d in m.distributions()]))';

const INSTALL = `python3 tools/install_wheels.py --target /opt/deps --require-hashes --find-links wheels -r ${LOCKFILE}`;

export default defineCheck({
  id: 'dependencies-installed-from-lockfile',
  title: 'The image installs exactly the versions requirements.lock pins, checked by hash',
  needs: ['image-builds'],
  requires: ['docker'],
  timeoutMs: 60_000,
  hint: `Install from the lock, not from whatever wheels are there: \`RUN ${INSTALL}\`.`,
  // Mirrors: grep -n 'requirements.lock' Dockerfile;
  //          docker run --rm --entrypoint python3 loan-api -c 'import importlib.metadata as m; print([(d.name, d.version) for d in m.distributions()])'
  async run(ctx) {
    const problems: string[] = [];
    const lockText = (await ctx.files.exists(LOCKFILE)) ? await ctx.files.readText(LOCKFILE, { maxBytes: 256 * 1024 }) : undefined;
    if (lockText === undefined) {
      return fail({
        message: `There is no ${LOCKFILE}, so nothing says which versions the image should have.`,
        expected: `${LOCKFILE} with one \`name==version --hash=sha256:…\` per package`,
        actual: `no ${LOCKFILE}`,
        hint: `Restore it with \`git checkout ${LOCKFILE}\` or \`mlops-lab reset ${ctx.lab.id}\`.`,
      });
    }
    const locked = parseLock(lockText);
    for (const p of locked) {
      if (!p.version) problems.push(`${LOCKFILE} line ${p.line}: \`${p.spec}\` is not pinned with ==`);
      else if (p.hashes.length === 0) problems.push(`${LOCKFILE} line ${p.line}: ${p.name}==${p.version} has no --hash=sha256:…`);
    }

    const model = await lab.dockerfile(ctx);
    const runs = model.stages.flatMap((s) => s.instructions).filter((i) => i.keyword === 'RUN');
    const fromLock = runs.filter((i) => i.args.includes(LOCKFILE));
    if (fromLock.length === 0) {
      const installs = runs.filter((i) => /\binstall/.test(i.args));
      problems.push(
        installs.length > 0
          ? `Dockerfile line ${installs[0]!.line}: \`RUN ${installs[0]!.args.replace(/\s+/g, ' ').slice(0, 100)}\` installs without reading ${LOCKFILE}`
          : `no RUN in the Dockerfile reads ${LOCKFILE}`,
      );
    } else if (!fromLock.some((i) => /--require-hashes/.test(i.args))) {
      problems.push(
        `Dockerfile line ${fromLock[0]!.line}: the install reads ${LOCKFILE} without --require-hashes, so a changed wheel would go unnoticed`,
      );
    }

    const build = await lab.builtImage(ctx);
    if (!build.ok) throw new Error('image-builds should have stopped this check');
    const listed = await ctx.docker.runToCompletion({
      image: build.imageId,
      entrypoint: ['python3'],
      cmd: ['-c', LIST_DISTRIBUTIONS],
      labels: lab.labels(ctx),
    });
    let installed: [string, string, string][];
    try {
      if (listed.exitCode !== 0) throw new Error(`exit code ${listed.exitCode}`);
      installed = JSON.parse(listed.output.trim().split('\n').pop() ?? '[]') as [string, string, string][];
    } catch {
      return fail({
        message: 'python3 in the image could not list the installed packages.',
        expected: 'python3 -c "import importlib.metadata …" to run in the image',
        actual: listed.output.slice(-800) || `exit code ${listed.exitCode}`,
        hint: 'Try it yourself: `docker run --rm --entrypoint python3 loan-api -c "import loanrisk; print(loanrisk.__version__)"`.',
      });
    }
    const found: string[] = [];
    for (const p of locked) {
      const versions = installed.filter(([name]) => normaliseName(name) === normaliseName(p.name));
      const summary = versions.map(([, v, where]) => `${v} (${where})`).join(', ');
      if (versions.length === 0) problems.push(`${p.name} is not installed in the image`);
      else if (versions.length > 1)
        problems.push(`${p.name} is installed ${versions.length} times: ${summary}; which one Python imports depends on file order`);
      else if (p.version && versions[0]![1] !== p.version)
        problems.push(`${p.name} ${versions[0]![1]} is installed; the lock pins ${p.version}`);
      else found.push(`${p.name} ${versions[0]![1]}`);
    }
    if (problems.length === 0)
      return pass(`The image has exactly what ${LOCKFILE} pins: ${found.join(', ')}; the install checks each hash.`);
    return fail({
      message: `The image's packages are not pinned by the lock: ${problems[0]}.`,
      expected: `every package of ${LOCKFILE} installed once, at its pinned version, by an install that reads the lock with --require-hashes`,
      actual: problems.join('\n'),
      hint: `Replace the install with \`RUN ${INSTALL}\`, rebuild with \`docker build -t loan-api .\`, and compare \`docker run --rm --entrypoint python3 loan-api -c "import loanrisk; print(loanrisk.__version__)"\`.`,
    });
  },
});
