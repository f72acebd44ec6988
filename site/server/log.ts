/**
 * Structured logging: one JSON object per line, `level` and `msg` first.
 * Info goes to stdout, warnings and errors to stderr.
 */
export type LogFields = Record<string, unknown>;

export interface Logger {
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

type Level = 'info' | 'warn' | 'error';

export function jsonLogger(write: (level: Level, line: string) => void = defaultWrite): Logger {
  const log = (level: Level, msg: string, fields: LogFields = {}): void => {
    write(level, `${JSON.stringify({ level, msg, ...fields, time: new Date().toISOString() }, replaceErrors)}\n`);
  };
  return {
    info: (msg, fields) => log('info', msg, fields),
    warn: (msg, fields) => log('warn', msg, fields),
    error: (msg, fields) => log('error', msg, fields),
  };
}

/** A logger that drops everything (tests that provoke errors on purpose). */
export const silentLogger: Logger = { info: () => {}, warn: () => {}, error: () => {} };

function defaultWrite(level: Level, line: string): void {
  (level === 'info' ? process.stdout : process.stderr).write(line);
}

function replaceErrors(_key: string, value: unknown): unknown {
  if (value instanceof Error) {
    return { name: value.name, message: value.message, ...('code' in value ? { code: value.code } : {}), stack: value.stack };
  }
  return value;
}
