import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { forbiddenImports } from '../../lib/failover/data-plane-guard';

const ROOT = path.join(__dirname, '..', '..');
/** Runtime code that can run during a failover: the switch library, the drill, every Lambda. */
const FAILOVER_PATH_DIRS = ['lib/failover', 'lib/drill', 'lambda'];

function sourceFiles(dir: string): string[] {
  const abs = path.join(ROOT, dir);
  let entries: string[];
  try {
    entries = readdirSync(abs);
  } catch {
    return [];
  }
  return entries.flatMap((e) => {
    const full = path.join(abs, e);
    if (statSync(full).isDirectory()) return sourceFiles(path.join(dir, e));
    return e.endsWith('.ts') ? [path.join(dir, e)] : [];
  });
}

test('the scan covers the failover path (it would be vacuous otherwise)', () => {
  const files = FAILOVER_PATH_DIRS.flatMap(sourceFiles);
  expect(files).toEqual(
    expect.arrayContaining(['lib/failover/switch.ts', 'lib/failover/lease.ts', 'lib/failover/region-control.ts']),
  );
});

/**
 * `wallet-drill promote-keys` (lib/drill/promote/) is the break-glass key recovery for a primary region
 * lost for DAYS (docs/runbooks/key-recovery.md): never part of a failover, which keeps signing with the
 * standby replica. It alone may import `kms:UpdatePrimaryRegion` (its clients are the only ones made
 * with `breakGlass: true`, lib/drill/clients.ts; test/drill/allow-list.test.ts).
 */
const BREAK_GLASS_DIR = `lib/drill/promote${path.sep}`;

test('no runtime code on the failover path imports a Route 53 control-plane mutation, IAM, or a key-policy change', () => {
  const offenders = FAILOVER_PATH_DIRS.flatMap(sourceFiles)
    .filter((f) => !f.startsWith(BREAK_GLASS_DIR))
    .flatMap((f) => forbiddenImports(f, readFileSync(path.join(ROOT, f), 'utf8')));
  expect(offenders).toEqual([]);
});

test('the break-glass key recovery is the one exception, and it imports only UpdatePrimaryRegion beyond the allowed reads', () => {
  const extra = FAILOVER_PATH_DIRS.flatMap(sourceFiles)
    .filter((f) => f.startsWith(BREAK_GLASS_DIR))
    .flatMap((f) => forbiddenImports(f, readFileSync(path.join(ROOT, f), 'utf8')));
  expect(extra).toEqual([
    {
      file: path.join('lib/drill/promote', 'admin.ts'),
      pkg: '@aws-sdk/client-kms',
      command: 'UpdatePrimaryRegionCommand',
    },
  ]);
});

test.each([
  ["import { ChangeResourceRecordSetsCommand } from '@aws-sdk/client-route-53';", 'ChangeResourceRecordSetsCommand'],
  [
    "import {\n  GetHealthCheckStatusCommand,\n  UpdateHealthCheckCommand as U,\n} from '@aws-sdk/client-route-53';",
    'UpdateHealthCheckCommand',
  ],
  ["import { SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';", 'SetAlarmStateCommand'],
  ["import { PutKeyPolicyCommand } from '@aws-sdk/client-kms';", 'PutKeyPolicyCommand'],
  ["import { AttachRolePolicyCommand } from '@aws-sdk/client-iam';", 'AttachRolePolicyCommand'],
])('fails (proves the guard can fail) on %s', (source, command) => {
  expect(forbiddenImports('fixture.ts', source).map((f) => f.command)).toEqual([command]);
});

test('allows the data-plane and read-only calls the failover path needs', () => {
  const source = [
    "import { PutMetricDataCommand, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';",
    "import { GetHealthCheckStatusCommand, TestDNSAnswerCommand, Route53Client } from '@aws-sdk/client-route-53';",
    "import { SignCommand, GetPublicKeyCommand } from '@aws-sdk/client-kms';",
  ].join('\n');
  expect(forbiddenImports('fixture.ts', source)).toEqual([]);
});
