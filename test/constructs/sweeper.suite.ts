import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { rpcSecretArnPattern } from '../../lib/constructs/chain-secrets';
import { Sweeper, type SweeperProps } from '../../lib/constructs/sweeper';
import { SPENDING_POLICY_ENV } from '../../lib/contract/policy';
import { SWEEP_SETTINGS_ENV } from '../../lib/contract/sweep';
import { actionCovers, iamStatements } from '../helpers/iam-invariants';
import { newTestApp } from '../helpers/app';
import { nagFindings } from '../helpers/nag';

const ENV = { account: '111111111111', region: 'us-east-2' };
const COLD = '0xc01dc01dc01dc01dc01dc01dc01dc01dc01dc01d';
const SECRET = 'wallet/example/rpc/alchemy';
const POLICY = JSON.stringify({
  version: 'v1',
  default: { outgoing: 'deposit-only', velocity: [], destinations: 'any', unlistedDestination: 'refuse' },
  wallets: { 'w-sweep': { outgoing: 'cold-only', velocity: [], destinations: 'any', unlistedDestination: 'refuse' } },
  allowlistTimeLockHours: 48,
  coldAddress: COLD,
});
type Json = Record<string, unknown>;

function fixture() {
  const app = newTestApp();
  const stack = new Stack(app, 'Sweep', { env: ENV });
  const dataKey = new kms.Key(stack, 'DataKey', { enableKeyRotation: true });
  const table = new dynamodb.TableV2(stack, 'Ledger', {
    partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
    sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
  });
  const signingQueue = new sqs.Queue(stack, 'Signing', { fifo: true, encryptionMasterKey: dataKey });
  const failureQueue = new sqs.Queue(stack, 'Failures', { encryptionMasterKey: dataKey });
  const props = (patch: Partial<SweeperProps> = {}): SweeperProps => ({
    envName: 'example',
    table,
    signingQueue,
    dataKey,
    consistency: 'MRSC',
    chainId: 11155111,
    spendingPolicy: POLICY,
    settings: {
      coldAddress: COLD,
      floatCeilingWei: '10000000000000000000',
      minimumSweepWei: '100000000000000000',
      sweepWalletId: 'w-sweep',
    },
    checkEvery: 'rate(5 minutes)',
    chainSettings: JSON.stringify({ chainId: 11155111 }),
    secretArns: [rpcSecretArnPattern('aws', ENV.region, ENV.account, SECRET)],
    failureQueue,
    ...patch,
  });
  return { stack, props };
}

function statementsOf(template: Template): Json[] {
  const roles = template.findResources('AWS::IAM::Role');
  const roleId = Object.keys(roles).find((id) => id.startsWith('SweeperFunctionRole'));
  const policies = Object.values(template.findResources('AWS::IAM::ManagedPolicy')).filter(
    (p) => JSON.stringify((p.Properties as Json).Roles) === JSON.stringify([{ Ref: roleId }]),
  );
  expect(policies).toHaveLength(1);
  return ((policies[0].Properties as Json).PolicyDocument as { Statement: Json[] }).Statement;
}

/** Every Allow statement action of the sweeper's role that covers `action`. */
function grantsOf(template: Template, action: string): string[] {
  return iamStatements({ t: template.toJSON() })
    .filter((f) => f.roles.some((r) => r.startsWith('SweeperFunctionRole')))
    .filter((f) => f.statement.Effect === 'Allow')
    .flatMap((f) => ([] as string[]).concat(f.statement.Action ?? []).filter((a) => actionCovers(a, action)));
}

