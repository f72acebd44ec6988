import { describe, expect, it } from 'vitest';
import type { TestModule } from 'vitest/node';
import { formatSummary, summarize } from './summary-reporter.ts';

// Minimal stand-ins for Vitest's reported tasks: only what the reporter reads.
type State = 'passed' | 'failed' | 'skipped' | 'pending';
interface FakeTest {
  type: 'test';
  options: { mode: 'run' | 'only' | 'skip' | 'todo' };
  result(): { state: State };
}
interface FakeSuite {
  type: 'suite';
  errors(): unknown[];
  children: FakeCollection;
}
class FakeCollection {
  readonly items: (FakeTest | FakeSuite)[];
  constructor(items: (FakeTest | FakeSuite)[]) {
    this.items = items;
  }
  [Symbol.iterator]() {
    return this.items[Symbol.iterator]();
  }
  *allTests(): Generator<FakeTest> {
    for (const item of this.items) {
      if (item.type === 'test') yield item;
      else yield* item.children.allTests();
    }
  }
}

const t = (state: State, mode: FakeTest['options']['mode'] = 'run'): FakeTest => ({
  type: 'test',
  options: { mode },
  result: () => ({ state }),
});
const suite = (items: (FakeTest | FakeSuite)[], errors: unknown[] = []): FakeSuite => ({
  type: 'suite',
  errors: () => errors,
  children: new FakeCollection(items),
});
const modules = (...suites: FakeSuite[]) => suites as unknown as TestModule[];

describe('summary reporter counts', () => {
  it('counts test cases by state, nested suites included', () => {
    const counts = summarize(
      modules(suite([t('passed'), t('failed'), t('skipped', 'skip'), suite([t('passed'), t('skipped', 'todo')])])),
      [],
    );
    expect(counts).toEqual({ passed: 2, failed: 1, skipped: 2 });
    expect(formatSummary(counts)).toBe('Tests: 2 passed, 1 failed, 2 skipped');
  });

  it('counts a file that failed to import as 1 failed', () => {
    expect(summarize(modules(suite([], [new Error('Cannot find module')])), [])).toEqual({ passed: 0, failed: 1, skipped: 0 });
  });

  it('counts the tests a failed beforeAll kept from running as failed, not those skipped on purpose', () => {
    const hooked = suite([t('skipped'), t('skipped'), t('skipped', 'skip')], [new Error('beforeAll failed')]);
    expect(summarize(modules(suite([hooked, t('passed')])), [])).toEqual({ passed: 1, failed: 2, skipped: 1 });
  });

  it('counts unhandled errors and tests left pending as failed', () => {
    expect(summarize(modules(suite([t('passed'), t('pending')])), [new Error('unhandled')])).toEqual({ passed: 1, failed: 2, skipped: 0 });
  });
});
