import { describe, expect, it } from 'vitest';
import { credentialReason, findPlaintextCredentials, mask } from './credentials.ts';
import { gitIgnores } from './no-plaintext-credentials-in-manifests.ts';

describe('credentialReason', () => {
  it('flags a literal value under a credential-like name', () => {
    expect(credentialReason('DB_PASSWORD', 'hunter2')).toContain('names a credential');
    expect(credentialReason('MODEL_API_KEY', 'abc123')).toContain('names a credential');
  });

  it('flags well-known credential shapes whatever the name', () => {
    expect(credentialReason('NOTE', '-----BEGIN RSA PRIVATE KEY-----\nMIIE')).toBe('the value is a private key');
    expect(credentialReason('X', 'AKIAIOSFODNN7EXAMPLE')).toBe('the value is an AWS access key id');
    expect(credentialReason('DATABASE_URL', 'postgres://app:s3cret@db:5432/x')).toBe('the value is a URL with a password in it');
  });

  it('leaves settings, references and paths alone', () => {
    expect(credentialReason('PORT', '8000')).toBeUndefined();
    expect(credentialReason('MODEL_API_KEY_FILE', '/var/run/secrets/key')).toBeUndefined();
    expect(credentialReason('TOKEN_URL', 'https://auth.example.com/token')).toBeUndefined();
    expect(credentialReason('API_KEY', '$(API_KEY)')).toBeUndefined();
    expect(credentialReason('API_KEY', '')).toBeUndefined();
    expect(credentialReason('DATABASE_URL', 'postgres://db:5432/x')).toBeUndefined();
  });
});

describe('findPlaintextCredentials', () => {
  it('points at env values, arguments and pod template annotations with their field paths', () => {
    const findings = findPlaintextCredentials({
      kind: 'Deployment',
      metadata: { name: 'api' },
      spec: {
        template: {
          metadata: { annotations: { 'vault.example/token': 'ghp_abcdefghijklmnopqrstuvwxyz0123456789' } },
          spec: {
            containers: [
              {
                name: 'api',
                env: [
                  { name: 'PORT', value: '8000' },
                  { name: 'API_TOKEN', value: 'abcd1234' },
                  { name: 'FROM_SECRET', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } },
                ],
                args: ['--port=8000', '--db-password=letmein', '--api-key', 'zzz999'],
              },
            ],
          },
        },
      },
    });
    expect(findings.map((f) => f.path.join('.'))).toEqual([
      'spec.template.metadata.annotations.vault.example/token',
      'spec.template.spec.containers.0.env.1.value',
      'spec.template.spec.containers.0.args.1',
      'spec.template.spec.containers.0.args.3',
    ]);
    expect(findings.every((f) => !f.masked.includes('1234') && !f.masked.includes('letmein'))).toBe(true);
  });

  it('treats every key of a Secret manifest as a committed credential', () => {
    const findings = findPlaintextCredentials({ kind: 'Secret', metadata: { name: 's' }, data: { A: 'YQ==' }, stringData: { B: 'b' } });
    expect(findings.map((f) => f.path.join('.'))).toEqual(['data.A', 'stringData.B']);
  });

  it('finds nothing in a clean ConfigMap', () => {
    expect(
      findPlaintextCredentials({ kind: 'ConfigMap', metadata: { name: 'c' }, data: { PORT: '8000', MODEL_PATH: '/app/model.json' } }),
    ).toEqual([]);
  });
});

describe('mask', () => {
  it('keeps at most the first two characters', () => {
    expect(mask('sk-live-123456')).toBe('sk******');
    expect(mask('abc')).toBe('****');
  });
});

describe('gitIgnores', () => {
  it('follows simple patterns, anchors and negations', () => {
    expect(gitIgnores('*.env\n', 'secrets.env')).toBe(true);
    expect(gitIgnores('/secrets.env\n', 'secrets.env')).toBe(true);
    expect(gitIgnores('.env*\n', '.env.local')).toBe(true);
    expect(gitIgnores('*.env\n!secrets.env\n', 'secrets.env')).toBe(false);
    expect(gitIgnores('# *.env\n*.swp\n', 'secrets.env')).toBe(false);
    expect(gitIgnores('', '.env')).toBe(false);
  });
});
