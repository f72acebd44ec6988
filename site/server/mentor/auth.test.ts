import { describe, expect, it } from 'vitest';
import { hashPassword, LoginThrottle, secretsEqual, sessionCookie, sha256Hex, verifyPassword } from './auth.ts';
import { TEST_SCRYPT } from './test-support.ts';

describe('hashPassword / verifyPassword', () => {
  it('returns true for the right password and false for a wrong one', async () => {
    const hash = await hashPassword('correct horse battery');
    expect(hash).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(await verifyPassword('correct horse battery', hash)).toBe(true);
    expect(await verifyPassword('correct horse batterY', hash)).toBe(false);
    expect(await verifyPassword('', hash)).toBe(false);
  });

  it('returns a different hash for the same password (a salt per password)', async () => {
    const [a, b] = await Promise.all([hashPassword('same password', TEST_SCRYPT), hashPassword('same password', TEST_SCRYPT)]);
    expect(a).not.toBe(b);
    expect(await verifyPassword('same password', a)).toBe(true);
    expect(await verifyPassword('same password', b)).toBe(true);
  });

  it('returns true for a hash made with other parameters (they are stored with it)', async () => {
    const hash = await hashPassword('old parameters', TEST_SCRYPT);
    expect(hash.startsWith('scrypt$1024$8$1$')).toBe(true);
    expect(await verifyPassword('old parameters', hash)).toBe(true);
  });

  it('returns false for a hash it cannot read or whose parameters are out of bounds', async () => {
    const good = await hashPassword('pw-for-bounds', TEST_SCRYPT);
    const [, , r, p, salt, key] = good.split('$');
    for (const bad of [
      '',
      'plain text',
      `bcrypt$1024$${r}$${p}$${salt}$${key}`,
      `scrypt$1000$${r}$${p}$${salt}$${key}`,
      `scrypt$${2 ** 24}$${r}$${p}$${salt}$${key}`,
      `scrypt$1024$${r}$${p}$${salt}$`,
    ]) {
      expect(await verifyPassword('pw-for-bounds', bad), bad).toBe(false);
    }
  });

  it('errors for an empty password', async () => {
    await expect(hashPassword('')).rejects.toThrow(/cannot be empty/);
  });
});

describe('LoginThrottle', () => {
  it('returns a wait after 5 failures within 10 minutes, for that email only (any case)', () => {
    let now = 1_000_000;
    const t = new LoginThrottle({ now: () => now });
    for (let i = 0; i < 4; i++) t.fail('Ada@Example.org');
    expect(t.retryAfterMs('ada@example.org')).toBe(0);
    t.fail('ada@example.org');
    expect(t.retryAfterMs('ADA@example.org')).toBe(10 * 60 * 1000);
    expect(t.retryAfterMs('grace@example.org')).toBe(0);
    now += 9 * 60 * 1000;
    expect(t.retryAfterMs('ada@example.org')).toBe(60 * 1000);
  });

  it('returns no wait once the oldest failure leaves the window', () => {
    let now = 0;
    const t = new LoginThrottle({ now: () => now });
    for (let i = 0; i < 5; i++) {
      t.fail('a@b.c');
      now += 60 * 1000;
    }
    expect(t.retryAfterMs('a@b.c')).toBeGreaterThan(0);
    now = 10 * 60 * 1000 + 1;
    expect(t.retryAfterMs('a@b.c')).toBe(0);
  });

  it('returns no wait after a successful login', () => {
    const t = new LoginThrottle();
    for (let i = 0; i < 5; i++) t.fail('a@b.c');
    t.succeed('a@b.c');
    expect(t.retryAfterMs('a@b.c')).toBe(0);
  });
});

describe('sessionCookie', () => {
  it('returns an HttpOnly SameSite=Strict cookie, Secure only behind https', () => {
    expect(sessionCookie('v', { secure: false, maxAgeSeconds: 43_200 })).toBe(
      'mlops_mentor_session=v; Path=/; HttpOnly; SameSite=Strict; Max-Age=43200',
    );
    expect(sessionCookie('v', { secure: true, maxAgeSeconds: 0 })).toMatch(/; Secure$/);
  });
});

describe('secretsEqual / sha256Hex', () => {
  it('returns true only for equal secrets, whatever their lengths', () => {
    expect(secretsEqual('abc', 'abc')).toBe(true);
    expect(secretsEqual('abc', 'abd')).toBe(false);
    expect(secretsEqual('abc', 'abcd')).toBe(false);
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
