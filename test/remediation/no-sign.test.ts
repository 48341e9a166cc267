import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { forbiddenImports } from '../../lib/failover/data-plane-guard';

const DIR = path.join(__dirname, '..', '..', 'lambda', 'remediation');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const full = path.join(dir, e);
    return statSync(full).isDirectory() ? files(full) : e.endsWith('.ts') ? [full] : [];
  });
}

const ROOT = path.join(__dirname, '..', '..');
/** The remediation sources plus the shared modules it calls into (the switch, the lease, region control). */
const SOURCES = [
  ...files(DIR),
  path.join(ROOT, 'lib', 'failover', 'switch.ts'),
  path.join(ROOT, 'lib', 'failover', 'lease.ts'),
  path.join(ROOT, 'lib', 'failover', 'region-control.ts'),
].map((f) => ({ file: path.relative(DIR, f), text: readFileSync(f, 'utf8') }));
const AWS_IMPORT = /import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*['"](@aws-sdk\/[^'"]+)['"]/g;

test('the scan sees the remediation sources (it would be vacuous otherwise)', () => {
  expect(SOURCES.map((s) => s.file)).toEqual(
    expect.arrayContaining(['index.ts', 'handler.ts', 'decide.ts', path.join('adapters', 'aws.ts')]),
  );
});

test('remediation uses exactly these AWS commands: none signs, changes a key, touches IAM or Route 53', () => {
  // Act
  const commands = SOURCES.flatMap((s) =>
    [...s.text.matchAll(AWS_IMPORT)].flatMap((m) =>
      m[1]
        .split(',')
        .map((n) => n.trim().split(/\s+as\s+/)[0])
        .filter((n) => n.endsWith('Command'))
        .map((n) => `${m[2]}:${n}`),
    ),
  );

  // Assess
  expect([...new Set(commands)].sort()).toEqual([
    '@aws-sdk/client-cloudwatch:DescribeAlarmsCommand',
    '@aws-sdk/client-cloudwatch:PutMetricDataCommand',
    '@aws-sdk/client-kms:GetPublicKeyCommand',
    '@aws-sdk/client-sns:PublishCommand',
    '@aws-sdk/lib-dynamodb:GetCommand',
    '@aws-sdk/lib-dynamodb:PutCommand',
    '@aws-sdk/lib-dynamodb:UpdateCommand',
  ]);
  expect(SOURCES.filter((s) => /@aws-sdk\/client-(route-53|iam|sts)/.test(s.text)).map((s) => s.file)).toEqual([]);
  expect(SOURCES.flatMap((s) => forbiddenImports(s.file, s.text))).toEqual([]);
});
