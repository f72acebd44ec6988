import type { ReactNode } from 'react';
import type { MentorApiError } from './api.ts';

/** An error the mentor can act on: what happened and what to do next, announced to screen readers. */
export function Problem({ error, children }: { error: Pick<MentorApiError, 'message' | 'nextStep' | 'code'>; children?: ReactNode }) {
  return (
    <div role="alert" className="mentor-problem" data-error={error.code}>
      <p>
        {error.message}
        {error.nextStep ? ` ${error.nextStep}` : ''}
      </p>
      {children}
    </div>
  );
}
