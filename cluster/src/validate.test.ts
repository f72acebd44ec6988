import { describe, expect, it } from 'vitest';
import { formatProblems, validateObjects } from './validate.ts';

describe('validateObjects', () => {
  it('finds wrong types, unknown fields, missing names and kinds that do not exist', async () => {
    const problems = await validateObjects([
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a' }, spec: { containers: [{ name: 'c', image: 5 }] } },
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'b' }, spec: { containers: [{ name: 'c', image: 'x', securityContex: {} }] } },
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: {}, spec: { selector: {}, template: {} } },
      { apiVersion: 'v1', kind: 'Deployment', metadata: { name: 'd' } },
    ]);
    const text = formatProblems(problems);
    expect(text).toContain('Pod/a spec.containers[0].image: must be string');
    expect(text).toContain('Pod/b spec.containers[0].securityContex: unknown field');
    expect(text).toContain('Deployment/? metadata.name: is missing');
    expect(text).toContain('Deployment/d kind: "v1 Deployment" is not a Kubernetes kind');
  });

  it('passes a valid object', async () => {
    expect(await validateObjects([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ok' }, data: { a: 'b' } }])).toEqual([]);
  });
});
