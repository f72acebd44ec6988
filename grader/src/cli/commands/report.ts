import { defineCommand } from 'citty';
import { UsageError } from '../../errors.ts';
import { storeFile } from '../../paths.ts';
import { renderReportMarkdown } from '../../report/markdown.ts';
import { CAPSTONE_LAB_ID } from '../../report/schema.ts';
import { defaultReportDir, readCapstoneReport, writeReportFiles } from '../../report/write.ts';
import { ProgressStore } from '../../store/store.ts';
import { color, currentLearner, printJson, processOutput } from '../output.ts';

export default defineCommand({
  meta: {
    name: 'report',
    description:
      'Write your verified capstone report (capstone-report.md and .json): the milestones reached, the figures the checks measured with their provenance, and a resume bullet built only from verified figures.',
  },
  args: {
    lab: { type: 'positional', description: `The capstone lab (default ${CAPSTONE_LAB_ID}).`, required: false },
    dir: { type: 'string', description: "Folder to write the two files into (default: the lab's workspace, else the current folder)." },
    json: { type: 'boolean', description: 'Print the report as JSON instead of Markdown.' },
    attempt: { type: 'string', description: 'Report on this attempt (its id, or its first 8+ characters) instead of the latest.' },
  },
  async run({ args }) {
    const store = ProgressStore.open(storeFile());
    const labId = await capstoneLabId(args.lab, store);
    const report = await readCapstoneReport({
      labId,
      learner: currentLearner(),
      store,
      ...(args.attempt !== undefined ? { attemptId: args.attempt } : {}),
    });
    const written = await writeReportFiles(args.dir ?? (await defaultReportDir(labId)), report);
    const where = `Wrote ${written.markdown} and ${written.json}`;
    if (args.json) {
      printJson(processOutput, report);
      processOutput.err(color.dim(where));
      return;
    }
    processOutput.out(renderReportMarkdown(report));
    processOutput.out(color.dim(where));
  },
});

/**
 * The lab id the learner meant: the default, an exact id, or a prefix of a
 * capstone lab id (`capstone/01`) among the default and the labs the store
 * has attempts of. Loads no lab, so a report works while the lab changes.
 */
async function capstoneLabId(given: string | undefined, store: ProgressStore): Promise<string> {
  if (given === undefined || given === CAPSTONE_LAB_ID) return CAPSTONE_LAB_ID;
  if (!given.startsWith('capstone/')) {
    throw new UsageError(
      'REPORT_NOT_CAPSTONE',
      `${given} is not a capstone lab: the report covers the capstone only.`,
      `Run \`mlops-lab report ${CAPSTONE_LAB_ID}\`, or \`mlops-lab progress\` for the other labs.`,
    );
  }
  const known = new Set([CAPSTONE_LAB_ID, ...(await store.attempts()).map((a) => a.lab.id).filter((id) => id.startsWith('capstone/'))]);
  if (known.has(given)) return given;
  const matches = [...known].filter((id) => id.startsWith(given));
  if (matches.length === 1) return matches[0]!;
  throw new UsageError(
    matches.length > 1 ? 'LAB_AMBIGUOUS' : 'LAB_UNKNOWN',
    matches.length > 1 ? `"${given}" matches ${matches.join(', ')}.` : `There is no capstone lab "${given}".`,
    `The capstone lab is ${CAPSTONE_LAB_ID}: \`mlops-lab report ${CAPSTONE_LAB_ID}\`.`,
  );
}
