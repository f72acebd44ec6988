import { describe, expect, it } from 'vitest';
import { parseDockerfile } from '../evidence/dockerfile.ts';
import {
  copySources,
  finalBaseImage,
  maskSecret,
  secretAssignments,
  secretFileReason,
  secretVariables,
  unpinnedBaseImages,
  userIsRoot,
} from './docker-checks.ts';

describe('userIsRoot', () => {
  it.each(['', ' ', 'root', '0', '00', '0:0', 'root:root', 'root:0', '0:root', '0:10001', 'root:app'])(
    'returns true for USER %j',
    (user) => {
      expect(userIsRoot(user)).toBe(true);
    },
  );

  it.each(['10001', '10001:10001', '10001:0', 'app', 'app:app', 'nobody', '1000:root', 'rooter'])('returns false for USER %j', (user) => {
    expect(userIsRoot(user)).toBe(false);
  });
});

describe('unpinnedBaseImages', () => {
  const lines = (text: string) => unpinnedBaseImages(parseDockerfile(text)).map((s) => `${s.line}:${s.image}`);

  it('returns FROM lines with latest, no tag or a bare major version', () => {
    expect(lines('FROM python:latest\nFROM python\nFROM python:3 AS b\nFROM b\n')).toEqual(['1:python:latest', '2:python', '3:python:3']);
  });

  it('returns nothing for major.minor tags, digests and earlier stages', () => {
    const digest = `python@sha256:${'a'.repeat(64)}`;
    expect(lines(`FROM python:3.11 AS build\nFROM ${digest}\nFROM build\nFROM scratch\n`)).toEqual([]);
  });
});

describe('finalBaseImage', () => {
  it('follows FROM <stage> chains back to the registry image', () => {
    expect(finalBaseImage(parseDockerfile('FROM python:3.11-slim-bookworm AS base\nFROM base AS test\nFROM test\n'))).toBe(
      'python:3.11-slim-bookworm',
    );
  });

  it('returns the last registry image for a plain multi-stage build', () => {
    expect(finalBaseImage(parseDockerfile('FROM golang:1.22 AS build\nFROM debian:bookworm-slim\n'))).toBe('debian:bookworm-slim');
  });

  it('returns undefined for scratch', () => {
    expect(finalBaseImage(parseDockerfile('FROM golang:1.22 AS build\nFROM scratch\n'))).toBeUndefined();
  });
});

describe('secretVariables', () => {
  it('returns credential-like ENV with a value and every credential-like ARG', () => {
    const model = parseDockerfile(
      'FROM python:3.11\nARG GITHUB_TOKEN\nENV MODEL_API_KEY=abc\nENV DB_PASSWORD=\nENV PORT=8000\nARG PYTHON_MINOR=3.11\n',
    );
    expect(secretVariables(model).map((v) => `${v.kind} ${v.name}`)).toEqual(['ARG GITHUB_TOKEN', 'ENV MODEL_API_KEY']);
  });
});

describe('secretAssignments', () => {
  it('returns credential-like NAME=value pairs of a BuildKit history line', () => {
    expect(secretAssignments('RUN |2 DEPLOY_TOKEN=dpl_1 PYTHON_MINOR=3.11 /bin/sh -c make # buildkit')).toEqual([
      { name: 'DEPLOY_TOKEN', value: 'dpl_1' },
    ]);
  });

  it('returns quoted values without quotes, and skips empty values and variable references', () => {
    expect(secretAssignments(`ENV API_KEY="k 1" SECRET='' ACCESS_KEY=$FROM_ENV PASSWORD='p'`)).toEqual([
      { name: 'API_KEY', value: 'k 1' },
      { name: 'PASSWORD', value: 'p' },
    ]);
  });
});

describe('maskSecret', () => {
  it('keeps two characters of a long value and hides short ones entirely', () => {
    expect(maskSecret('dpl_4d1f0c9a7e2b')).toBe('dp…****');
    expect(maskSecret('abc')).toBe('****');
    expect(maskSecret(undefined)).toBe('(no default)');
  });
});

describe('copySources', () => {
  it('returns the sources of the shell and the JSON form, without the destination', () => {
    const model = parseDockerfile('FROM python:3.11\nCOPY a.txt b/ /dest/\nCOPY ["with space.txt", "/dest/"]\nCOPY [not json /d/\n');
    expect(model.finalStage.instructions.map(copySources)).toEqual([['a.txt', 'b/'], ['with space.txt'], ['[not', 'json']]);
  });
});

describe('secretFileReason', () => {
  it.each([
    ['.env', /\.env file/],
    ['srv/.env.production', /\.env file/],
    ['.git/config', /Git history/],
    ['home/app/.ssh/id_ed25519', /SSH private key/],
    ['id_rsa', /SSH private key/],
    ['certs/server.key', /private key/],
    ['root/.netrc', /credentials file/],
    ['root/.aws/credentials', /credentials file/],
    ['root/.docker/config.json', /credentials file/],
    ['tls/bundle.pem', /\.pem file/],
  ])('returns a reason for %s', (path, reason) => {
    expect(secretFileReason(path)).toMatch(reason);
  });

  it.each([
    '.env.example',
    'srv/.env.sample',
    'app/serve.py',
    'home/app/.ssh/id_ed25519.pub',
    'home/app/.ssh/known_hosts',
    'home/app/.ssh/config',
    'root/.ssh/authorized_keys',
    'etc/config.json',
    'credentials.py',
  ])('returns undefined for %s', (path) => {
    expect(secretFileReason(path)).toBeUndefined();
  });

  it('reads content: a PEM private key under any name, an AWS key id, and a .pem that is only a certificate', () => {
    const header = ['-----BEGIN RSA PRIV', 'ATE KEY-----'].join('');
    expect(secretFileReason('tmp/deploy', Buffer.from(`${header}\nabc\n`))).toBe('a PEM private key');
    expect(secretFileReason('srv/settings.ini', Buffer.from(`aws_access_key_id = AKIA${'Z'.repeat(16)}\n`))).toBe('an AWS access key id');
    expect(secretFileReason('tls/ca.pem', Buffer.from('-----BEGIN CERTIFICATE-----\nabc\n'))).toBeUndefined();
  });
});
