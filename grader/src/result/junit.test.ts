import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { toJUnitXml } from './junit.ts';
import { AttemptResultSchema, RESULT_SCHEMA_VERSION, type AttemptResult, type CheckResult } from './schema.ts';

function attempt(checks: CheckResult[], overrides: Partial<AttemptResult> = {}): AttemptResult {
  const result: AttemptResult = {
    schemaVersion: RESULT_SCHEMA_VERSION,
    lab: { id: 'docker/01-containerise-model-api', version: '1.0.0' },
    attemptId: '0b5f0c5e-8f7e-4c3a-9d55-2f1a3c4b5d6e',
    learner: 'ada',
    startedAt: '2026-03-01T10:00:00.000Z',
    finishedAt: '2026-03-01T10:00:12.345Z',
    status: 'error',
    credit: 'learner',
    source: 'cli',
    environment: { node: 'v24.0.0', platform: 'linux-x64', grader: '0.1.0' },
    checks,
    ...overrides,
  };
  AttemptResultSchema.parse(result);
  return result;
}

const mixed: CheckResult[] = [
  { id: 'dockerfile-exists', title: 'There is a Dockerfile', status: 'pass', message: 'Found Dockerfile.', durationMs: 4, tries: 1 },
  {
    id: 'image-runs-as-non-root',
    title: 'The image runs as a non-root user',
    status: 'fail',
    message: 'The image runs as root.',
    expected: 'a USER other than root',
    actual: 'USER root',
    hint: 'Add `USER 10001` after installing packages.',
    durationMs: 1500,
    tries: 1,
  },
  {
    id: 'image-builds',
    title: 'The image builds',
    status: 'error',
    message: 'Docker is not reachable.',
    hint: 'Start Docker.',
    code: 'DOCKER_UNAVAILABLE',
    durationMs: 0,
  },
  {
    id: 'container-reports-healthy',
    title: 'The container reports healthy',
    status: 'skip',
    message: 'Skipped because "image-builds" did not pass (error); fix that first.',
    durationMs: 0,
  },
  { id: 'image-has-healthcheck', title: 'The image has a HEALTHCHECK', status: 'pass', message: 'It has one.', durationMs: 12345 },
];

interface Attrs {
  [name: string]: string | undefined;
}
type TestCase = Attrs & {
  failure?: (Attrs & { '#text'?: string }) | undefined;
  error?: (Attrs & { '#text'?: string }) | undefined;
  skipped?: Attrs | undefined;
};
interface Parsed {
  testsuites: Attrs & {
    testsuite: Attrs & {
      properties: { property: Attrs[] };
      testcase?: TestCase[];
    };
  };
}

/**
 * What fast-xml-parser's validator lets through but XML 1.0 forbids (strict
 * parsers in CI tools reject it): characters outside the XML Char range, a
 * bare `&`, `<` inside an attribute value, `]]>` in text.
 */
function expectStrictXml(xml: string): void {
  // eslint-disable-next-line no-control-regex
  expect(xml).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/);
  expect(xml.replace(/&(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, '')).not.toContain('&');
  for (const [, value] of xml.matchAll(/="([^"]*)"/g)) expect(value).not.toContain('<');
  expect(xml).not.toContain(']]>');
}

/** Parses JUnit XML the way a CI system would, failing the test if it is not well-formed. */
function parse(xml: string): Parsed {
  expect(XMLValidator.validate(xml)).toBe(true);
  expectStrictXml(xml);
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    parseAttributeValue: false,
    parseTagValue: false,
    trimValues: false,
    isArray: (name) => name === 'testcase' || name === 'property',
  });
  return parser.parse(xml) as Parsed;
}

