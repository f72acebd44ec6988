import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EvidenceError } from '../errors.ts';
import { COMPOSE_LIMITS, findComposeCli, interpolate, interpolations, parseComposeFile, parsePortSpec } from './compose.ts';
import { ProcessEvidence } from './process.ts';

function invalid(text: string): EvidenceError {
  try {
    parseComposeFile(text);
  } catch (error) {
    if (error instanceof EvidenceError) return error;
    throw error;
  }
  throw new Error('expected COMPOSE_INVALID');
}

describe('parsePortSpec', () => {
  it.each([
    ['8000', { hostIp: undefined, published: undefined, target: '8000', protocol: 'tcp' }],
    ['8000:80', { hostIp: undefined, published: '8000', target: '80', protocol: 'tcp' }],
    ['127.0.0.1:8000:80', { hostIp: '127.0.0.1', published: '8000', target: '80', protocol: 'tcp' }],
    ['127.0.0.1::80', { hostIp: '127.0.0.1', published: undefined, target: '80', protocol: 'tcp' }],
    ['0.0.0.0:8000:80/udp', { hostIp: '0.0.0.0', published: '8000', target: '80', protocol: 'udp' }],
    ['[::1]:8000:80', { hostIp: '::1', published: '8000', target: '80', protocol: 'tcp' }],
    ['::1:8000:80', { hostIp: '::1', published: '8000', target: '80', protocol: 'tcp' }],
    ['9000-9001:9000-9001', { hostIp: undefined, published: '9000-9001', target: '9000-9001', protocol: 'tcp' }],
  ])('reads %s', (spec, expected) => {
    expect(parsePortSpec(spec)).toEqual(expected);
  });

  it.each(['', 'http', '8000:eighty', 'a:b:c:d'])('returns undefined for %j', (spec) => {
    expect(parsePortSpec(spec)).toBeUndefined();
  });
});

describe('interpolate', () => {
  const vars = new Map([
    ['SET', 'x'],
    ['EMPTY', ''],
  ]);
  it.each([
    ['${SET}', 'x'],
    ['$SET-y', 'x-y'],
    ['${UNSET}', ''],
    ['${UNSET:-d}', 'd'],
    ['${EMPTY:-d}', 'd'],
    ['${EMPTY-d}', ''],
    ['${SET:?must be set}', 'x'],
    ['${SET:+alt}', 'alt'],
    ['$${SET}', '${SET}'],
  ])('%s -> %j', (value, expected) => {
    expect(interpolate(value, vars)).toBe(expected);
  });

  it('lists references with their literal fallbacks', () => {
    expect(interpolations('${A:-x}/${B}/$C/${D?err}/$$E')).toEqual([
      { name: 'A', fallback: 'x' },
      { name: 'B', fallback: undefined },
      { name: 'C', fallback: undefined },
      { name: 'D', fallback: undefined },
    ]);
  });
});

describe('parseComposeFile', () => {
  it('returns services with ports, environment, depends_on and healthcheck, with line numbers', () => {
    const text = [
      'services:',
      '  api:',
      '    build: ./api',
      '    ports:',
      '      - "127.0.0.1:${PORT:-8000}:8000"',
      '    environment:',
      '      TOKEN: ${TOKEN}',
      '    depends_on:',
      '      store:',
      '        condition: service_healthy',
      '    restart: unless-stopped',
      '  store:',
      '    image: python:3.11-slim-bookworm',
      '    healthcheck:',
      '      test: ["CMD", "true"]',
      'networks:',
      '  backend: {}',
    ].join('\n');
    const model = parseComposeFile(text);
    const api = model.services[0]!;
    expect(api).toMatchObject({ name: 'api', line: 2, hasBuild: true, restart: 'unless-stopped', networks: ['default'] });
    expect(api.ports).toEqual([
      { raw: '127.0.0.1:${PORT:-8000}:8000', line: 5, hostIp: '127.0.0.1', published: '8000', target: '8000', protocol: 'tcp' },
    ]);
    expect(api.environment).toEqual([{ name: 'TOKEN', value: '${TOKEN}', line: 7 }]);
    expect(api.dependsOn).toEqual([{ service: 'store', condition: 'service_healthy', line: 9 }]);
    expect(model.services[1]!.healthcheck).toEqual({ line: 14, disabled: false });
    expect(model.networks).toEqual(['backend']);
  });

  it('reads the list forms of environment and depends_on', () => {
    const model = parseComposeFile('services:\n  a:\n    environment:\n      - A=1\n      - B\n    depends_on: [b]\n  b: {image: x}\n');
    expect(model.services[0]!.environment).toEqual([
      { name: 'A', value: '1', line: 4 },
      { name: 'B', value: undefined, line: 5 },
    ]);
    expect(model.services[0]!.dependsOn).toEqual([{ service: 'b', condition: 'service_started', line: 6 }]);
  });

  it('errors on YAML syntax with the line', () => {
    expect(invalid('services:\n  api:\n    ports: [8000\n').message).toMatch(/compose\.yaml line \d+: is not valid YAML/);
  });

  it('errors when there are no services', () => {
    expect(invalid('version: "3.9"\n').message).toMatch(/no `services:` map/);
    expect(invalid('- a\n- b\n').message).toMatch(/must be a map/);
  });

  it('errors on duplicate keys instead of keeping the last one', () => {
    expect(invalid('services:\n  api: {image: a}\n  api: {image: b}\n').message).toMatch(/not valid YAML/);
  });

  it('refuses an alias bomb quickly instead of expanding it', () => {
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    let prev = 'a';
    for (const name of 'bcdefghij') {
      lines.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(', ')}]`);
      prev = name;
    }
    lines.push(`services:\n  api:\n    image: *${prev}`);
    const started = performance.now();
    expect(invalid(lines.join('\n')).message).toMatch(new RegExp(`at most ${COMPOSE_LIMITS.maxAliasCount} aliases`));
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('refuses deep nesting, flow or block', () => {
    expect(invalid(`services:\n  api:\n    x: ${'['.repeat(50_000)}${']'.repeat(50_000)}\n`).message).toMatch(/more than 32 levels deep/);
    const block = ['services:', '  api:'];
    for (let i = 0; i < 40; i++) block.push(`${'  '.repeat(i + 2)}k${i}:`);
    block.push(`${'  '.repeat(42)}v`);
    expect(invalid(block.join('\n')).message).toMatch(/more than 32 levels deep/);
  });

  it('errors on a port it cannot read, naming the line', () => {
    expect(invalid('services:\n  api:\n    ports:\n      - "eighty"\n').message).toMatch(/line 4: "eighty" is not a port mapping/);
  });
});

describe('findComposeCli', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('errors with install guidance when neither docker compose nor docker-compose exists', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'mlops-no-compose-'));
    dirs.push(empty);
    const error = await findComposeCli(new ProcessEvidence({ PATH: empty })).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'COMPOSE_MISSING' });
    expect((error as { nextStep?: string }).nextStep).toMatch(/apt-get install docker-compose/);
  });
});
