import { useEffect, useState } from 'react';
import { loginHref, MentorApiError, mentorGet, mentorPaths } from './api.ts';
import type { MentorSession } from './types.ts';

export type Loaded<T> = { state: 'loading' } | { state: 'ready'; value: T } | { state: 'error'; error: MentorApiError };

/** Sends the browser to the login form, coming back here afterwards. */
export function backToLogin(): void {
  window.location.replace(loginHref(`${window.location.pathname}${window.location.search}`));
}

/** A query parameter of the page's address (the pages are static: ids come in `?id=`). Browser only. */
export function queryParam(name: string): string | null {
  return new URLSearchParams(window.location.search).get(name);
}

/**
 * The page's query parameters, read after the first render: the pages are
 * prerendered, so the server (and the hydrating render) have none yet.
 */
export function useQuery(): URLSearchParams | undefined {
  const [query, setQuery] = useState<URLSearchParams | undefined>();
  useEffect(() => setQuery(new URLSearchParams(window.location.search)), []);
  return query;
}

function asApiError(error: unknown): MentorApiError {
  return error instanceof MentorApiError
    ? error
    : new MentorApiError(0, 'UNEXPECTED', error instanceof Error ? error.message : String(error));
}

/**
 * Loads the session and then `load(session)`; a 401 from either sends the
 * mentor to the login form. `deps` reload it.
 */
export function useMentorData<T>(
  load: (session: MentorSession) => Promise<T>,
  deps: unknown[],
): { data: Loaded<T>; session?: MentorSession } {
  const [data, setData] = useState<Loaded<T>>({ state: 'loading' });
  const [session, setSession] = useState<MentorSession | undefined>();
  useEffect(() => {
    let live = true;
    // A reload (after a change on the page) keeps showing what is there until the new answer comes.
    setData((d) => (d.state === 'ready' ? d : { state: 'loading' }));
    (async () => {
      const s = await mentorGet<MentorSession>(mentorPaths.session);
      if (live) setSession(s);
      return load(s);
    })()
      .then((value) => {
        if (live) setData({ state: 'ready', value });
      })
      .catch((error: unknown) => {
        const e = asApiError(error);
        if (e.needsLogin) {
          backToLogin();
          return;
        }
        if (live) setData({ state: 'error', error: e });
      });
    return () => {
      live = false;
    };
  }, deps);
  return session ? { data, session } : { data };
}

export { asApiError };
