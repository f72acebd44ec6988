#!/usr/bin/env node
/**
 * `npm run mentor -- <command>`: administration of a mentor server's store
 * (MLOPS_LAB_MENTOR_STORE, default `<data home>/mentor.json`, or --store).
 *
 *   add-mentor  --email E --name N      password from MLOPS_LAB_MENTOR_PASSWORD, or prompted
 *   add-cohort  --mentor E --name N     prints the cohort id
 *   add-learner --cohort ID --name N    prints the learner's sync token (shown this once)
 *   seed        [--learners 30] [--seed demo] [--email E]   a demo cohort; prints the mentor login
 */
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { loadAllLabs, MlopsLabError, labsDir, UsageError } from '@mlops-lab/grader';
import { hashPassword, randomToken, sha256Hex } from './auth.ts';
import { mentorStoreUrl } from './context.ts';
import { seedDemoCohort } from './seed.ts';
import { openMentorStore } from './store/index.ts';
import type { MentorStore } from './store/types.ts';

/** Shortest password add-mentor accepts. */
export const MIN_PASSWORD_LENGTH = 10;

const USAGE = `Usage: npm run mentor -- <command> [options]

Commands:
  add-mentor  --email E --name N       add a mentor (password from MLOPS_LAB_MENTOR_PASSWORD, or asked for)
  add-cohort  --mentor E --name N      add a cohort for the mentor with email E; prints its id
  add-learner --cohort ID --name N     add a learner; prints the sync token (shown this once)
  seed        [--learners 30] [--seed demo] [--email E]
                                       a demo cohort with realistic attempts; prints the mentor login

Options for every command:
  --store URL   the mentor store (default: MLOPS_LAB_MENTOR_STORE, else <data home>/mentor.json)
  --json        print the outcome as JSON`;

interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Reads a password without echoing it (only on a terminal). */
  askPassword(prompt: string): Promise<string>;
}

const processIo: Io = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  askPassword: (prompt) =>
    new Promise((resolve, reject) => {
      if (!process.stdin.isTTY) {
        reject(
          new UsageError(
            'PASSWORD_REQUIRED',
            'No password: MLOPS_LAB_MENTOR_PASSWORD is not set and there is no terminal to ask on.',
            'Set MLOPS_LAB_MENTOR_PASSWORD for the command, or run it in a terminal.',
          ),
        );
        return;
      }
      const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
      // Echo nothing of what is typed.
      (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = (s: string) => {
        if (s.includes(prompt)) process.stdout.write(prompt);
      };
      rl.question(prompt, (answer) => {
        rl.close();
        process.stdout.write('\n');
        resolve(answer);
      });
    }),
};

function required(values: Record<string, unknown>, name: string, command: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value.trim() === '') {
    throw new UsageError('OPTION_REQUIRED', `${command} needs --${name}.`, `See \`npm run mentor -- --help\`.`);
  }
  return value.trim();
}

