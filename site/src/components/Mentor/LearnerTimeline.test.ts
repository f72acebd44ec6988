import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { AttemptItem } from './LearnerTimeline.tsx';
import type { TimelineAttempt } from './types.ts';

const attempt: TimelineAttempt = {
  attemptId: '9d1c2f4e-0000-4000-8000-000000000001',
  labId: 'docker/01-containerise-model-api',
  labTitle: 'Containerise a model API',
  status: 'fail',
  credit: 'learner',
  finishedAt: '2026-11-20T09:30:00.000Z',
  receivedAt: '2026-11-20T09:31:00.000Z',
  verification: 'self-reported',
  checks: [
    { id: 'dockerfile-exists', title: 'A Dockerfile exists', status: 'pass', message: 'Found Dockerfile.' },
    {
      id: 'image-runs-as-non-root',
      title: 'The image runs as a non-root user',
      status: 'fail',
      message: 'The container runs as root.',
      expected: 'USER 10001',
      actual: 'USER root <script>',
    },
  ],
};

describe('AttemptItem (the learner timeline)', () => {
  it('sums the attempt up in its summary and says how it was verified', () => {
    const html = renderToStaticMarkup(createElement(AttemptItem, { attempt }));
    const summary = /<summary>(.*?)<\/summary>/.exec(html)?.[1]?.replace(/<[^>]+>/g, '');
    expect(summary).toBe('2026-11-20 09:30 UTC · Containerise a model API · ✗ failed · 1 of 2 checks pass · self-reported');
    expect(html).toContain('data-verification="self-reported"');
    expect(html).toContain('Self-reported: graded on the learner’s machine and synced.');
    const reverified = renderToStaticMarkup(createElement(AttemptItem, { attempt: { ...attempt, verification: 're-verified' } }));
    expect(reverified).toContain('Re-verified: the server re-ran these checks itself.');
  });

  it('opens to each check with what was expected and what was found, as text', () => {
    const html = renderToStaticMarkup(createElement(AttemptItem, { attempt }));
    expect(html).toMatch(/^<li [^>]*data-status="fail"[^>]*><details>/);
    const failed = /<tr data-check="image-runs-as-non-root" data-state="fail">(.*?)<\/tr>/.exec(html)?.[1] ?? '';
    expect(failed).toContain('<td data-expected="true"><pre>USER 10001</pre></td>');
    // Grader output is text, never markup.
    expect(failed).toContain('<td data-actual="true"><pre>USER root &lt;script&gt;</pre></td>');
    const passed = /<tr data-check="dockerfile-exists" data-state="pass">(.*?)<\/tr>/.exec(html)?.[1] ?? '';
    expect(passed).toContain('✓ passed');
    expect(passed).toContain('<td data-expected="true">—</td>');
  });
});
