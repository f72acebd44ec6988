import { describe, expect, it } from 'vitest';
import { CredentialsError, basicAuthHeader, credentialsFromEnv, isAuthorized, parseBasicAuth } from './auth.ts';

const creds = { username: 'mlops', password: 'correct-horse-battery' };

describe('credentialsFromEnv', () => {
  it('errors if there is no password: the server has no default one', () => {
    expect(() => credentialsFromEnv({ SERVING_USERNAME: 'mlops' })).toThrow(CredentialsError);
    expect(() => credentialsFromEnv({ SERVING_USERNAME: 'mlops' })).toThrow(
      /SERVING_PASSWORD is not set: the server has no default password/,
    );
    expect(() => credentialsFromEnv({})).toThrow(/SERVING_USERNAME and SERVING_PASSWORD are not set/);
  });

  it('errors on a short password or a username with a colon', () => {
    expect(() => credentialsFromEnv({ SERVING_USERNAME: 'mlops', SERVING_PASSWORD: 'short' })).toThrow(/has 5 characters; use at least 8/);
    expect(() => credentialsFromEnv({ SERVING_USERNAME: 'a:b', SERVING_PASSWORD: 'long-enough' })).toThrow(/must not contain ":"/);
  });

  it('returns the credentials when both are set', () => {
    expect(credentialsFromEnv({ SERVING_USERNAME: 'mlops', SERVING_PASSWORD: 'correct-horse-battery' })).toEqual(creds);
  });
});

describe('isAuthorized', () => {
  it('accepts exactly the configured user and password', () => {
    expect(isAuthorized(basicAuthHeader(creds), creds)).toBe(true);
    expect(isAuthorized(basicAuthHeader({ ...creds, password: 'correct-horse-batter' }), creds)).toBe(false);
    expect(isAuthorized(basicAuthHeader({ ...creds, password: 'correct-horse-battery!' }), creds)).toBe(false);
    expect(isAuthorized(basicAuthHeader({ ...creds, username: 'admin' }), creds)).toBe(false);
  });

  it('refuses no header, another scheme and garbage', () => {
    expect(isAuthorized(undefined, creds)).toBe(false);
    expect(isAuthorized('Bearer abc', creds)).toBe(false);
    expect(isAuthorized('Basic !!!', creds)).toBe(false);
    expect(isAuthorized(`Basic ${Buffer.from('no-colon').toString('base64')}`, creds)).toBe(false);
    expect(isAuthorized(`Basic ${'A'.repeat(5000)}`, creds)).toBe(false);
  });

  it('keeps a colon inside the password', () => {
    expect(parseBasicAuth(`Basic ${Buffer.from('u:p:q').toString('base64')}`)).toEqual({ username: 'u', password: 'p:q' });
  });
});
