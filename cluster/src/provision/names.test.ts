import { describe, expect, it } from 'vitest';
import { isClusterError } from './errors.ts';
import { isDns1123Label, learnerNamespace, normalizeLearner } from './names.ts';

describe('learnerNamespace', () => {
  it('maps "Ada Lovelace" to a readable, valid namespace', () => {
    const ns = learnerNamespace('Ada Lovelace');
    expect(ns).toMatch(/^lab-ada-lovelace-[a-z2-7]{20}$/);
    expect(isDns1123Label(ns)).toBe(true);
  });

  it('gives hostile and unusual names valid, distinct namespaces', () => {
    const names = [
      'Ada Lovelace',
      'ada lovelace',
      'ADA LOVELACE',
      'Zoë',
      'Zoe',
      '李雷',
      '韩梅梅',
      '🙂',
      '-----',
      '...',
      'a'.repeat(300),
      `${'a'.repeat(299)}b`,
      `${'x'.repeat(32)}-one`,
      `${'x'.repeat(32)}-two`,
      'kube-system',
      'default',
      "Robert'); DROP TABLE learners;--",
      'ada@example.org',
      'ada.example.org',
      'Ｆｕｌｌｗｉｄｔｈ',
    ];
    const namespaces = names.map(learnerNamespace);
    for (const ns of namespaces) {
      expect(isDns1123Label(ns), ns).toBe(true);
      expect(ns.length).toBeLessThanOrEqual(63);
    }
    expect(new Set(namespaces).size).toBe(names.length);
    expect(learnerNamespace('李雷')).toMatch(/^lab-learner-/);
    expect(learnerNamespace('kube-system')).not.toBe('kube-system');
  });

  it('is stable and treats spacing and Unicode forms of one name as the same learner', () => {
    expect(learnerNamespace('  Ada   Lovelace ')).toBe(learnerNamespace('Ada Lovelace'));
    // "é" precomposed (NFC) and as e + combining accent (NFD) are one name.
    expect(learnerNamespace('Ren\u00e9')).toBe(learnerNamespace('Rene\u0301'));
    expect(learnerNamespace('Ada Lovelace')).toBe(learnerNamespace('Ada Lovelace'));
  });

  it('errors with a next step on an empty, control-character or oversized name', () => {
    for (const bad of ['', '   ', 'ada\u0007lovelace', 'ada\u001b[31mlovelace', 'ada\u200blovelace', 'a'.repeat(5000)]) {
      let caught: unknown;
      try {
        learnerNamespace(bad);
      } catch (error) {
        caught = error;
      }
      expect(isClusterError(caught), JSON.stringify(bad.slice(0, 20))).toBe(true);
      expect((caught as { code: string; kind: string }).code).toBe('LEARNER_NAME_INVALID');
      expect((caught as { kind: string }).kind).toBe('usage');
      expect((caught as { nextStep: string }).nextStep).toMatch(/--learner/);
    }
    expect(normalizeLearner('ada\t\nlovelace')).toBe('ada lovelace');
  });
});
