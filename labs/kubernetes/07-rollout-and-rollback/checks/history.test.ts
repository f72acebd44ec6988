import { describe, expect, it } from 'vitest';
import { readRollback, resolveIntOrPercent, type Revision } from './history.ts';

const GOOD = 'mlops-lab/model-api:1.0.0';
const rev = (revision: number, image: string, created: number, earlier: number[] = []): Revision => ({
  name: `rs-${created}`,
  revision,
  earlier,
  created,
  images: [image],
  changeCause: 'x',
  replicas: 0,
  readyReplicas: 0,
});

describe('readRollback', () => {
  it('recognises rollout undo: the first ReplicaSet is current again with a later revision', () => {
    const reading = readRollback([rev(2, 'mlops-lab/model-api:does-not-exist', 2000), rev(3, GOOD, 1000, [1])], GOOD);
    expect(reading.bad.map((r) => r.revision)).toEqual([2]);
    expect(reading.restoredKnownGood).toBe(true);
  });

  it('does not count a new template made after the broken one as a rollback', () => {
    const reading = readRollback([rev(1, GOOD, 1000), rev(2, 'mlops-lab/model-api:does-not-exist', 2000), rev(3, GOOD, 3000)], GOOD);
    expect(reading.restoredKnownGood).toBe(false);
  });

  it('sees no rollback while the broken revision is current', () => {
    const reading = readRollback([rev(1, GOOD, 1000), rev(2, 'mlops-lab/model-api:does-not-exist', 2000)], GOOD);
    expect(reading.bad).toEqual([]);
    expect(reading.restoredKnownGood).toBe(false);
  });
});

describe('resolveIntOrPercent', () => {
  it('rounds maxUnavailable down and maxSurge up, as the controller does', () => {
    expect(resolveIntOrPercent('25%', 3, false, '25%')).toBe(0);
    expect(resolveIntOrPercent('25%', 3, true, '25%')).toBe(1);
    expect(resolveIntOrPercent(undefined, 4, false, '25%')).toBe(1);
    expect(resolveIntOrPercent(0, 4, false, '25%')).toBe(0);
  });
});
