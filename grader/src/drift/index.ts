/**
 * Drift detection for the monitoring labs and the capstone (pure functions, no I/O):
 * `detectDrift` for a whole window with Evidently's default rules, and the
 * single tests it is built from. Exposed as `@mlops-lab/grader/drift`.
 */
export { detectDrift, defaultMethod, runMethod, columnValues } from './detect.ts';
export type { Cell, ColumnDrift, DetectDriftOptions, DriftFrame, DriftReport } from './detect.ts';
export { ks2samp, ks2sampSorted, ksStatisticSorted, KS_EXACT_MAX_N } from './ks.ts';
export type { KsResult } from './ks.ts';
export { kolmogorovSf, smirnovSf } from './kolmogorov.ts';
export {
  binnedShares,
  chiSquareTest,
  histogram,
  jensenShannon,
  ksTest,
  METHOD_INFO,
  psi,
  sturgesEdges,
  valueCounts,
  wassersteinDistance,
  wassersteinNormed,
  zTest,
} from './stattests.ts';
export type { Category, ColumnKind, DriftMethod, TestResult } from './stattests.ts';
export { chiSquaredSf, gammaQ, logGamma, normalCdf, normalSf } from './special.ts';
