import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseDockerfile } from '@mlops-lab/grader/authoring';
import { judgeDockerignore, judgeFinalUser, judgeHealthcheck, judgeMultiStage, judgePinnedBases } from './container-dockerfile.ts';

const solution = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'solution');

const GOOD = `FROM node:24-bookworm-slim AS app
WORKDIR /app
COPY dist/ ./dist/
RUN node dist/cli.js --help

FROM node:24-bookworm-slim
WORKDIR /app
COPY --from=app /app /app
USER 10001:10001
HEALTHCHECK --interval=10s CMD ["node", "-e", "fetch('http://127.0.0.1:8080/health').then((r) => process.exit(r.ok ? 0 : 1))"]
CMD ["node", "dist/cli.js", "serve"]
`;

/** GOOD with one line replaced (or removed, with `undefined`). */
function variant(find: string, replace: string | undefined): string {
  expect(GOOD).toContain(find);
  return replace === undefined ? GOOD.replace(`${find}\n`, '') : GOOD.replace(find, replace);
}

describe('the Dockerfile judgements', () => {
  it('returns pass for every judgement on the reference solution’s Dockerfile', async () => {
    const model = parseDockerfile(await readFile(join(solution, 'Dockerfile'), 'utf8'));
    for (const judge of [judgeMultiStage, judgeFinalUser, judgeHealthcheck, judgePinnedBases]) {
      expect(judge(model), judge.name).toMatchObject({ status: 'pass' });
    }
  });

  it('returns pass for every judgement on a minimal good Dockerfile', () => {
    const model = parseDockerfile(GOOD);
    expect(judgeMultiStage(model).message).toMatch(/2 stages; the final one copies from an earlier stage \(line 8/);
    expect(judgeFinalUser(model).message).toContain('`10001:10001` (line 9)');
    expect(judgeHealthcheck(model).status).toBe('pass');
    expect(judgePinnedBases(model).message).toBe('Every base image names a version: node:24-bookworm-slim.');
  });

  it('returns fail naming the FROM line when there is one stage', () => {
    const outcome = judgeMultiStage(parseDockerfile('FROM python:3.11-slim-bookworm\nCOPY . /app\nUSER 10001\n'));
    expect(outcome).toMatchObject({ status: 'fail', actual: 'line 1: FROM python:3.11-slim-bookworm' });
    expect(outcome.message).toContain('one stage (line 1)');
  });

  it('returns fail when the final stage copies nothing from the build stage', () => {
    const outcome = judgeMultiStage(parseDockerfile(variant('COPY --from=app /app /app', 'COPY dist/ /app/dist/')));
    expect(outcome.status).toBe('fail');
    expect(outcome.message).toContain('copies nothing from an earlier stage');
  });

  it('accepts COPY --from with a stage index', () => {
    expect(judgeMultiStage(parseDockerfile(variant('COPY --from=app', 'COPY --from=0'))).status).toBe('pass');
  });

  it('returns fail when the final stage has no USER, even if the build stage has one', () => {
    const text = variant('USER 10001:10001', undefined).replace('WORKDIR /app\nCOPY dist/', 'WORKDIR /app\nUSER 10001\nCOPY dist/');
    const outcome = judgeFinalUser(parseDockerfile(text));
    expect(outcome).toMatchObject({ status: 'fail', actual: 'no USER instruction in the final stage' });
  });

  it('returns fail naming the line for USER root, 0 and 0:0', () => {
    for (const user of ['root', '0', '0:0']) {
      const outcome = judgeFinalUser(parseDockerfile(variant('USER 10001:10001', `USER ${user}`)));
      expect(outcome).toMatchObject({ status: 'fail', actual: `line 9: USER ${user}` });
      expect(outcome.message).toContain('is root');
    }
  });

  it('follows FROM <stage> to the USER of the stage it builds on', () => {
    const text = 'FROM node:24-bookworm-slim AS base\nUSER 10001\nFROM base\nCOPY --from=base /etc/hostname /x\n';
    expect(judgeFinalUser(parseDockerfile(text)).status).toBe('pass');
  });

  it('returns fail for no HEALTHCHECK, HEALTHCHECK NONE, and one that calls neither /health nor a script of its own', () => {
    const none = judgeHealthcheck(parseDockerfile(variant(GOOD.split('\n')[9]!, undefined)));
    expect(none).toMatchObject({ status: 'fail', actual: 'no HEALTHCHECK' });
    const off = judgeHealthcheck(parseDockerfile(variant(GOOD.split('\n')[9]!, 'HEALTHCHECK NONE')));
    expect(off).toMatchObject({ status: 'fail', actual: 'line 10: HEALTHCHECK NONE' });
    const useless = judgeHealthcheck(parseDockerfile(variant(GOOD.split('\n')[9]!, 'HEALTHCHECK CMD ["true"]')));
    expect(useless.status).toBe('fail');
    expect(useless.message).toContain('does not call the service');
    const script = judgeHealthcheck(parseDockerfile(variant(GOOD.split('\n')[9]!, 'HEALTHCHECK CMD ["python3", "healthcheck.py"]')));
    expect(script).toMatchObject({
      status: 'pass',
      message: 'HEALTHCHECK on line 10 runs healthcheck.py (m3-container-becomes-healthy shows whether it answers).',
    });
  });

  it('returns fail naming each FROM without a version: no tag, latest, a moving name', () => {
    const text = 'FROM node AS a\nRUN x\nFROM node:latest AS b\nFROM node:lts-slim\nCOPY --from=a /x /x\n';
    const outcome = judgePinnedBases(parseDockerfile(text));
    expect(outcome).toMatchObject({
      status: 'fail',
      actual: 'line 1: FROM node\nline 3: FROM node:latest\nline 4: FROM node:lts-slim',
    });
    expect(outcome.message).toContain('Line 1: `FROM node` has no tag');
  });

  it('accepts a digest and a stage name in FROM', () => {
    const text = 'FROM python@sha256:' + 'a'.repeat(64) + ' AS build\nFROM build\n';
    expect(judgePinnedBases(parseDockerfile(text)).status).toBe('pass');
  });
});

describe('judgeDockerignore', () => {
  const both = { node: true, python: true };

  it('returns pass for the reference solution’s .dockerignore', async () => {
    const text = await readFile(join(solution, '.dockerignore'), 'utf8');
    expect(judgeDockerignore(text, { node: true, python: false }).status).toBe('pass');
  });

  it('returns fail with the command to create it when there is none', () => {
    const outcome = judgeDockerignore(undefined, both);
    expect(outcome).toMatchObject({ status: 'fail', actual: 'no .dockerignore' });
    expect(outcome.status === 'fail' && outcome.hint).toContain('data/ models/ .git/ node_modules/ .venv/');
  });

  it('returns pass for folder names written with or without slashes and globs', () => {
    expect(judgeDockerignore('data\n**/models\n.git\nnode_modules/\n.venv\n', both).status).toBe('pass');
  });

  it('returns fail naming each folder that gets into the context', () => {
    const outcome = judgeDockerignore('.git\nnode_modules\n*.md\n', both);
    expect(outcome).toMatchObject({
      status: 'fail',
      actual: 'data/adult.csv.gz is sent\nmodels/latest/model.json is sent\n.venv/bin/python is sent',
    });
  });

  it('returns fail when a later ! rule brings the data back', () => {
    const outcome = judgeDockerignore('data/\n!data/adult.csv.gz\nmodels/\n.git\n', { node: false, python: false });
    expect(outcome).toMatchObject({ status: 'fail', actual: 'data/adult.csv.gz is sent' });
  });

  it('asks for node_modules and .venv only where the project can have them', () => {
    expect(judgeDockerignore('data/\nmodels/\n.git/\n', { node: false, python: false }).status).toBe('pass');
    expect(judgeDockerignore('data/\nmodels/\n.git/\n', { node: true, python: false })).toMatchObject({
      status: 'fail',
      actual: 'node_modules/zod/package.json is sent',
    });
  });
});
