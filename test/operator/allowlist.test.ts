import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { putWallet, type Ledger } from '../../lambda/shared/ledger';
import { getAllowlistEntry } from '../../lambda/shared/policy/allowlist';
import { createSpendingGate } from '../../lambda/shared/policy/gate';
import type { RuntimeSpendingPolicy } from '../../lib/contract/policy';
import { runOps } from '../../lib/operator/cli';
import { OPS_EXIT } from '../../lib/operator/exit-codes';
import { operatorAllowlist, operatorLedger } from '../../bin/ops-ledger';
import { rawConfig } from '../helpers/config';
import { createLedgerTable } from '../helpers/ledger-table';
import { type MotoServer, sharedMoto } from '../helpers/moto';
import { trackedTempDir } from '../helpers/temp-dirs';

/**
 * `wallet-ops allowlist` in-process against moto_server (DynamoDB, STS, SNS delivering to SQS), through
 * the port bin/ops.ts wires: a destination is usable only after the time lock, every change is audited
 * with the caller's STS identity and published on the on-call topic, and bad input is reported at once.
 */
const REGION = 'us-east-2';
const DEST = '0x5555555555555555555555555555555555555555';
const NOW = Date.parse('2026-03-01T12:00:00Z');
const MOTO_ACCOUNT = '123456789012';

let moto: MotoServer;
let n = 0;
beforeAll(async () => {
  moto = await sharedMoto();
});

interface World {
  env: string;
  configPath: string;
  table: Ledger;
  inbox?: string;
  sqs: SQSClient;
}

async function world(withTopic = true): Promise<World> {
  const env = `al${++n}-${randomBytes(3).toString('hex')}`;
  const configPath = path.join(trackedTempDir('allowlist-'), 'config.json');
  writeFileSync(
    configPath,
    JSON.stringify(
      rawConfig({
        envName: env,
        account: MOTO_ACCOUNT,
        security: {
          breakGlassRoleArn: `arn:aws:iam::${MOTO_ACCOUNT}:role/WalletBreakGlass`,
          // the example's cold key names its officers in the example account; this one is moto's
          coldKey: { enabled: true, signerPrincipalArns: [`arn:aws:iam::${MOTO_ACCOUNT}:role/TreasuryOfficers`] },
        },
      }),
    ),
  );
  const table = await createLedgerTable(moto.clientConfig(REGION), `${env}-wallet-ledger`);
  await putWallet(table, {
    walletId: 'w-payouts',
    address: `0x${'ab'.repeat(20)}`,
    status: 'active',
    createdAt: '2026-01-01T00:00:00.000Z',
  });
  const sqs = new SQSClient(moto.clientConfig(REGION));
  if (!withTopic) return { env, configPath, table, sqs };
  const sns = new SNSClient(moto.clientConfig(REGION));
  const topicArn = (await sns.send(new CreateTopicCommand({ Name: `${env}-wallet-alerts` }))).TopicArn!;
  const inbox = (await sqs.send(new CreateQueueCommand({ QueueName: `${env}-oncall-inbox` }))).QueueUrl!;
  const inboxArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: inbox, AttributeNames: ['QueueArn'] })))
    .Attributes!.QueueArn!;
  await sns.send(
    new SubscribeCommand({
      TopicArn: topicArn,
      Protocol: 'sqs',
      Endpoint: inboxArn,
      Attributes: { RawMessageDelivery: 'true' },
    }),
  );
  return { env, configPath, table, inbox, sqs };
}

async function ops(w: World, args: string[], now = NOW) {
  let stdout = '';
  let stderr = '';
  const code = await runOps([...args, '-c', w.configPath, '--region', REGION], {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env: {},
    cwd: process.cwd(),
    ledger: operatorLedger,
    allowlist: operatorAllowlist,
    now: () => now,
    clientOptions: { endpoint: moto.clientConfig(REGION).endpoint, credentials: moto.clientConfig(REGION).credentials },
  });
  return { code, stdout, stderr };
}

