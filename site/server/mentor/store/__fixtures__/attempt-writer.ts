// Adds attempts to a lowdb mentor store one call at a time, as fast as it
// can, and prints each attemptId only after addAttempts resolved, so every
// printed id is acknowledged. Runs until killed. A small compaction size
// makes it rewrite the whole file every few calls, so a kill can land in a
// rewrite as well as in a journal append.
// Usage: node attempt-writer.ts <store-file> <learner-id> <attempts-per-call> <compact-at-bytes>
import { LowdbMentorStore } from '../lowdb.ts';
import { makeAttempt } from './attempts.ts';

const [file, learnerId, perCall, compactAt] = process.argv.slice(2);
if (!file || !learnerId || !perCall || !compactAt) {
  process.stderr.write('usage: attempt-writer.ts <store-file> <learner-id> <attempts-per-call> <compact-at-bytes>\n');
  process.exit(2);
}
const store = await LowdbMentorStore.open(file, { compactAtBytes: Number(compactAt), compactRatio: 0 });
for (let i = 0; ; i++) {
  const batch = Array.from({ length: Number(perCall) }, (_, k) =>
    makeAttempt({ learner: 'writer', failAt: (i + k) % 3 === 0 ? 2 : undefined }),
  );
  const { accepted } = await store.addAttempts(learnerId, batch, new Date().toISOString());
  if (accepted.length === batch.length) process.stdout.write(`${accepted.join(' ')}\n`);
}
