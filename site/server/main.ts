#!/usr/bin/env node
/**
 * `node site/server/main.ts`: the lab server. PORT (default 4321) and HOST
 * (default 127.0.0.1) choose where it listens; Ctrl-C stops it cleanly.
 */
import { jsonLogger } from './log.ts';
import { createLabServer, DEFAULT_HOST, DEFAULT_PORT } from './server.ts';

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

const port = parsePort(process.env.PORT);
const host = process.env.HOST?.trim() || DEFAULT_HOST;
if (!['127.0.0.1', 'localhost', '::1'].includes(host)) {
  log.warn('listening beyond loopback: anyone who can reach this address can use the lab server', { host });
}

let server: Awaited<ReturnType<typeof createLabServer>>;
try {
  server = await createLabServer({ port, host, log });
} catch (error) {
  const code = (error as { code?: string }).code;
  log.error('lab server could not start', {
    error,
    ...(code === 'EADDRINUSE'
      ? { nextStep: `Port ${port} is in use: stop the other server, or run with another port, e.g. PORT=${port + 1} npm start` }
      : {}),
  });
  process.exit(1);
}
log.info('lab server listening', { url: server.url });

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
