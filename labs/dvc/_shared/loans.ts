/**
 * The loan-default data set of the DVC labs, generated (not shipped) so each
 * lab can make the version it needs: small enough that `dvc repro` takes
 * seconds, with a real signal for a model to learn.
 */

/** A seeded generator (mulberry32): the same seed gives the same rows on every machine. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Rows of the data set's first version (the labs' raw data). */
export const LOAN_ROWS = 600;

export const LOAN_COLUMNS = [
  'loan_id',
  'income',
  'loan_amount',
  'term_months',
  'credit_score',
  'employment_years',
  'debt_to_income',
  'defaulted',
];

/**
 * The CSV text of `rows` loans. Rows are a pure function of (seed, index), so
 * a later version with more rows starts with the earlier version's rows.
 */
export function loansCsv(rows: number, seed = 42): string {
  const lines = [LOAN_COLUMNS.join(',')];
  for (let i = 0; i < rows; i++) {
    const r = random(seed * 100_003 + i);
    const income = Math.round(20_000 + r() * 130_000);
    const loanAmount = Math.round(2_000 + r() * 48_000);
    const term = [12, 24, 36, 60][Math.floor(r() * 4)]!;
    const credit = Math.round(480 + r() * 370);
    const employment = Math.round(r() * 30);
    const dti = Math.round((0.05 + r() * 0.55) * 1000) / 1000;
    const risk = -1.2 + 3.2 * dti + (loanAmount / income) * 1.5 - (credit - 650) / 60 - employment / 25 + (term === 60 ? 0.4 : 0);
    const defaulted = r() < 1 / (1 + Math.exp(-risk)) ? 1 : 0;
    lines.push([1000 + i, income, loanAmount, term, credit, employment, dti, defaulted].join(','));
  }
  return `${lines.join('\n')}\n`;
}