/** Runs one admin command; returns the exit code. Errors are printed here, with their next step. */
export async function mentorCli(argv: string[], io: Io = processIo, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    io.out(USAGE);
    return command ? 0 : 2;
  }
  let store: MentorStore | undefined;
  try {
    const { values } = parseArgs({
      args: rest,
      options: {
        store: { type: 'string' },
        json: { type: 'boolean' },
        email: { type: 'string' },
        name: { type: 'string' },
        mentor: { type: 'string' },
        cohort: { type: 'string' },
        learners: { type: 'string' },
        seed: { type: 'string' },
      },
      strict: true,
    });
    const json = Boolean(values.json);
    const print = (human: string, machine: unknown): void => io.out(json ? JSON.stringify(machine, null, 2) : human);
    if (!['add-mentor', 'add-cohort', 'add-learner', 'seed'].includes(command)) {
      throw new UsageError('COMMAND_UNKNOWN', `Unknown command "${command}".`, 'Commands: add-mentor, add-cohort, add-learner, seed.');
    }
    store = await openMentorStore(values.store ?? mentorStoreUrl(env));

    if (command === 'add-mentor') {
      const email = required(values, 'email', command);
      const name = required(values, 'name', command);
      const password = env.MLOPS_LAB_MENTOR_PASSWORD ?? (await io.askPassword(`Password for ${email}: `));
      if (password.length < MIN_PASSWORD_LENGTH) {
        throw new UsageError(
          'PASSWORD_TOO_SHORT',
          `The password has ${password.length} characters; a mentor password needs at least ${MIN_PASSWORD_LENGTH}.`,
          'Choose a longer one (a few words make a good one).',
        );
      }
      const mentor = await store.createMentor({ email, name, passwordHash: await hashPassword(password) });
      print(`Mentor ${mentor.name} <${mentor.email}> added (id ${mentor.id}). Log in on /mentor/.`, {
        mentor: { id: mentor.id, email: mentor.email, name: mentor.name },
      });
    } else if (command === 'add-cohort') {
      const email = required(values, 'mentor', command);
      const name = required(values, 'name', command);
      const mentor = await store.mentorByEmail(email);
      if (!mentor)
        throw new UsageError(
          'MENTOR_UNKNOWN',
          `There is no mentor with the email ${email}.`,
          `Add one first: npm run mentor -- add-mentor --email ${email} --name "…"`,
        );
      const cohort = await store.createCohort({ name, mentorId: mentor.id });
      print(
        `Cohort "${cohort.name}" added for ${mentor.email}: ${cohort.id}\nAdd learners with: npm run mentor -- add-learner --cohort ${cohort.id} --name "…"`,
        { cohort },
      );
    } else if (command === 'add-learner') {
      const cohortId = required(values, 'cohort', command);
      const name = required(values, 'name', command);
      const cohort = await store.cohortById(cohortId).catch(() => undefined);
      if (!cohort) throw new UsageError('COHORT_UNKNOWN', `There is no cohort ${cohortId}.`, 'add-cohort prints the id of a new cohort.');
      const token = randomToken();
      const learner = await store.createLearner({ cohortId: cohort.id, name, tokenHash: sha256Hex(token) });
      print(
        `Learner ${learner.name} added to "${cohort.name}" (id ${learner.id}).\nSync token (shown this once; give it to the learner):\n  ${token}\nThe learner runs: mlops-lab sync --server <this server's URL> --token ${token}`,
        { learner, token },
      );
    } else {
      const learners = values.learners === undefined ? 30 : Number(values.learners);
      if (!Number.isInteger(learners) || learners < 3 || learners > 500) {
        throw new UsageError(
          'LEARNERS_INVALID',
          `--learners must be a whole number from 3 to 500; got "${values.learners}".`,
          'e.g. --learners 30',
        );
      }
      const labs = await loadAllLabs(labsDir(env));
      const seeded = await seedDemoCohort(store, {
        learners,
        labs,
        now: new Date(),
        ...(values.seed !== undefined ? { seed: values.seed } : {}),
        ...(values.email !== undefined ? { email: values.email } : {}),
        ...(env.MLOPS_LAB_MENTOR_PASSWORD ? { password: env.MLOPS_LAB_MENTOR_PASSWORD } : {}),
      });
      const stuck = seeded.learners.find((l) => l.role === 'stuck')!.learner.name;
      const inactive = seeded.learners.find((l) => l.role === 'inactive')!.learner.name;
      print(
        [
          `Seeded "${seeded.cohort.name}" (${seeded.cohort.id}) in ${store.location}:`,
          `  ${seeded.learners.length} learners, ${seeded.attempts} synced attempts over ${labs.length} labs; ${stuck} is stuck, ${inactive} inactive.`,
          `Log in on /mentor/ of the mentor server (MLOPS_LAB_MODE=mentor npm start) with`,
          `  email:    ${seeded.email}`,
          `  password: ${seeded.password}`,
        ].join('\n'),
        {
          cohort: seeded.cohort,
          mentor: { id: seeded.mentor.id, email: seeded.email, password: seeded.password },
          learners: seeded.learners.map((l) => ({ id: l.learner.id, name: l.learner.name, role: l.role, token: l.token })),
          attempts: seeded.attempts,
        },
      );
    }
    return 0;
  } catch (error) {
    if (error instanceof MlopsLabError) {
      io.err(`error ${error.message}`);
      if (error.nextStep) io.err(`next: ${error.nextStep}`);
      return error.kind === 'environment' ? 3 : 2;
    }
    const code = (error as { code?: string }).code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) {
      io.err(`error ${(error as Error).message}`);
      io.err('next: see `npm run mentor -- --help`');
      return 2;
    }
    if (error instanceof RangeError) {
      io.err(`error ${error.message}`);
      return 2;
    }
    throw error;
  } finally {
    await store?.close();
  }
}

if (import.meta.main) {
  process.exitCode = await mentorCli(process.argv.slice(2));
}
