import { describe, expect, it } from 'vitest';
import { quantityBytes } from './shared.ts';

describe('quantityBytes', () => {
  it('reads binary and decimal suffixes and exponents as Kubernetes does', () => {
    expect(quantityBytes('1Gi')).toBe(2 ** 30);
    expect(quantityBytes('512Mi')).toBe(512 * 2 ** 20);
    expect(quantityBytes('1G')).toBe(1e9);
    expect(quantityBytes('1.5Gi')).toBe(1.5 * 2 ** 30);
    expect(quantityBytes('1e9')).toBe(1e9);
    expect(quantityBytes(1024)).toBe(1024);
  });

  it('returns undefined for what is not a quantity', () => {
    expect(quantityBytes('1 GB')).toBeUndefined();
    expect(quantityBytes('lots')).toBeUndefined();
    expect(quantityBytes('1GiB')).toBeUndefined();
    expect(quantityBytes(undefined)).toBeUndefined();
  });
});