async function notifications(w: World): Promise<Record<string, unknown>[]> {
  const res = await w.sqs.send(
    new ReceiveMessageCommand({ QueueUrl: w.inbox!, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
  );
  return (res.Messages ?? []).map((m) => JSON.parse(m.Body!) as Record<string, unknown>);
}

async function audits(w: World): Promise<Record<string, unknown>[]> {
  const res = await w.table.ddb.send(
    new QueryCommand({
      TableName: w.table.tableName,
      KeyConditionExpression: 'pk = :p',
      ExpressionAttributeValues: { ':p': 'AUDIT#allowlist#w-payouts' },
      ConsistentRead: true,
    }),
  );
  return res.Items ?? [];
}

const policy: RuntimeSpendingPolicy = {
  version: 'v1',
  default: { outgoing: 'deposit-only', velocity: [], destinations: 'any', unlistedDestination: 'refuse' },
  wallets: {
    'w-payouts': {
      outgoing: 'allowed',
      perTransactionWei: '1000',
      velocity: [],
      destinations: 'allowlist',
      unlistedDestination: 'refuse',
    },
  },
  allowlistTimeLockHours: 48,
};

test('add: time-locked for 48 h, audited with the STS caller, notified on the on-call topic; usable only after the lock', async () => {
  // Prepare
  const w = await world();

  // Act
  const added = await ops(w, [
    'allowlist',
    'add',
    '--wallet',
    'w-payouts',
    '--destination',
    DEST.toUpperCase().replace('0X', '0x'),
    '--label',
    'exchange',
    '--json',
  ]);

  // Assess: the entry
  expect(added.code).toBe(OPS_EXIT.ok);
  const entry = await getAllowlistEntry(w.table, 'w-payouts', DEST);
  expect(entry).toMatchObject({
    address: DEST,
    addedAt: '2026-03-01T12:00:00.000Z',
    usableAt: '2026-03-03T12:00:00.000Z',
    label: 'exchange',
  });
  expect(entry!.addedBy).toMatch(/^arn:aws:(sts|iam)::123456789012:/);
  // the audit record
  expect(await audits(w)).toEqual([
    expect.objectContaining({
      kind: 'allowlist-change',
      change: 'add',
      address: DEST,
      actor: entry!.addedBy,
      usableAt: entry!.usableAt,
    }),
  ]);
  // the notification
  expect(await notifications(w)).toEqual([
    expect.objectContaining({
      change: 'add',
      address: DEST,
      usableAt: '2026-03-03T12:00:00.000Z',
      addedBy: entry!.addedBy,
    }),
  ]);
  expect(JSON.parse(added.stdout).notification.messageId).toEqual(expect.any(String));

  // the time lock, as the API and signer gate read the entry
  const at = (iso: string) =>
    createSpendingGate({
      policy: () => policy,
      ledger: w.table,
      consistency: 'MRSC',
      region: REGION,
      now: () => new Date(iso),
    });
  const req = { walletId: 'w-payouts', address: `0x${'ab'.repeat(20)}`, request: { to: DEST, value: '10' } };
  expect(await at('2026-03-03T11:59:59.999Z').atIntake(req)).toMatchObject({ kind: 'refuse', rule: 'allowlist' });
  expect(await at('2026-03-03T12:00:00.000Z').atIntake(req)).toMatchObject({ kind: 'allow' });
});

test('fails to add a destination already listed (exit 1, nothing changed, no second notification)', async () => {
  const w = await world();
  expect((await ops(w, ['allowlist', 'add', '--wallet', 'w-payouts', '--destination', DEST])).code).toBe(OPS_EXIT.ok);
  const again = await ops(w, ['allowlist', 'add', '--wallet', 'w-payouts', '--destination', DEST], NOW + 3600_000);
  expect(again.code).toBe(OPS_EXIT.refused);
  expect(again.stderr).toContain('is already on the allowlist of w-payouts');
  expect((await getAllowlistEntry(w.table, 'w-payouts', DEST))!.addedAt).toBe('2026-03-01T12:00:00.000Z');
  expect(await audits(w)).toHaveLength(1);
  expect(await notifications(w)).toHaveLength(1);
});

test('remove: effective at once, audited with the reason, notified; removing again is refused', async () => {
  const w = await world();
  await ops(w, ['allowlist', 'add', '--wallet', 'w-payouts', '--destination', DEST]);
  await notifications(w);

  const removed = await ops(w, [
    'allowlist',
    'remove',
    '--wallet',
    'w-payouts',
    '--destination',
    DEST,
    '--reason',
    'retired (ticket 42)',
  ]);

  expect(removed.code).toBe(OPS_EXIT.ok);
  expect(await getAllowlistEntry(w.table, 'w-payouts', DEST)).toBeUndefined();
  expect((await audits(w)).map((a) => a.change).sort()).toEqual(['add', 'remove']);
  expect(await notifications(w)).toEqual([
    expect.objectContaining({ change: 'remove', address: DEST, reason: 'retired (ticket 42)' }),
  ]);
  const again = await ops(w, ['allowlist', 'remove', '--wallet', 'w-payouts', '--destination', DEST, '--reason', 'x']);
  expect(again.code).toBe(OPS_EXIT.refused);
  expect(again.stderr).toContain('is not on the allowlist');
});

test('list shows what is usable now; --dry-run changes nothing', async () => {
  const w = await world();
  const dry = await ops(w, ['allowlist', 'add', '--wallet', 'w-payouts', '--destination', DEST, '--dry-run']);
  expect(dry.code).toBe(OPS_EXIT.ok);
  expect(dry.stdout).toContain('dry run: would add');
  expect(await getAllowlistEntry(w.table, 'w-payouts', DEST)).toBeUndefined();
  expect(await audits(w)).toEqual([]);
  await ops(w, ['allowlist', 'add', '--wallet', 'w-payouts', '--destination', DEST]);
  expect((await ops(w, ['allowlist', 'list', '--wallet', 'w-payouts'])).stdout).toContain(
    'time-locked until 2026-03-03T12:00:00.000Z',
  );
  const later = await ops(w, ['allowlist', 'list', '--wallet', 'w-payouts', '--json'], NOW + 48 * 3600_000);
  expect(JSON.parse(later.stdout).entries).toEqual([expect.objectContaining({ address: DEST, usable: true })]);
});

test('fails to notify when the on-call topic is missing: exit 1, the audited change stands and the output says so', async () => {
  const w = await world(false);
  const res = await ops(w, ['allowlist', 'add', '--wallet', 'w-payouts', '--destination', DEST]);
  expect(res.code).toBe(OPS_EXIT.refused);
  expect(res.stdout).toContain('NOT notified');
  expect(await getAllowlistEntry(w.table, 'w-payouts', DEST)).toBeDefined();
  expect(await audits(w)).toHaveLength(1);
});

test('fails bad input with every problem at once (exit 2)', async () => {
  const w = await world(false);
  const res = await ops(w, ['allowlist', 'remove', '--wallet', 'bad id!', '--destination', '0x12']);
  expect(res.code).toBe(OPS_EXIT.usage);
  expect(res.stderr).toContain('--wallet must be 1-64 letters');
  expect(res.stderr).toContain('--destination must be 0x followed by 40 hex digits; received "0x12"');
  expect(res.stderr).toContain('--reason is required');
});
