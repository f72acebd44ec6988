import { describe, expect, it } from 'vitest';
import { commandArgv } from './command.ts';
import { branchFilterMisses, filterPattern, pathFilterFires } from './filters.ts';
import { unpinnedReason } from './workflow.ts';

describe('filterPattern', () => {
  it('matches as GitHub’s cheat sheet says: * stops at a slash, ** crosses folders', () => {
    expect(filterPattern('*.dvc').test('data/loans.csv.dvc')).toBe(false);
    expect(filterPattern('*.dvc').test('loans.csv.dvc')).toBe(true);
    expect(filterPattern('**.dvc').test('data/raw/loans.csv.dvc')).toBe(true);
    expect(filterPattern('**/dvc.lock').test('dvc.lock')).toBe(true);
    expect(filterPattern('releases/**').test('releases/v1/x')).toBe(true);
  });

  it('lets the last matching pattern decide, with ! negations', () => {
    expect(pathFilterFires({ paths: ['**.dvc', '!data/scratch/**'] }, 'data/scratch/a.dvc')).toBe(false);
    expect(pathFilterFires({ 'paths-ignore': ['docs/**'] }, 'docs/a.md')).toBe(false);
    expect(pathFilterFires({}, 'anything')).toBe(true);
    expect(branchFilterMisses({ branches: ['release/*'] }, 'main')).toMatch(/do not match main/);
    expect(branchFilterMisses({ 'branches-ignore': ['main'] }, 'main')).toMatch(/excludes main/);
  });
});

describe('commandArgv', () => {
  it('splits a plain command, honouring quotes and comments', () => {
    expect(commandArgv('pytest -q "tests/a b.py"  # fast')).toEqual(['pytest', '-q', 'tests/a b.py']);
    expect(commandArgv('python -m pytest -q')).toEqual(['python', '-m', 'pytest', '-q']);
  });

  it('refuses what needs a shell, an expression or another program', () => {
    expect(commandArgv('pytest -q | tee out')).toMatch(/shell/);
    expect(commandArgv('pytest ${{ matrix.args }}')).toMatch(/expression/);
    expect(commandArgv('rm -rf / && pytest')).toMatch(/shell|starts with rm/);
    expect(commandArgv('pytest "unclosed')).toMatch(/quote/);
  });
});

describe('unpinnedReason', () => {
  it('accepts a full SHA, a local action and a Docker digest', () => {
    expect(unpinnedReason('actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683')).toBeUndefined();
    expect(unpinnedReason('./.github/actions/setup')).toBeUndefined();
    expect(unpinnedReason(`docker://alpine@sha256:${'a'.repeat(64)}`)).toBeUndefined();
  });

  it('names why tags, branches and short SHAs move', () => {
    expect(unpinnedReason('actions/checkout@v4')).toMatch(/tag v4/);
    expect(unpinnedReason('actions/checkout@main')).toMatch(/branch main/);
    expect(unpinnedReason('actions/checkout@11bd719')).toMatch(/short SHA/);
    expect(unpinnedReason('docker://alpine:3.20')).toMatch(/digest/);
  });
});
