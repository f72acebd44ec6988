import { amount } from './bullet.ts';
import { listFigures, missingFigures } from './figures.ts';
import type { CapstoneReport, Figure } from './schema.ts';

const MARK = { pass: '✓', fail: '✗', error: '!', skip: '–' } as const;

/** What each provenance means, in the words the report's readers see. */
export const PROVENANCE_NOTES: Readonly<Record<Figure['provenance'], string>> = {
  verified: 'measured by a grader check that passed in this attempt, on the learner’s machine',
  're-verified': 'measured again by a mentor server that re-ran the check',
  'self-reported': 'from a check that did not pass, or declared by the learner’s own service: not verified',
};

/** A figure's value for people: units, thousands separators, yes/no. */
export function formatFigure(fig: Pick<Figure, 'value' | 'unit' | 'key'>): string {
  const { value, unit } = fig;
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'string') return value;
  if (
    unit === 'rows' ||
    fig.key.endsWith('.runs') ||
    fig.key.endsWith('.versions') ||
    fig.key === 'load.errors' ||
    fig.key === 'drift.cleanAlerts'
  ) {
    const n = Math.round(value);
    return `${n.toLocaleString('en-US')}${unit === 'rows' ? (n === 1 ? ' row' : ' rows') : ''}`;
  }
  // Fractions keep four decimals at most (0.7134, 0.05): what the check recorded, not more digits than it means.
  if (unit === undefined) return String(Number(value.toFixed(4)));
  return `${amount(value)} ${unit}`;
}

/** The report as Markdown: credit, the resume bullet, the figures with their provenance, the milestones and how to check it again. */
export function renderReportMarkdown(report: CapstoneReport): string {
  const lines: string[] = [];
  const reached = report.milestones.filter((m) => m.reached);
  const env = report.environment;
  const tools = [`Node ${env.node}`, env.platform, env.docker && `Docker ${env.docker}`, env.kubernetes && `Kubernetes ${env.kubernetes}`]
    .filter(Boolean)
    .join(', ');

  lines.push(`# Capstone report: ${text(report.lab.id)}`, '');
  lines.push(
    `Attempt \`${report.attempt.id}\` of ${text(report.lab.id)} ${text(report.lab.version)} by **${text(report.learner)}**, graded ${when(report.attempt.finishedAt)} by mlops-lab ${text(env.grader)} (${text(tools)}). Overall status: ${report.attempt.status}; ${reached.length} of ${report.milestones.length} milestones reached.`,
    '',
  );
  lines.push(`**Credit:** ${text(report.credit.statement)}`, '');

  lines.push('## Resume bullet', '');
  if (report.resumeBullet) lines.push(`> ${text(report.resumeBullet)}`, '', `_${text(report.resumeBulletBasis.reason)}_`, '');
  else lines.push(`None. ${text(report.resumeBulletBasis.reason)}`, '');

  lines.push('## Figures', '');
  const rows = listFigures(report.figures);
  if (rows.length === 0) {
    lines.push('No check recorded a figure in this attempt.', '');
  } else {
    lines.push('| Figure | Value | Provenance | Recorded by |', '| --- | --- | --- | --- |');
    for (const { label, figure } of rows) {
      const from = `\`${figure.checkId}\` (${figure.checkStatus}${figure.basis === 'declared' ? ', declared by the service' : ''})`;
      lines.push(`| ${cell(label)} | ${cell(formatFigure(figure))} | ${figure.provenance} | ${cell(from)} |`);
    }
    lines.push('');
  }
  const missing = missingFigures(report.figures);
  if (missing.length > 0) lines.push(`Not recorded in this attempt (left out, never estimated): ${missing.map(text).join(', ')}.`, '');
  lines.push(
    'Provenance: ' +
      (Object.entries(PROVENANCE_NOTES) as [Figure['provenance'], string][]).map(([k, v]) => `**${k}**: ${v}`).join('; ') +
      '. The drift method and threshold are what the service declares on `/ready`; the grader measures the alert, not the method.',
    '',
  );

  lines.push(`## Milestones (${reached.length} of ${report.milestones.length} reached)`, '');
  for (const m of report.milestones) {
    const state = m.reached
      ? 'reached'
      : m.checks.length === 0
        ? 'not graded in this attempt'
        : `not reached (${m.checks.filter((c) => c.status === 'pass').length} of ${m.checks.length} checks pass)`;
    lines.push(`- ${m.reached ? '✓' : m.checks.length === 0 ? '○' : '✗'} **M${m.number}. ${text(m.title)}**: ${state}`);
    for (const c of m.checks) lines.push(`  - ${MARK[c.status]} ${text(c.title)} (\`${c.id}\`): ${text(c.message)}`);
  }
  lines.push('');

  lines.push('## Check it again', '');
  lines.push('Grade the workspace again (a new attempt, a new report):', '', '```sh', report.recheck.check, '```', '');
  lines.push('Build this report again from the stored attempt:', '', '```sh', report.recheck.report, '```', '');
  lines.push(`_Report format ${report.version}, built ${when(report.generatedAt)} by mlops-lab ${text(report.generatedBy)}._`, '');
  return lines.join('\n');
}

/** "2026-05-20 10:00 UTC". */
function when(iso: string): string {
  return `${new Date(iso).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** Text from a check or a learner as inert Markdown: one line, no HTML. */
function text(s: string): string {
  return s.replace(/\s*\r?\n\s*/g, ' ').replace(/</g, '&lt;');
}

/** Text for a table cell: `text` plus escaped pipes. */
function cell(s: string): string {
  return text(s).replace(/\|/g, '\\|');
}
