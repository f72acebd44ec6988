/**
 * Reading the lab page's check panel (site/src/components/CheckPanel) the
 * way a user sees it: rows by `data-check` / `data-state`, the live status
 * line (#check-status), the attempt history's count.
 */
import type { Page } from 'playwright-core';

type Win = Window & { __checkSeq?: number; __checkStarted?: boolean; __checkDone?: string };

/** Every island on the page has hydrated (Astro drops `ssr` from an island once it has). */
export async function hydrated(page: Page): Promise<void> {
  await page.waitForFunction(() => document.querySelectorAll('astro-island[ssr]').length === 0);
}

/** Check id -> data-state of every row, in page order. */
export function checkRows(page: Page): Promise<Record<string, string>> {
  return page.evaluate(() =>
    Object.fromEntries(
      [...document.querySelectorAll<HTMLElement>('.check-list [data-check]')].map((el) => [el.dataset.check!, el.dataset.state!]),
    ),
  );
}

/**
 * Call before pressing Check (by click or by key): watches the status line
 * for this run's "Checking your work…" and then its summary, so a summary
 * left over from an earlier run is never mistaken for this run's.
 */
export async function armCheck(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as Win;
    const seq = (w.__checkSeq = (w.__checkSeq ?? 0) + 1);
    w.__checkStarted = false;
    w.__checkDone = undefined;
    const status = document.getElementById('check-status');
    if (!status) throw new Error('the page has no #check-status');
    const observer = new MutationObserver(() => {
      if (w.__checkSeq !== seq) return observer.disconnect();
      const text = status.textContent ?? '';
      if (text.startsWith('Checking')) w.__checkStarted = true;
      else if (w.__checkStarted && /checks pass/.test(text)) {
        w.__checkDone = text;
        observer.disconnect();
      }
    });
    observer.observe(status, { childList: true, characterData: true, subtree: true });
  });
}

/**
 * Waits for the run armed by {@link armCheck} to end; returns the status
 * line's summary ("3 of 9 checks pass."). Throws with the panel's alert
 * when the run failed instead.
 */
export async function waitForCheckDone(page: Page, timeoutMs = 60_000): Promise<string> {
  await page.waitForFunction(
    () => {
      const w = window as Win;
      return Boolean(w.__checkDone) || (w.__checkStarted && document.querySelector('.check-panel [role="alert"]') !== null);
    },
    undefined,
    { timeout: timeoutMs, polling: 100 },
  );
  const done = await page.evaluate(() => (window as Win).__checkDone);
  if (!done) throw new Error(`the check failed: ${await page.locator('.check-panel [role="alert"]').textContent()}`);
  return done;
}

/** Presses the Check button and waits for the run's summary. */
export async function runCheck(page: Page, timeoutMs = 60_000): Promise<string> {
  await armCheck(page);
  await page.getByRole('button', { name: 'Check', exact: true }).click();
  return waitForCheckDone(page, timeoutMs);
}

/** Waits until the history's summary reads "Attempt history (n)". */
export async function waitForAttemptCount(page: Page, n: number, timeoutMs = 20_000): Promise<void> {
  await page.locator('.check-history summary', { hasText: `Attempt history (${n})` }).waitFor({ timeout: timeoutMs });
}
