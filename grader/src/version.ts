import { readFileSync } from 'node:fs';

/** The grader package version, reported in every attempt's environment. */
export const graderVersion: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
