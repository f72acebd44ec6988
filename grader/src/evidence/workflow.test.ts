import { describe, expect, it } from 'vitest';
import { EvidenceError } from '../errors.ts';
import { formatYamlPath, parseGuardedYaml, parseWorkflowText } from './workflow.ts';

const GOOD = `name: ci
on:
  pull_request:
  push:
    branches: [main]
permissions:
  contents: read
jobs:
  test:
    runs-on: ubuntu-24.04
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683
      - name: Tests
        run: pytest -q
  deploy:
    needs: test
    if: github.ref == 'refs/heads/main'
    runs-on: ubuntu-24.04
    steps:
      - run: echo deploy
`;

describe('parseWorkflowText', () => {
  it('returns the events as GitHub normalises them, the jobs, steps and their lines', async () => {
    const model = await parseWorkflowText(GOOD, 'ci.yml');
    expect(model.problems).toEqual([]);
    expect(Object.keys(model.events).sort()).toEqual(['pull_request', 'push']);
    expect(model.events.push?.branches).toEqual(['main']);
    expect(model.jobs.map((j) => [j.id, j.needs, j.steps.length])).toEqual([
      ['test', [], 2],
      ['deploy', ['test'], 1],
    ]);
    expect(model.where(['jobs', 'test', 'steps', 1, 'run'])).toBe('ci.yml:14 jobs.test.steps[1].run');
    // A missing path gives its nearest parent's line.
    expect(model.lineOf(['jobs', 'deploy', 'environment'])).toBe(15);
  });

  it('normalises `on: [push, pull_request]` and `on: push`', async () => {
    const list = await parseWorkflowText(
      GOOD.replace(/on:\n {2}pull_request:\n {2}push:\n {4}branches: \[main\]/, 'on: [push, pull_request]'),
      'ci.yml',
    );
    expect(Object.keys(list.events).sort()).toEqual(['pull_request', 'push']);
  });

  it("reports GitHub's parser errors with the line and YAML path", async () => {
    const model = await parseWorkflowText(GOOD.replace("if: github.ref == 'refs/heads/main'", 'if: github.ref == ('), 'ci.yml');
    expect(model.problems.map((p) => `${p.line} ${p.path}`)).toEqual(['17 jobs.deploy.if']);
    expect(model.problems[0]!.message).toMatch(/expression/i);
  });

  it('reports a job that needs an unknown job, and an invalid cron', async () => {
    const text = GOOD.replace('needs: test', 'needs: build').replace(
      '  pull_request:\n',
      "  pull_request:\n  schedule:\n    - cron: '0 25 * * *'\n",
    );
    const model = await parseWorkflowText(text, 'ci.yml');
    expect(model.problems.map((p) => `${p.line} ${p.path}: ${p.message}`)).toEqual([
      "5 on.schedule[0].cron: Invalid cron expression. Expected format: '* * * * *' (minute hour day month weekday)",
      "18 jobs.deploy.needs: Job 'deploy' depends on unknown job 'build'.",
    ]);
  });

  it('reports a key missing for the schema (a job without runs-on)', async () => {
    const model = await parseWorkflowText(
      GOOD.replace('    runs-on: ubuntu-24.04\n    steps:\n      - run: echo deploy', '    steps:\n      - run: echo deploy'),
      'ci.yml',
    );
    expect(model.problems.length).toBeGreaterThan(0);
    expect(model.problems[0]!.path).toMatch(/^jobs\.deploy/);
  });
});

describe('parseGuardedYaml', () => {
  it('errors on an alias bomb before anything expands it', () => {
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 10; i++)
      lines.push(
        `${'abcdefghij'[i]}: &${'abcdefghij'[i]} [${Array(10)
          .fill(`*${'abcdefghij'[i - 1]}`)
          .join(', ')}]`,
      );
    const started = performance.now();
    expect(() => parseGuardedYaml(lines.join('\n'), 'ci.yml')).toThrow(EvidenceError);
    expect(() => parseGuardedYaml(lines.join('\n'), 'ci.yml')).toThrow(/aliases/);
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('errors on deep nesting and on oversized files', () => {
    expect(() => parseGuardedYaml(`a: ${'['.repeat(5_000)}${']'.repeat(5_000)}`, 'ci.yml')).toThrow(EvidenceError);
    expect(() => parseGuardedYaml(`a: ${'['.repeat(60)}${']'.repeat(60)}`, 'ci.yml')).toThrow(/levels deep/);
    expect(() => parseGuardedYaml(`a: "${'x'.repeat(300 * 1024)}"`, 'ci.yml')).toThrow(/at most/);
  });

  it('reports YAML 1.1 surprises: the directive, and a boolean `on` key', () => {
    expect(parseGuardedYaml('%YAML 1.1\n---\non: push\n', 'ci.yml').problems[0]!.message).toMatch(/%YAML 1\.1/);
    const bool = parseGuardedYaml('true: push\njobs: {}\n', 'ci.yml');
    expect(bool.problems).toMatchObject([{ line: 1, message: expect.stringMatching(/boolean true/) }]);
  });

  it('reports duplicate keys and syntax errors with their line', () => {
    const dup = parseGuardedYaml('on: push\njobs: {}\non: pull_request\n', 'ci.yml');
    expect(dup.problems[0]).toMatchObject({ line: 3 });
    const broken = parseGuardedYaml('on: push\njobs:\n  a: [\n', 'ci.yml');
    expect(broken.problems[0]!.message).toMatch(/not valid YAML/);
  });
});

describe('formatYamlPath', () => {
  it('writes dotted keys, list indexes and quotes odd keys', () => {
    expect(formatYamlPath(['jobs', 'test', 'steps', 0, 'with', 'python-version'])).toBe('jobs.test.steps[0].with.python-version');
    expect(formatYamlPath(['env', 'A B'])).toBe('env["A B"]');
  });
});
