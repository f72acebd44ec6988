import { describe, expect, it } from 'vitest';
import { quantity } from './quantity.ts';

describe('quantity', () => {
  it('reads binary and decimal suffixes, milli and exponents as Kubernetes does', () => {
    expect(quantity('1Gi')).toBe(2 ** 30);
    expect(quantity('512Mi')).toBe(512 * 2 ** 20);
    expect(quantity('1G')).toBe(1e9);
    expect(quantity('1.5Gi')).toBe(1.5 * 2 ** 30);
    expect(quantity('1e9')).toBe(1e9);
    expect(quantity('500m')).toBe(0.5);
    expect(quantity('0.5')).toBe(quantity('500m'));
    expect(quantity(1024)).toBe(1024);
  });

  it('returns undefined for what is not a quantity', () => {
    expect(quantity('1 GB')).toBeUndefined();
    expect(quantity('lots')).toBeUndefined();
    expect(quantity('1GiB')).toBeUndefined();
    expect(quantity(undefined)).toBeUndefined();
  });
});
