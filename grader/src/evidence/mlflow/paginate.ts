/** Paged searches as async iterators, with a cap (MLFLOW_TOO_MANY_RESULTS) and a loop guard. */
import { EvidenceError } from '../../errors.ts';

export interface CallOptions {
  signal?: AbortSignal;
}

/** One page of a search. */
export interface Page<T> {
  items: T[];
  /** Pass back as `pageToken` for the next page; absent on the last page. */
  nextPageToken?: string;
}

export interface PageRequest extends CallOptions {
  /** Items per page (`max_results`); each search has its own default and maximum. */
  pageSize?: number;
  pageToken?: string;
}

export interface IterateOptions extends CallOptions {
  pageSize?: number;
  /**
   * At most this many items; when more match, the iteration throws
   * MLFLOW_TOO_MANY_RESULTS after yielding them (a grade over a silently cut
   * list would be wrong). Default: 10 000. Break out of the loop to stop early.
   */
  limit?: number;
}

export interface PageSpec {
  default: number;
  max: number;
}

export const DEFAULT_LIMIT = 10_000;

/** Every item of a paged search, in order (the search's `limit` still applies). */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

export function pageSize(requested: number | undefined, spec: PageSpec): number {
  const size = Math.floor(requested ?? spec.default);
  return Math.max(1, Math.min(spec.max, Number.isFinite(size) ? size : spec.default));
}

export function pageOf<T>(items: T[], next: string | undefined): Page<T> {
  return next ? { items, nextPageToken: next } : { items };
}

/**
 * Walks the pages of a search: asks for at most `limit + 1` items in all, so
 * "more than the limit" is known for sure (a full page may come with a token
 * even when nothing follows) and throws MLFLOW_TOO_MANY_RESULTS then.
 */
export async function* paginate<T>(
  what: string,
  spec: PageSpec,
  options: IterateOptions,
  fetchPage: (page: PageRequest) => Promise<Page<T>>,
): AsyncGenerator<T> {
  const limit = Math.max(0, Math.floor(options.limit ?? DEFAULT_LIMIT));
  const size = pageSize(options.pageSize, spec);
  const seen = new Set<string>();
  let token: string | undefined;
  let count = 0;
  let emptyPages = 0;
  for (;;) {
    const page = await fetchPage({
      pageSize: Math.min(size, limit + 1 - count),
      ...(token ? { pageToken: token } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    for (const item of page.items) {
      if (count === limit) {
        throw new EvidenceError(
          'MLFLOW_TOO_MANY_RESULTS',
          `More than ${limit} ${what} match; the grader reads at most ${limit}.`,
          'Narrow the search (a filter, or one experiment per sweep), or delete runs you do not need (`mlflow gc` after deleting them in the UI).',
        );
      }
      count++;
      yield item;
    }
    if (!page.nextPageToken) return;
    if (seen.has(page.nextPageToken)) {
      throw new EvidenceError(
        'MLFLOW_BAD_PAGINATION',
        `The server sent the same page token twice while listing ${what}; stopping instead of looping.`,
        'Check that the tracking server is MLflow itself and not a proxy that rewrites requests.',
      );
    }
    seen.add(page.nextPageToken);
    emptyPages = page.items.length === 0 ? emptyPages + 1 : 0;
    if (emptyPages > 3) return;
    token = page.nextPageToken;
  }
}
