import pc from 'picocolors';
import type { AttemptResult, CheckResult } from '../result/schema.ts';

/**
 * Colours for people, never for machines: off with NO_COLOR, off when
 * stdout is not a terminal (picocolors decides), forced with FORCE_COLOR.
 */
export const color = pc;

export interface Output {
  out(text: string): void;
  err(text: string): void;
  /** True when stderr is an interactive terminal (live progress line allowed). */
  readonly interactive: boolean;
}

export const processOutput: Output = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
  interactive: Boolean(process.stderr.isTTY) && process.env.CI !== 'true',
};

export function printJson(output: Output, value: unknown): void {
  output.out(JSON.stringify(value, null, 2));
}

export { currentLearner } from '../learner.ts';

const SYMBOL: Record<CheckResult['status'], string> = {
  pass: color.green('✓'),
  fail: color.red('✗'),
  error: color.yellow('!'),
  skip: color.dim('-'),
};

/** A check result as a few indented lines a learner can act on. */
export function formatCheck(check: CheckResult): string {
  const head = `  ${SYMBOL[check.status]} ${check.status === 'pass' ? check.title : color.bold(check.title)} ${color.dim(`(${check.id})`)}`;
  if (check.status === 'pass') return head;
  const lines = [head, `      ${check.message}`];
  if (check.expected) lines.push(`      ${color.dim('expected:')} ${indentRest(check.expected, 16)}`);
  if (check.actual) lines.push(`      ${color.dim('found:   ')} ${indentRest(check.actual, 16)}`);
  if (check.hint) lines.push(`      ${color.cyan('try:     ')} ${indentRest(check.hint, 16)}`);
  return lines.join('\n');
}

function indentRest(text: string, width: number): string {
  return text.split('\n').join(`\n${' '.repeat(width)}`);
}

export function summaryLine(result: AttemptResult): string {
  const n = (s: CheckResult['status']): number => result.checks.filter((c) => c.status === s).length;
  const seconds = ((Date.parse(result.finishedAt) - Date.parse(result.startedAt)) / 1000).toFixed(1);
  const parts = [color.green(`${n('pass')} passed`), n('fail') ? color.red(`${n('fail')} failed`) : `${n('fail')} failed`];
  if (n('error')) parts.push(color.yellow(`${n('error')} error${n('error') === 1 ? '' : 's'}`));
  if (n('skip')) parts.push(color.dim(`${n('skip')} skipped`));
  return `${parts.join(', ')} in ${seconds} s`;
}

/**
 * A single status line on stderr, redrawn in place, for checks that run
 * longer than a second. Silent when stderr is not a terminal.
 */
export class LiveLine {
  readonly #output: Output;
  readonly #running = new Map<string, { title: string; since: number; note?: string }>();
  #timer: NodeJS.Timeout | undefined;
  #shown = false;
  #frame = 0;

  constructor(output: Output) {
    this.#output = output;
  }

  start(id: string, title: string): void {
    if (!this.#output.interactive) return;
    this.#running.set(id, { title, since: performance.now() });
    this.#timer ??= setInterval(() => this.#draw(), 120);
  }

  note(id: string, note: string): void {
    const entry = this.#running.get(id);
    if (entry) entry.note = note;
  }

  finish(id: string): void {
    this.#running.delete(id);
    if (this.#running.size === 0) this.clear();
  }

  clear(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#shown) process.stderr.write('\r\x1b[2K');
    this.#shown = false;
  }

  #draw(): void {
    const now = performance.now();
    const slow = [...this.#running.values()].filter((r) => now - r.since > 1000);
    if (slow.length === 0) return;
    const first = slow[0]!;
    const spinner = '⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏'[this.#frame++ % 10];
    const more = slow.length > 1 ? ` (+${slow.length - 1} more)` : '';
    const text = `${spinner} ${first.title} ${color.dim(`${((now - first.since) / 1000).toFixed(1)} s${first.note ? ` · ${first.note}` : ''}`)}${more}`;
    const width = process.stderr.columns ?? 100;
    process.stderr.write(`\r\x1b[2K${text.slice(0, width + 20)}`);
    this.#shown = true;
  }
}
