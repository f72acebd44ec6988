/**
 * Checks more than one monitoring lab uses, as factories (each lab names
 * itself in the hints).
 */
import { EvidenceError, defineCheck, fail, pass, promtoolCheckConfig } from '@mlops-lab/grader/authoring';
import { PROMETHEUS_FILE, yamlOrFail } from './rules.ts';

// Mirrors: promtool check config prometheus.yml
export function prometheusConfigIsValid(labId: string) {
  return defineCheck({
    id: 'prometheus-config-is-valid',
    title: 'promtool accepts prometheus.yml (and the rule files it loads)',
    requires: ['promtool'],
    hint: 'Run `promtool check config prometheus.yml` and fix the first line it reports.',
    async run(ctx) {
      if (!(await ctx.files.exists(PROMETHEUS_FILE))) {
        return fail({
          message: `${PROMETHEUS_FILE} is missing from the workspace.`,
          expected: `${PROMETHEUS_FILE} with a scrape job for the loan API`,
          actual: 'no such file',
          hint: `Write it from the instructions, or start over in a new folder with \`mlops-lab start ${labId} --dir <folder>\`.`,
        });
      }
      // Read it with the grader's caps first: promtool would wait forever on a FIFO and read any size.
      const read = await yamlOrFail(ctx, PROMETHEUS_FILE, `promtool check config ${PROMETHEUS_FILE}`);
      if ('outcome' in read) return read.outcome;
      let result;
      try {
        result = await promtoolCheckConfig(ctx.process, PROMETHEUS_FILE, { cwd: ctx.workspace.dir, signal: ctx.signal, timeoutMs: 20_000 });
      } catch (error) {
        if (!(error instanceof EvidenceError) || error.code !== 'PROMTOOL_TIMEOUT') throw error;
        return fail({
          message: `promtool did not finish checking ${PROMETHEUS_FILE} and the rule files it lists: ${error.message}`,
          expected: `\`promtool check config ${PROMETHEUS_FILE}\` finishes in a second or two`,
          actual: 'still running after 20 s',
          hint: 'Are the rule files regular files of a normal size? `ls -l` them, then run `promtool check config prometheus.yml` yourself.',
        });
      }
      if (!result.ok) {
        return fail({
          message: `promtool rejects ${PROMETHEUS_FILE}: Prometheus would refuse to start (or to reload) with it.`,
          expected: `\`promtool check config ${PROMETHEUS_FILE}\` says SUCCESS`,
          actual: result.problems.join('\n') || result.output.slice(-800),
          hint: `Run \`promtool check config ${PROMETHEUS_FILE}\` in the workspace; it names the line and the field. YAML indentation is the usual culprit.`,
        });
      }
      return pass(`promtool accepts ${PROMETHEUS_FILE}.`);
    },
  });
}
