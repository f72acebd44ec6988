/**
 * The verified capstone report: one attempt of the capstone lab, its
 * milestones, the figures its checks recorded (each with its provenance)
 * and a resume bullet built only from verified figures. Building and
 * rendering are pure; `readCapstoneReport` and `writeReportFiles` touch the
 * store and the disk.
 */
export { buildCapstoneReport, type BuildReportOptions } from './build.ts';
export { resumeBullet, type Bullet, type BulletInput } from './bullet.ts';
export { collectFigures, listFigures, missingFigures, FIGURE_SPECS, FIGURE_LABELS } from './figures.ts';
export { renderReportMarkdown, formatFigure, PROVENANCE_NOTES } from './markdown.ts';
export {
  CAPSTONE_LAB_ID,
  CapstoneReportSchema,
  ProvenanceSchema,
  ReportFiguresSchema,
  ReportMilestoneSchema,
  REPORT_FORMAT,
  REPORT_VERSION,
} from './schema.ts';
export type { CapstoneReport, Figure, Provenance, ReportFigures, ReportMilestone } from './schema.ts';
export { readCapstoneReport, writeReportFiles, defaultReportDir, REPORT_JSON_FILE, REPORT_MARKDOWN_FILE } from './write.ts';
