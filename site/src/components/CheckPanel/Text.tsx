import { Fragment } from 'react';

/**
 * Grader text with `backtick` spans shown as code. Built from React
 * elements, so nothing the grader (or a learner's file) says is ever HTML.
 */
export function Text({ value }: { value: string }) {
  const parts = value.split(/(`[^`\n]+`)/g);
  return (
    <>
      {parts.map((part, i) =>
        part.length > 2 && part.startsWith('`') && part.endsWith('`') ? <code key={i}>{part.slice(1, -1)}</code> : <Fragment key={i}>{part}</Fragment>,
      )}
    </>
  );
}
