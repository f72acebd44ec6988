import { defineConfig } from 'vitest/config';

// Two projects: `default` runs on any machine with the real peers this repo's
// CI installs (Docker engine, Python tools, ...); `cluster` needs a live k3s
// cluster and runs only with `npm run test:cluster`.
export default defineConfig({
  test: {
    reporters: ['default', './grader/test-support/summary-reporter.ts'],
    projects: [
      {
        test: {
          name: 'default',
          include: ['{grader,labs,cluster,site}/**/*.test.ts'],
          exclude: [
            '**/node_modules/**',
            '**/*.cluster.test.ts',
            '**/starter/**',
            'labs/!(capstone)/**/solution/**',
            '{grader,cluster,site}/**/solution/**',
          ],
          testTimeout: 60_000,
          hookTimeout: 300_000,
        },
      },
      {
        test: {
          name: 'cluster',
          include: ['{grader,labs,cluster,site}/**/*.cluster.test.ts'],
          testTimeout: 300_000,
          hookTimeout: 600_000,
        },
      },
    ],
  },
});
