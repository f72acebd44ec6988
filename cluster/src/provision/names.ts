import { createHash } from 'node:crypto';
import { ClusterError } from './errors.ts';

/** Longest learner name accepted (characters after normalisation); longer input is a typo or an attack, not a name. */
export const LEARNER_NAME_MAX = 1024;

/** Prefix of every learner namespace, so `kubectl get ns -l app.kubernetes.io/managed-by=mlops-lab` and people both see what they are. */
export const NAMESPACE_PREFIX = 'lab-';

/** Characters of the readable part of a namespace name. */
const SLUG_MAX = 32;

/** Characters of the hash part: 20 base32 characters are 100 bits. */
const HASH_CHARS = 20;

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/**
 * The learner's identity as stored: Unicode NFC, outer whitespace trimmed,
 * inner runs of whitespace as one space. "Ada  Lovelace " and "Ada Lovelace"
 * are the same learner; "ada lovelace" is another one (names are
 * case-sensitive, like the accounts they come from).
 */
export function normalizeLearner(name: string): string {
  const normalized = name.normalize('NFC').trim().replace(/\s+/gu, ' ');
  if (normalized === '') {
    throw new ClusterError(
      'LEARNER_NAME_INVALID',
      'usage',
      'The learner name is empty.',
      'Give a name: `mlops-lab cluster provision --learner "Ada Lovelace"`.',
    );
  }
  if ([...normalized].length > LEARNER_NAME_MAX) {
    throw new ClusterError(
      'LEARNER_NAME_INVALID',
      'usage',
      `The learner name is ${[...normalized].length} characters long; at most ${LEARNER_NAME_MAX} are accepted.`,
      'Use the learner\'s account name or e-mail address, e.g. `--learner "ada@example.org"`.',
    );
  }
  // Control characters (newlines, escapes) would end up in annotations and in terminal output.
  if (/\p{Cc}|\p{Cf}/u.test(normalized)) {
    throw new ClusterError(
      'LEARNER_NAME_INVALID',
      'usage',
      'The learner name contains control or invisible formatting characters.',
      'Type the name again without pasting it, e.g. `--learner "Ada Lovelace"`.',
    );
  }
  return normalized;
}

/** A stable 100-bit id of a learner (lowercase base32), used in the namespace name and as a label value. */
export function learnerId(name: string): string {
  const digest = createHash('sha256').update(normalizeLearner(name), 'utf8').digest();
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of digest) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < HASH_CHARS) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
    if (out.length >= HASH_CHARS) break;
  }
  return out;
}

/** The readable part: accents folded (é -> e), lowercase ASCII letters and digits, dashes between words; `learner` when nothing is left. */
export function learnerSlug(name: string): string {
  const folded = normalizeLearner(name)
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  const cut = folded.slice(0, SLUG_MAX).replace(/-+$/g, '');
  return cut === '' ? 'learner' : cut;
}

/**
 * The learner's namespace: `lab-<slug>-<id>`, a valid DNS-1123 label of at
 * most 58 characters for any name ("Ada Lovelace" ->
 * `lab-ada-lovelace-<20 base32 chars>`). The slug is for people; the id,
 * a SHA-256 of the normalised name, is what keeps two learners apart, so
 * "Zoë" and "Zoe", or two 300-character names that share their first 32
 * characters, get different namespaces. (No function from unbounded names
 * to 63 characters can be injective in theory; two names sharing a
 * namespace would need a 100-bit SHA-256 collision.)
 */
export function learnerNamespace(name: string): string {
  return `${NAMESPACE_PREFIX}${learnerSlug(name)}-${learnerId(name)}`;
}

/** A DNS-1123 label (what a namespace name must be). */
export function isDns1123Label(value: string): boolean {
  return value.length <= 63 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(value);
}
