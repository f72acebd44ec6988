/**
 * A Vitest reporter that prints one plain closing line at the very end of a run:
 *
 *   Tests: N passed, N failed, N skipped
 *
 * counting test cases across all files. CI tooling reads this exact shape, so
 * it carries no colour and stands alone on its line.
 *
 * Failures outside a test case count too, so the line never reads "0 failed"
 * for a run that failed:
 * - a test file that failed to load or collect (import error, syntax error)
 *   counts as 1 failed;
 * - a suite or file whose hook failed (a `beforeAll` throwing, as a required
 *   but missing tool does in test-support/tools.ts) counts the tests it kept
 *   from running as failed (those skipped on purpose, `.skip` / `.todo`, stay
 *   skipped), or 1 failed when it had none;
 * - each unhandled error counts as 1 failed;
 * - tests still pending when the run ended (interrupted) count as failed.
 */
import type { SerializedError } from 'vitest';
import type { Reporter, TestCase, TestModule, TestRunEndReason, TestSuite } from 'vitest/node';

export interface SummaryCounts {
  passed: number;
  failed: number;
  skipped: number;
}

type Container = TestModule | TestSuite;

/** Whether a test was meant to run (not `.skip` or `.todo`). */
function meantToRun(test: TestCase): boolean {
  return test.options.mode === 'run' || test.options.mode === 'only';
}

function hasFailedTest(container: Container): boolean {
  for (const test of container.children.allTests()) {
    if (test.result().state === 'failed') return true;
  }
  return false;
}

/**
 * Adds the container's tests to `counts`; returns how many failures it
 * counted on behalf of a failure outside any test (a collection error or a
 * failed hook) in this container or an enclosing one (`blocked`).
 */
function countContainer(container: Container, counts: SummaryCounts, blocked: boolean): number {
  // Own errors (collection, hooks) of a container that holds no failed test.
  const failedOutsideTests = container.errors().length > 0 && !hasFailedTest(container);
  const isBlocked = blocked || failedOutsideTests;
  let attributed = 0;
  for (const child of container.children) {
    if (child.type === 'suite') {
      attributed += countContainer(child, counts, isBlocked);
      continue;
    }
    const state = child.result().state;
    if (state === 'passed') counts.passed += 1;
    else if (state === 'failed') counts.failed += 1;
    else if (state === 'pending') {
      // Still pending when the run ended: it never finished.
      counts.failed += 1;
    } else if (isBlocked && meantToRun(child)) {
      // Skipped only because a hook or the collection failed.
      counts.failed += 1;
      attributed += 1;
    } else counts.skipped += 1;
  }
  if (failedOutsideTests && attributed === 0) {
    counts.failed += 1;
    attributed += 1;
  }
  return attributed;
}

/** The counts for a finished run (exported for tests). */
export function summarize(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): SummaryCounts {
  const counts: SummaryCounts = { passed: 0, failed: 0, skipped: 0 };
  for (const module of testModules) countContainer(module, counts, false);
  counts.failed += unhandledErrors.length;
  return counts;
}

export function formatSummary(counts: SummaryCounts): string {
  return `Tests: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`;
}

export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<SerializedError>, reason: TestRunEndReason): void {
    const counts = summarize(testModules, unhandledErrors);
    // A run Vitest calls failed must not close on "0 failed" (e.g. a failure
    // that is in no module, like a failing global setup).
    if (reason === 'failed' && counts.failed === 0) counts.failed = 1;
    process.stdout.write(`\n${formatSummary(counts)}\n`);
  }
}