describe('toJUnitXml', () => {
  it('returns well-formed XML with one testsuite and the counts of each status', () => {
    const xml = toJUnitXml(attempt(mixed));
    const { testsuites } = parse(xml);

    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n')).toBe(true);
    expect(testsuites).toMatchObject({ name: 'mlops-lab', tests: '5', failures: '1', errors: '1', skipped: '1', time: '12.345' });
    expect(testsuites.testsuite).toMatchObject({
      name: 'docker/01-containerise-model-api',
      tests: '5',
      failures: '1',
      errors: '1',
      skipped: '1',
      time: '12.345',
      timestamp: '2026-03-01T10:00:00.000Z',
    });
  });

  it('returns one testcase per check in order, with the lab as classname and seconds as time', () => {
    const { testsuites } = parse(toJUnitXml(attempt(mixed)));
    const cases = testsuites.testsuite.testcase ?? [];

    expect(cases.map((c) => [c.classname, c.name, c.time])).toEqual([
      ['docker/01-containerise-model-api', 'dockerfile-exists', '0.004'],
      ['docker/01-containerise-model-api', 'image-runs-as-non-root', '1.500'],
      ['docker/01-containerise-model-api', 'image-builds', '0.000'],
      ['docker/01-containerise-model-api', 'container-reports-healthy', '0.000'],
      ['docker/01-containerise-model-api', 'image-has-healthcheck', '12.345'],
    ]);
  });

  it('returns a failure with the message and the expected, actual and hint lines for a failed check', () => {
    const cases = parse(toJUnitXml(attempt(mixed))).testsuites.testsuite.testcase ?? [];
    const failed = cases[1]!;

    expect(failed.failure).toEqual({
      message: 'The image runs as root.',
      '#text':
        'The image runs as root.\nexpected: a USER other than root\nactual: USER root\nhint: Add `USER 10001` after installing packages.',
    });
    expect(failed.error).toBeUndefined();
    expect(failed.skipped).toBeUndefined();
  });

  it('returns an error typed with the check code, and skipped for a skipped check', () => {
    const cases = parse(toJUnitXml(attempt(mixed))).testsuites.testsuite.testcase ?? [];

    expect(cases[2]!.error).toEqual({
      message: 'Docker is not reachable.',
      type: 'DOCKER_UNAVAILABLE',
      '#text': 'Docker is not reachable.\nhint: Start Docker.',
    });
    expect(cases[3]!.skipped).toEqual({ message: 'Skipped because "image-builds" did not pass (error); fix that first.' });
    expect(cases[3]!.failure).toBeUndefined();
    for (const passed of [cases[0]!, cases[4]!]) {
      expect(passed.failure ?? passed.error ?? passed.skipped).toBeUndefined();
    }
  });

  it('returns an error typed "error" when the check has no code', () => {
    const xml = toJUnitXml(attempt([{ id: 'check-crashes', title: 'Crash', status: 'error', message: 'It crashed.', durationMs: 1 }]));
    expect(parse(xml).testsuites.testsuite.testcase?.[0]?.error?.type).toBe('error');
  });

  it('returns the attempt id, lab version and credit as properties', () => {
    const props = parse(toJUnitXml(attempt(mixed, { credit: 'solution' }))).testsuites.testsuite.properties.property;
    expect(props).toEqual([
      { name: 'attemptId', value: '0b5f0c5e-8f7e-4c3a-9d55-2f1a3c4b5d6e' },
      { name: 'labVersion', value: '1.0.0' },
      { name: 'credit', value: 'solution' },
    ]);
  });

  it('returns an empty suite with zero counts for an attempt without checks', () => {
    const { testsuites } = parse(toJUnitXml(attempt([], { status: 'fail' })));
    expect(testsuites).toMatchObject({ tests: '0', failures: '0', errors: '0', skipped: '0' });
    expect(testsuites.testsuite.testcase).toBeUndefined();
  });

  it('returns well-formed XML that keeps hostile text intact when messages hold markup, quotes, ]]> and control characters', () => {
    const hostile = `<script>alert("x")</script> & 'quotes' ]]> <![CDATA[ x ]]> \u0000\u0001\u0007\u0008\u000B\u000C\u001B\u001F\uFFFE\uFFFF end`;
    const withoutControl = `<script>alert("x")</script> & 'quotes' ]]> <![CDATA[ x ]]>  end`;
    const result = attempt(
      [
        {
          id: 'hostile-check',
          title: hostile,
          status: 'fail',
          message: hostile,
          expected: `</failure><error message="x">`,
          actual: hostile,
          hint: `--> <!-- "&amp;" ${hostile}`,
          durationMs: 3,
        },
        { id: 'hostile-error', title: 'x', status: 'error', message: hostile, code: `"/><evil a="`, durationMs: 3 },
        { id: 'hostile-skip', title: 'x', status: 'skip', message: hostile, durationMs: 0 },
      ],
      { lab: { id: `docker/01-"><x>&`, version: `1.0.0"'<>` }, attemptId: '0b5f0c5e-8f7e-4c3a-9d55-2f1a3c4b5d6e' },
    );

    const xml = toJUnitXml(result);
    expect(xml).not.toContain('<script>');
    expect(xml).not.toContain('<evil');

    const { testsuites } = parse(xml);
    const cases = testsuites.testsuite.testcase ?? [];
    expect(cases).toHaveLength(3);
    expect(testsuites.testsuite.name).toBe(`docker/01-"><x>&`);
    expect(cases.map((c) => c.classname)).toEqual(Array(3).fill(`docker/01-"><x>&`));
    expect(cases[0]!.failure?.message).toBe(withoutControl);
    expect(cases[0]!.failure?.['#text']).toBe(
      `${withoutControl}\nexpected: </failure><error message="x">\nactual: ${withoutControl}\nhint: --> <!-- "&amp;" ${withoutControl}`,
    );
    expect(cases[0]!.error).toBeUndefined();
    expect(cases[1]!.error).toMatchObject({ message: withoutControl, type: `"/><evil a="` });
    expect(cases[2]!.skipped?.message).toBe(withoutControl);
    expect(testsuites.testsuite.properties.property[1]).toEqual({ name: 'labVersion', value: `1.0.0"'<>` });
  });
});
