/**
 * Prometheus evidence: the text exposition format, promtool, a real
 * Prometheus and a real Alertmanager for one grading run (with a webhook
 * receiver), and clients of their HTTP APIs. The parts live in prometheus/.
 */
export * from './prometheus/exposition.ts';
export * from './prometheus/promtool.ts';
export { freePort, stopWorkspaceDaemons } from './prometheus/daemon.ts';
export * from './prometheus/server.ts';
export * from './prometheus/alertmanager.ts';
