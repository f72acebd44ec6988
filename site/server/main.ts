#!/usr/bin/env node
/**
 * `node site/server/main.ts [--mentor]`: the lab server. PORT (default 4321)
 * and HOST (default 127.0.0.1) choose where it listens; `--mentor` or
 * MLOPS_LAB_MODE=mentor runs the cohort server (sync and mentor API, store
 * from MLOPS_LAB_MENTOR_STORE); Ctrl-C stops it cleanly.
 */
import { jsonLogger } from './log.ts';
import { createLabServer, DEFAULT_HOST, DEFAULT_PORT, mentorStoreUrl, type LabServerMode } from './server.ts';

const log = jsonLogger();

function parsePort(value: string | undefined): number {
  if (value === undefined || value.trim() === '') return DEFAULT_PORT;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    log.error('invalid PORT', { value, nextStep: 'Set PORT to a number from 0 to 65535, e.g. PORT=4322 npm start' });
    process.exit(2);
  }
  return port;
}

function parseMode(argv: string[], env: NodeJS.ProcessEnv): LabServerMode {
  const unknown = argv.filter((a) => a !== '--mentor');
  if (unknown.length > 0) {
    log.error('unknown argument', { arguments: unknown, nextStep: 'The only flag is --mentor, e.g. node site/server/main.ts --mentor' });
    process.exit(2);
  }
  if (argv.includes('--mentor')) return 'mentor';
  const value = env.MLOPS_LAB_MODE?.trim() || 'learner';
  if (value !== 'learner' && value !== 'mentor') {
    log.error('invalid MLOPS_LAB_MODE', { value, nextStep: 'Set MLOPS_LAB_MODE=mentor for the cohort server, or unset it' });
    process.exit(2);
  }
  return value;
}

const port = parsePort(process.env.PORT);
const mode = parseMode(process.argv.slice(2), process.env);
const host = process.env.HOST?.trim() || DEFAULT_HOST;
if (!['127.0.0.1', 'localhost', '::1'].includes(host)) {
  if (mode === 'mentor') {
    log.info('mentor server listening beyond loopback', {
      host,
      allowedHosts: process.env.MLOPS_LAB_ALLOWED_HOSTS ?? '',
      ...(process.env.MLOPS_LAB_ALLOWED_HOSTS
        ? {}
        : {
            nextStep:
              'Requests for any name but the loopback ones get 403: set MLOPS_LAB_ALLOWED_HOSTS=mentor.example.org (comma-separated)',
          }),
    });
  } else {
    log.warn('listening beyond loopback: anyone who can reach this address can use the lab server', {
      host,
      nextStep: 'A server for a cohort runs in mentor mode (--mentor); a learner server belongs on 127.0.0.1',
    });
  }
}

let server: Awaited<ReturnType<typeof createLabServer>>;
try {
  server = await createLabServer({ port, host, log, mode });
} catch (error) {
  const code = (error as { code?: string }).code;
  const nextStep = (error as { nextStep?: unknown }).nextStep;
  log.error('lab server could not start', {
    error,
    ...(code === 'EADDRINUSE'
      ? { nextStep: `Port ${port} is in use: stop the other server, or run with another port, e.g. PORT=${port + 1} npm start` }
      : typeof nextStep === 'string'
        ? { nextStep }
        : {}),
  });
  process.exit(1);
}
log.info('lab server listening', {
  url: server.url,
  mode,
  ...(mode === 'mentor' ? { mentorStore: mentorStoreUrl(process.env).replace(/\/\/[^@/]*@/, '//***@') } : {}),
});

let stopping = false;
const stop = (signal: NodeJS.Signals): void => {
  if (stopping) {
    process.exit(130);
  }
  stopping = true;
  log.info('lab server stopping', { signal });
  server.close().then(
    () => process.exit(0),
    (error: unknown) => {
      log.error('lab server did not close cleanly', { error });
      process.exit(1);
    },
  );
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
