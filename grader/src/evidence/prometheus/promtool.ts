/**
 * `promtool check config`, `promtool check rules` and `promtool test rules`,
 * run by argv with a timeout and an output cap, their output turned into
 * problems and per-test failures a learner can read.
 */
import { EvidenceError } from '../../errors.ts';
import type { ProcessEvidence, RunResult } from '../process.ts';

export interface PromtoolOptions {
  cwd: string;
  signal?: AbortSignal;
  /** Default 30 000 ms. */
  timeoutMs?: number;
}

export interface PromtoolCheck {
  ok: boolean;
  /** The lines that say what is wrong (FAILED and error lines, without promtool's banners). */
  problems: string[];
  /** stdout and stderr, tail-capped. */
  output: string;
}

/** One failing expectation of `promtool test rules`. */
export interface RuleTestFailure {
  /** The test group's `name:` when it has one. */
  group?: string;
  /** The alert an alert_rule_test was about. */
  alertname?: string;
  /** The promql_expr_test expression. */
  expr?: string;
  /** The eval_time, e.g. `10m`. */
  time?: string;
  /** Expected and actual alerts as label sets (`{alertname="X", severity="page"}`), from promtool's exp/got. */
  expected: string[];
  got: string[];
  /** The failure as promtool printed it (capped). */
  text: string;
}

export interface RuleTestReport extends PromtoolCheck {
  failures: RuleTestFailure[];
}

const OUTPUT_CAP = 256 * 1024;

async function promtool(process: ProcessEvidence, args: string[], options: PromtoolOptions): Promise<RunResult> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const result = await process.run('promtool', args, {
    cwd: options.cwd,
    timeoutMs,
    maxOutputBytes: OUTPUT_CAP,
    signal: options.signal,
  });
  if (result.timedOut) {
    throw new EvidenceError(
      'PROMTOOL_TIMEOUT',
      `\`promtool ${args.join(' ')}\` did not finish within ${timeoutMs / 1000} s.`,
      'A test file with very long input_series (millions of samples) takes long to evaluate: keep series to minutes or hours of data.',
    );
  }
  return result;
}

function problemLines(output: string): string[] {
  return output
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !/^(Checking|Unit Testing:|SUCCESS)\b/.test(line) && !/^FAILED:?$/.test(line))
    .slice(0, 20)
    .map((line) => (line.length > 400 ? `${line.slice(0, 400)}…` : line));
}

/** `promtool check config <file>` (also checks the rule files the config lists). */
export async function promtoolCheckConfig(process: ProcessEvidence, file: string, options: PromtoolOptions): Promise<PromtoolCheck> {
  const result = await promtool(process, ['check', 'config', file], options);
  const output = `${result.stdout}\n${result.stderr}`.trim();
  return { ok: result.exitCode === 0, problems: result.exitCode === 0 ? [] : problemLines(output), output };
}

/** `promtool check rules <files…>`. */
export async function promtoolCheckRules(process: ProcessEvidence, files: string[], options: PromtoolOptions): Promise<PromtoolCheck> {
  const result = await promtool(process, ['check', 'rules', ...files], options);
  const output = `${result.stdout}\n${result.stderr}`.trim();
  return { ok: result.exitCode === 0, problems: result.exitCode === 0 ? [] : problemLines(output), output };
}

/** `promtool test rules <files…>`, failures parsed per test group and expectation. */
export async function promtoolTestRules(process: ProcessEvidence, files: string[], options: PromtoolOptions): Promise<RuleTestReport> {
  const result = await promtool(process, ['test', 'rules', ...files], options);
  const output = `${result.stdout}\n${result.stderr}`.trim();
  const failures = parseRuleTestFailures(result.stderr);
  const ok = result.exitCode === 0;
  const problems = ok ? [] : failures.length > 0 ? failures.map(describeFailure) : problemLines(output);
  return { ok, failures, problems, output };
}

/** Splits promtool's stderr (`FAILED:` blocks) into failures. */
export function parseRuleTestFailures(stderr: string): RuleTestFailure[] {
  const failures: RuleTestFailure[] = [];
  // One FAILED: block per file; inside it one `name:` section per failing test group (unnamed groups have none).
  const sections = stderr
    .split(/^\s*FAILED:\s*$/m)
    .slice(1)
    .flatMap((block) => block.split(/^(?=\s*name:)/m));
  for (const section of sections) {
    const group = /^\s*name:\s*(.*?),?\s*$/m.exec(section)?.[1];
    // Each expectation starts at `alertname:` or `expr:`.
    const parts = section.split(/^(?=\s*(?:alertname|expr):)/m).filter((part) => /^\s*(alertname|expr):/.test(part));
    if (parts.length === 0) {
      const text = section.replace(/^\s*name:.*$/m, '').trim();
      if (text) failures.push({ group, expected: [], got: [], text: text.slice(0, 2000) });
      continue;
    }
    for (const part of parts) {
      const alertname = /^\s*alertname:\s*([^,\n]+)/m.exec(part)?.[1]?.trim();
      const expr = /^\s*expr:\s*"?(.*?)"?,\s*time:/m.exec(part)?.[1];
      const time = /time:\s*([^,\s]+)/.exec(part)?.[1];
      const [expPart = '', gotPart = ''] = part.split(/^\s*got:/m);
      failures.push({
        group,
        alertname,
        expr,
        time,
        expected: labelSets(expPart),
        got: labelSets(gotPart),
        text: part.trim().slice(0, 2000),
      });
    }
  }
  return failures;
}

function labelSets(text: string): string[] {
  const sets = [...text.matchAll(/Labels:(\{[^}]*\})/g)].map((m) => m[1]!);
  if (sets.length > 0) return sets;
  // promql_expr_test prints series as `{__name__="x"} 1` or a plain `x{a="b"} 1`.
  return [...text.matchAll(/([a-zA-Z_:][\w:]*)?(\{[^}]*\})\s+[-\d.e+]+/g)].map((m) => `${m[1] ?? ''}${m[2]}`);
}

/** One sentence per failure, e.g. `test "slow", alert HighLatency at 15m: expected none, got {alertname="…"}`. */
export function describeFailure(failure: RuleTestFailure): string {
  const where = [
    failure.group ? `test "${failure.group}"` : '',
    failure.alertname ? `alert ${failure.alertname}` : failure.expr ? `expr ${failure.expr}` : '',
  ]
    .filter(Boolean)
    .join(', ');
  if (!failure.alertname && !failure.expr) return `${where}: ${failure.text.split('\n')[0]}`;
  const list = (sets: string[]): string => (sets.length === 0 ? 'none' : sets.join(' '));
  return `${where} at ${failure.time ?? '?'}: expected ${list(failure.expected)}, got ${list(failure.got)}`;
}
