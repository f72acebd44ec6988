/**
 * Turns one line of a workflow's `run:` into argv, for the grader to run
 * without a shell. Quotes are honoured; anything that needs a shell (pipes,
 * `&&`, redirection, `$VARS`, `${{ }}`) is refused with the reason.
 */
export function commandArgv(line: string): string[] | string {
  if (line.includes('${{')) return 'it contains a ${{ }} expression, which only the runner fills in';
  const words: string[] = [];
  let current = '';
  let quote: string | undefined;
  let started = false;
  for (const ch of line) {
    if (quote) {
      if (ch === quote) quote = undefined;
      else current += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      started = true;
    } else if (/\s/.test(ch)) {
      if (started) words.push(current);
      current = '';
      started = false;
    } else if (ch === '#' && !started) {
      break; // a comment
    } else if ('|&;<>$`(){}'.includes(ch)) {
      return `it needs a shell (\`${ch}\`)`;
    } else {
      current += ch;
      started = true;
    }
  }
  if (quote) return 'a quote is not closed';
  if (started) words.push(current);
  if (words.length === 0) return 'it is empty';
  if (!/^(pytest|py\.test|python3?)$/.test(words[0]!)) return `it starts with ${words[0]}; the grader runs pytest or python -m pytest`;
  return words;
}