describe('Sweeper', () => {
  let template: Template;
  let statements: Json[];
  beforeAll(() => {
    const { stack, props } = fixture();
    new Sweeper(stack, 'Sweeper', props());
    template = Template.fromStack(stack);
    statements = statementsOf(template);
  });

  test('runs on spending.cold.checkEvery through the live alias, one run at a time, with the policy and sweep settings', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(5 minutes)',
      Targets: [Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('^SweeperFunctionLive') } })],
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'example-wallet-sweeper',
      ReservedConcurrentExecutions: 1,
      Environment: {
        Variables: Match.objectLike({
          [SPENDING_POLICY_ENV]: POLICY,
          [SWEEP_SETTINGS_ENV]: Match.stringLikeRegexp('"sweepWalletId":"w-sweep"'),
          WALLET_CHAIN_ID: '11155111',
          WALLET_CONSISTENCY: 'MRSC',
        }),
      },
    });
  });

  test('exactly these statements: ledger items, the status index, the signing queue, the data key through services, the secrets', () => {
    const bySid = Object.fromEntries(statements.filter((s) => s.Sid !== undefined).map((s) => [s.Sid, s]));
    expect(bySid.LedgerItems.Action).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']);
    expect(JSON.stringify(bySid.LedgerItems.Resource)).toMatch(/"Ledger\w+","Arn"/);
    expect(bySid.LedgerStatusIndex.Action).toBe('dynamodb:Query');
    expect(JSON.stringify(bySid.LedgerStatusIndex.Resource)).toContain('/index/gsi1');
    expect(bySid.QueueSweepForSigner.Action).toBe('sqs:SendMessage');
    expect(JSON.stringify(bySid.QueueSweepForSigner.Resource)).toMatch(/Signing/);
    expect(bySid.DataKeyThroughServices).toMatchObject({
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Condition: {
        StringEquals: { 'kms:ViaService': ['dynamodb.us-east-2.amazonaws.com', 'sqs.us-east-2.amazonaws.com'] },
      },
    });
    expect(bySid.ReadRpcSecrets).toMatchObject({
      Action: 'secretsmanager:GetSecretValue',
      Resource: `arn:aws:secretsmanager:us-east-2:111111111111:secret:${SECRET}-??????`,
    });
    expect(bySid.DataKeyThroughSecretsManager).toMatchObject({
      Action: 'kms:Decrypt',
      Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.us-east-2.amazonaws.com' } },
    });
    const known = [
      'LedgerItems',
      'LedgerStatusIndex',
      'QueueSweepForSigner',
      'DataKeyThroughServices',
      'ReadRpcSecrets',
      'DataKeyThroughSecretsManager',
    ];
    for (const s of statements.filter((x) => !known.includes(String(x.Sid)))) {
      // The base's X-Ray/log statements and the on-failure destination (its queue and data key).
      const action = JSON.stringify(s.Action);
      if (action.includes('sqs:')) expect(JSON.stringify(s.Resource)).toMatch(/Failures/);
      else if (action.includes('kms:')) expect(JSON.stringify(s.Resource)).toMatch(/DataKey/);
      else expect(action).toMatch(/xray:|logs:/);
    }
  });

  test('no table, queue, secret or key statement uses "*"; no Scan or DeleteItem', () => {
    for (const s of statements) {
      const actions = ([] as string[]).concat(s.Action as string | string[]);
      if (actions.some((a) => /^(secretsmanager|dynamodb|kms|sqs):/.test(a))) {
        expect(([] as unknown[]).concat(s.Resource)).not.toContain('*');
      }
      for (const forbidden of ['dynamodb:Scan', 'dynamodb:DeleteItem', 'sqs:ReceiveMessage']) {
        expect(actions.some((a) => actionCovers(a, forbidden))).toBe(false);
      }
    }
  });

  test('the sweeper can never sign: no statement covers kms:Sign or kms:GetPublicKey', () => {
    expect(grantsOf(template, 'kms:Sign')).toEqual([]);
    expect(grantsOf(template, 'kms:GetPublicKey')).toEqual([]);
  });

  test('fails: the sign check finds a kms:Sign someone adds to the sweeper (and a kms:*)', () => {
    const { stack, props } = fixture();
    const s = new Sweeper(stack, 'Sweeper', props());
    s.function.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['kms:Sign'], resources: ['arn:aws:kms:us-east-2:1:key/x'] }),
    );
    s.function.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['kms:*'], resources: ['arn:aws:kms:us-east-2:1:key/y'] }),
    );
    expect(grantsOf(Template.fromStack(stack), 'kms:Sign')).toEqual(['kms:Sign', 'kms:*']);
  });

  test('clean under every nag pack', () => {
    const { stack, props } = fixture();
    new Sweeper(stack, 'Sweeper', props());
    expect(nagFindings(stack).filter((f) => f.path.includes('Sweeper'))).toEqual([]);
  });

  test('fails on every bad prop at once: the rate, the cold address, the amounts, a wallet that is not cold-only, settings not JSON', () => {
    const { stack, props } = fixture();
    expect(
      () =>
        new Sweeper(
          stack,
          'Bad',
          props({
            checkEvery: 'rate(30 seconds)',
            settings: { coldAddress: '0xABC', floatCeilingWei: '0', minimumSweepWei: '1.5', sweepWalletId: 'w-pay' },
            chainSettings: '{not json',
          }),
        ),
    ).toThrow(
      /7 invalid props[\s\S]*checkEvery[\s\S]*settings.coldAddress: is not a lower-case[\s\S]*settings.floatCeilingWei[\s\S]*settings.minimumSweepWei[\s\S]*chainSettings: is not JSON[\s\S]*settings.sweepWalletId: is not a "cold-only"[\s\S]*settings.coldAddress: differs/,
    );
  });
});
