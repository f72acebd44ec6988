import { randomBytes } from 'node:crypto';
import { TOKEN_TTL_MS } from './protocol.ts';

export interface TokenGrant {
  learner: string;
  labId: string;
  /** Epoch milliseconds. */
  expiresAt: number;
}

/** Single-use, short-lived terminal tokens, bound to a learner and a lab. In memory only. */
export class TokenStore {
  readonly #grants = new Map<string, TokenGrant>();
  readonly #ttlMs: number;
  readonly #now: () => number;

  constructor(options: { ttlMs?: number; now?: () => number } = {}) {
    this.#ttlMs = options.ttlMs ?? TOKEN_TTL_MS;
    this.#now = options.now ?? Date.now;
  }

  issue(learner: string, labId: string): { token: string; expiresAt: number } {
    this.#prune();
    const token = randomBytes(32).toString('base64url');
    const expiresAt = this.#now() + this.#ttlMs;
    this.#grants.set(token, { learner, labId, expiresAt });
    return { token, expiresAt };
  }

  /** The grant of a token, used up by this call; undefined when unknown, used or expired. */
  consume(token: string | null | undefined): TokenGrant | undefined {
    if (!token) return undefined;
    const grant = this.#grants.get(token);
    if (!grant) return undefined;
    this.#grants.delete(token);
    return grant.expiresAt > this.#now() ? grant : undefined;
  }

  get size(): number {
    return this.#grants.size;
  }

  clear(): void {
    this.#grants.clear();
  }

  #prune(): void {
    const now = this.#now();
    for (const [token, grant] of this.#grants) if (grant.expiresAt <= now) this.#grants.delete(token);
  }
}
