import { defineCheck, fail, pass } from '@mlops-lab/grader/authoring';
import { ALERTS_FILE, PROMETHEUS_FILE, formatSeconds, readPrometheusConfig, yamlOrFail } from '../../_shared/rules.ts';

// Mirrors: grep -A3 -E 'rule_files|scrape_configs' prometheus.yml
export default defineCheck({
  id: 'config-scrapes-the-service-and-loads-rules',
  title: 'prometheus.yml scrapes the loan API and loads alerts.yml',
  needs: ['prometheus-config-is-valid'],
  hint: 'A scrape job with a static target for the service, and `rule_files: [alerts.yml]`.',
  async run(ctx) {
    const read = await yamlOrFail(ctx, PROMETHEUS_FILE, `promtool check config ${PROMETHEUS_FILE}`);
    if ('outcome' in read) return read.outcome;
    const config = readPrometheusConfig(read.data);
    const job = config.jobs.find((j) => j.targets.length > 0 && j.name !== 'prometheus');
    const problems: string[] = [];
    if (!job) problems.push('no scrape job with a static target for the service');
    if (!config.ruleFiles.includes(ALERTS_FILE))
      problems.push(`rule_files does not list ${ALERTS_FILE} (found: ${config.ruleFiles.join(', ') || 'none'})`);
    const interval = job?.intervalSeconds ?? config.scrapeIntervalSeconds;
    if (job && interval > 60)
      problems.push(`the job scrapes every ${formatSeconds(interval)}: a 5-minute rate() window needs several samples`);
    if (problems.length > 0) {
      return fail({
        message: `${PROMETHEUS_FILE} is incomplete: ${problems.join('; ')}.`,
        expected: `a job such as loan-api with targets ['127.0.0.1:8000'], scrape_interval 15s, and rule_files: [${ALERTS_FILE}]`,
        actual: problems.join('; '),
        hint: `Add \`rule_files: [${ALERTS_FILE}]\` at the top level of ${PROMETHEUS_FILE}, then \`promtool check config ${PROMETHEUS_FILE}\` lists the rules it found.`,
      });
    }
    return pass(`Job "${job!.name}" scrapes ${job!.targets.join(', ')} every ${formatSeconds(interval)}; rules come from ${ALERTS_FILE}.`);
  },
});
