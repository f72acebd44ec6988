import type { AttemptResult } from './schema.ts';

/** Escapes text for XML attributes and text nodes, dropping characters XML 1.0 forbids. */
function xml(text: string): string {
  return text
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/**
 * An attempt as a JUnit XML report (one testsuite, one testcase per check),
 * the format CI systems (GitHub Actions, GitLab CI, Jenkins) display.
 */
export function toJUnitXml(result: AttemptResult): string {
  const count = (s: string): number => result.checks.filter((c) => c.status === s).length;
  const seconds = (ms: number): string => (ms / 1000).toFixed(3);
  const total = Date.parse(result.finishedAt) - Date.parse(result.startedAt);
  const cases = result.checks.map((check) => {
    const details = [check.message, check.expected && `expected: ${check.expected}`, check.actual && `actual: ${check.actual}`, check.hint && `hint: ${check.hint}`]
      .filter(Boolean)
      .join('\n');
    const open = `    <testcase classname="${xml(result.lab.id)}" name="${xml(check.id)}" time="${seconds(check.durationMs)}">`;
    switch (check.status) {
      case 'pass':
        return `${open}</testcase>`;
      case 'fail':
        return `${open}\n      <failure message="${xml(check.message)}">${xml(details)}</failure>\n    </testcase>`;
      case 'error':
        return `${open}\n      <error message="${xml(check.message)}" type="${xml(check.code ?? 'error')}">${xml(details)}</error>\n    </testcase>`;
      case 'skip':
        return `${open}\n      <skipped message="${xml(check.message)}"/>\n    </testcase>`;
    }
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="mlops-lab" tests="${result.checks.length}" failures="${count('fail')}" errors="${count('error')}" skipped="${count('skip')}" time="${seconds(total)}">`,
    `  <testsuite name="${xml(result.lab.id)}" tests="${result.checks.length}" failures="${count('fail')}" errors="${count('error')}" skipped="${count('skip')}" time="${seconds(total)}" timestamp="${xml(result.startedAt)}">`,
    `    <properties><property name="attemptId" value="${xml(result.attemptId)}"/><property name="labVersion" value="${xml(result.lab.version)}"/><property name="credit" value="${xml(result.credit)}"/></properties>`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
