#!/usr/bin/env node
// `npm start`. The learning site and lab server arrive with their own issue;
// until then this prints what a new learner needs first: what the machine
// can run (`mlops-lab doctor`) and the labs (`mlops-lab list`).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../../grader/bin/mlops-lab.js', import.meta.url));
const run = (args) => spawnSync(process.execPath, [cli, ...args], { stdio: 'inherit' }).status ?? 1;

process.stdout.write('MLOps Lab: the browser site is not built yet; here is the command-line view.\n\n');
run(['doctor']);
process.stdout.write('\n');
const status = run(['list']);
process.stdout.write('\nStart the first lab:\n  npx mlops-lab start docker/01-containerise-model-api --dir ./my-lab\n  npx mlops-lab check docker/01-containerise-model-api --dir ./my-lab\n');
process.exit(status);
