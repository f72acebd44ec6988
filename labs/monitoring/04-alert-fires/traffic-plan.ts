/** The traffic monitoring/04 sends: enough rows to fill a 200-row window with one kind of traffic. */
import { DEFAULT_SHIFT, loanRows, type LoanFeature, type LoanRow } from '../_shared/traffic.ts';

export const ROWS_PER_PHASE = 300;
export const SHIFTED_FEATURES = Object.keys(DEFAULT_SHIFT) as LoanFeature[];

export function cleanRows(seed: number): LoanRow[] {
  return loanRows(ROWS_PER_PHASE, { seed });
}

export function shiftedRows(seed: number): LoanRow[] {
  return loanRows(ROWS_PER_PHASE, { seed, shift: DEFAULT_SHIFT });
}

/** The shift in words: "credit_score −90, debt_to_income +0.15". */
export function describeShift(): string {
  return Object.entries(DEFAULT_SHIFT)
    .map(([feature, move]) => `${feature} ${(move?.mean ?? 0) < 0 ? '−' : '+'}${Math.abs(move?.mean ?? 0)}`)
    .join(', ');
}

/** "credit_score 0.48, debt_to_income 0.41, …" */
export function describeScores(scores: Record<string, number>): string {
  return Object.entries(scores)
    .map(([feature, score]) => `${feature} ${score.toFixed(2)}`)
    .join(', ');
}
