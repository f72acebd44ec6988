import { describe, expect, it } from 'vitest';
import {
  DvcFileSchema,
  LockSchema,
  declaredParams,
  paramIsDeclared,
  paramValue,
  parseDvcYaml,
  parseYamlAs,
  remoteObjectPath,
} from './dvc.ts';

describe('parseDvcYaml', () => {
  it('returns the data of a small file', () => {
    expect(parseDvcYaml('outs:\n- path: loans.csv\n  md5: abc\n', 'x.dvc')).toEqual({ outs: [{ path: 'loans.csv', md5: 'abc' }] });
  });

  it('errors with the file and line on invalid YAML', () => {
    expect(() => parseDvcYaml('stages:\n  train: [unclosed\n', 'dvc.lock')).toThrow(/^dvc\.lock:\d+ is not valid YAML/);
  });

  it('errors on duplicate keys instead of keeping the last one', () => {
    expect(() => parseDvcYaml('stages: {}\nstages: {}\n', 'dvc.yaml')).toThrow(/dvc\.yaml:2 is not valid YAML/);
  });

  it('errors on an alias bomb instead of expanding it', () => {
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++)
      levels.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9)
          .fill(`*${String.fromCharCode(96 + i)}`)
          .join(', ')}]`,
      );
    expect(() => parseDvcYaml(levels.join('\n'), 'dvc.yaml')).toThrow(/aliases/);
  });

  it('errors on nesting deeper than the cap, before the parser recurses', () => {
    expect(() => parseDvcYaml(`x: ${'['.repeat(5000)}${']'.repeat(5000)}`, 'params.yaml')).toThrow(/more than 12 levels deep/);
  });
});

describe('parseYamlAs', () => {
  it('names the field that does not fit the schema', () => {
    expect(() => parseYamlAs('outs: []\n', 'd.dvc', DvcFileSchema, 'a .dvc file')).toThrow(/d\.dvc is not a \.dvc file: outs:/);
    expect(() => parseYamlAs('schema: "2.0"\nstages: {train: {deps: []}}\n', 'dvc.lock', LockSchema, 'a dvc.lock')).toThrow(
      /stages\.train\.cmd/,
    );
  });
});

describe('declaredParams and paramIsDeclared', () => {
  it('reads keys, whole sections and other params files', () => {
    const declared = declaredParams({
      cmd: 'x',
      params: ['train.seed', 'prepare', { 'params.yaml': ['train.max_depth'] }, { 'other.yaml': null }],
    });
    expect(declared).toEqual(['train.seed', 'prepare', 'train.max_depth', 'other.yaml:']);
    expect(paramIsDeclared(declared, 'train.max_depth')).toBe(true);
    expect(paramIsDeclared(declared, 'prepare.test_size')).toBe(true);
    expect(paramIsDeclared(declared, 'train.n_estimators')).toBe(false);
  });

  it('counts `params.yaml:` with no keys as every key', () => {
    expect(paramIsDeclared(declaredParams({ cmd: 'x', params: [{ 'params.yaml': null }] }), 'train.seed')).toBe(true);
  });
});

describe('paramValue', () => {
  it('follows a dotted key and is undefined past a leaf', () => {
    expect(paramValue({ train: { max_depth: 8 } }, 'train.max_depth')).toBe(8);
    expect(paramValue({ train: { max_depth: 8 } }, 'train.max_depth.x')).toBeUndefined();
  });
});

describe('remoteObjectPath', () => {
  it('uses the DVC 3 layout', () => {
    expect(remoteObjectPath('/r', '9012a6245daabdbba48887f95a3c18f1')).toBe('/r/files/md5/90/12a6245daabdbba48887f95a3c18f1');
  });
});
