// Appends attempts to a store as fast as it can and prints each attemptId
// only after appendAttempt resolved, so every printed id is acknowledged.
// Usage: node append-writer.ts <store-file> <count | "forever"> [learner]
import { ProgressStore } from '../store.ts';
import { makeAttempt } from './attempts.ts';

const [file, countArg, learner = 'writer'] = process.argv.slice(2);
if (!file || !countArg) {
  process.stderr.write('usage: append-writer.ts <store-file> <count | forever> [learner]\n');
  process.exit(2);
}
const count = countArg === 'forever' ? Infinity : Number(countArg);
const store = ProgressStore.open(file);

for (let i = 0; i < count; i++) {
  const attempt = makeAttempt({ learner, status: i % 3 === 0 ? 'fail' : 'pass' });
  await store.appendAttempt(attempt);
  process.stdout.write(`${attempt.attemptId}\n`);
}
