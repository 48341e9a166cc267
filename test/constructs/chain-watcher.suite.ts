import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import {
  RPC_SECRET_PLACEHOLDER,
  rpcSecretArnPattern,
  rpcSecretPartialArn,
  RpcSecrets,
} from '../../lib/constructs/chain-secrets';
import {
  CHAIN_SETTINGS_ENV,
  ChainWatcher,
  ChainWatcherProps,
  grantChainAccess,
} from '../../lib/constructs/chain-watcher';
import { handlerEntry, WalletFunction } from '../../lib/constructs/wallet-function';
import { alarmProblems, CHAIN_ALARM_DEFAULTS, WalletAlarmsProps } from '../../lib/constructs/wallet-alarms';
import { actionCovers, iamStatements } from '../helpers/iam-invariants';
import { newTestApp } from '../helpers/app';
import { nagFindings } from '../helpers/nag';
import { Duration } from 'aws-cdk-lib';

const PRIMARY = { account: '111111111111', region: 'us-east-2' };
const SECRETS = ['wallet/example/rpc/alchemy', 'wallet/example/rpc/infura'];
const SETTINGS = JSON.stringify({ chainId: 11155111, providers: [{ name: 'alchemy', secretArn: 'x' }] });

type Json = Record<string, unknown>;

function fixture(env = PRIMARY) {
  const app = newTestApp();
  const stack = new Stack(app, 'Chain', { env });
  const dataKey = new kms.Key(stack, 'DataKey', { enableKeyRotation: true });
  const table = new dynamodb.TableV2(stack, 'Ledger', {
    partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
    sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
  });
  const signingQueue = new sqs.Queue(stack, 'Signing', { fifo: true, encryptionMasterKey: dataKey });
  const failureQueue = new sqs.Queue(stack, 'Failures', { encryptionMasterKey: dataKey });
  const props = (patch: Partial<ChainWatcherProps> = {}): ChainWatcherProps => ({
    envName: 'example',
    regionRole: 'primary',
    consistency: 'MREC',
    primaryRegion: 'us-east-2',
    standbyRegion: 'us-west-2',
    table,
    signingQueue,
    dataKey,
    signingKeyArn: 'arn:aws:kms:us-east-2:111111111111:key/mrk-signing',
    chainSettings: SETTINGS,
    secretArns: SECRETS.map((n) => rpcSecretArnPattern('aws', env.region, env.account, n)),
    failureQueue,
    ...patch,
  });
  return { app, stack, dataKey, table, signingQueue, failureQueue, props };
}

const statementsOf = (template: Template, rolePrefix: string): Json[] => {
  const roles = template.findResources('AWS::IAM::Role');
  const roleId = Object.keys(roles).find((id) => id.startsWith(rolePrefix));
  const policies = Object.values(template.findResources('AWS::IAM::ManagedPolicy')).filter(
    (p) => JSON.stringify((p.Properties as Json).Roles) === JSON.stringify([{ Ref: roleId }]),
  );
  expect(policies).toHaveLength(1);
  return ((policies[0].Properties as Json).PolicyDocument as { Statement: Json[] }).Statement;
};

/** Every statement of the role that could allow kms:Sign (any action pattern covering it). */
function signGrants(template: Template, rolePrefix: string): string[] {
  return iamStatements({ t: template.toJSON() })
    .filter((f) => f.roles.some((r) => r.startsWith(rolePrefix)))
    .filter((f) => f.statement.Effect === 'Allow')
    .flatMap((f) => ([] as string[]).concat(f.statement.Action ?? []).filter((a) => actionCovers(a, 'kms:Sign')));
}

describe('RpcSecrets', () => {
  let template: Template;
  beforeAll(() => {
    const { stack, dataKey } = fixture();
    new RpcSecrets(stack, 'RpcSecrets', {
      secretNames: SECRETS,
      replicaRegion: 'us-west-2',
      encryptionKey: dataKey,
      replicaKeyArn: 'arn:aws:kms:us-west-2:111111111111:key/mrk-1234',
    });
    template = Template.fromStack(stack);
  });

  test('one secret per name, in this region, replicated to the standby under the data key replica, with the placeholder', () => {
    template.resourceCountIs('AWS::SecretsManager::Secret', SECRETS.length);
    for (const name of SECRETS) {
      template.hasResourceProperties('AWS::SecretsManager::Secret', {
        Name: name,
        KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DataKey'), 'Arn'] },
        SecretString: RPC_SECRET_PLACEHOLDER,
        ReplicaRegions: [{ Region: 'us-west-2', KmsKeyId: 'arn:aws:kms:us-west-2:111111111111:key/mrk-1234' }],
        Description: Match.stringLikeRegexp('PLACEHOLDER'),
      });
    }
  });

  test('retained on stack deletion, no resource policy (IAM decides who reads)', () => {
    const secrets = template.findResources('AWS::SecretsManager::Secret');
    for (const s of Object.values(secrets)) {
      expect(s.DeletionPolicy).toBe('Retain');
      expect(s.UpdateReplacePolicy).toBe('Retain');
    }
    template.resourceCountIs('AWS::SecretsManager::ResourcePolicy', 0);
  });

  test('clean under every nag pack (rotation acknowledged with its reason)', () => {
    const { stack, dataKey } = fixture();
    new RpcSecrets(stack, 'RpcSecrets', {
      secretNames: SECRETS,
      replicaRegion: 'us-west-2',
      encryptionKey: dataKey,
      replicaKeyArn: 'arn:aws:kms:us-west-2:111111111111:key/mrk-1234',
    });
    expect(nagFindings(stack).filter((f) => f.path.includes('RpcSecrets'))).toEqual([]);
  });

  test('fails on every bad name at once: ARN-suffix lookalike, bad characters, duplicate, replica = own region', () => {
    const { stack, dataKey } = fixture();
    expect(
      () =>
        new RpcSecrets(stack, 'Bad', {
          secretNames: ['wallet/rpc/alchemy-abc123', 'bad name!', 'a', 'a'],
          replicaRegion: 'us-east-2',
          encryptionKey: dataKey,
          replicaKeyArn: 'arn:aws:kms:us-east-2:111111111111:key/mrk-1',
        }),
    ).toThrow(
      /4 invalid props[\s\S]*secretNames\[0\]: ends in "-" and six characters[\s\S]*secretNames\[1\][\s\S]*secretNames\[3\]: is listed twice[\s\S]*replicaRegion/,
    );
  });

  test('the ARN helpers: IAM pattern with the six-character suffix, partial ARN without it', () => {
    expect(rpcSecretArnPattern('aws', 'us-west-2', '1', 'wallet/x')).toBe(
      'arn:aws:secretsmanager:us-west-2:1:secret:wallet/x-??????',
    );
    expect(rpcSecretPartialArn('aws', 'us-west-2', '1', 'wallet/x')).toBe(
      'arn:aws:secretsmanager:us-west-2:1:secret:wallet/x',
    );
  });
});

describe('ChainWatcher', () => {
  let template: Template;
  let statements: Json[];
  beforeAll(() => {
    const { stack, props } = fixture();
    new ChainWatcher(stack, 'Watcher', props());
    template = Template.fromStack(stack);
    statements = statementsOf(template, 'WatcherFunctionRole');
  });

  test('runs every minute through the live alias, one run at a time, with CHAIN_SETTINGS', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      Targets: [Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('^WatcherFunctionLive') } })],
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'example-wallet-chain-watcher',
      ReservedConcurrentExecutions: 1,
      Timeout: 55,
      Environment: {
        Variables: Match.objectLike({
          [CHAIN_SETTINGS_ENV]: SETTINGS,
          WALLET_REGION_ROLE: 'primary',
          WALLET_CONSISTENCY: 'MREC',
        }),
      },
    });
  });

  test('exactly these statements: ledger items, the status index, bump messages, the data key through services, the secrets', () => {
    const bySid = Object.fromEntries(statements.filter((s) => s.Sid !== undefined).map((s) => [s.Sid, s]));
    expect(JSON.stringify(bySid.LedgerItems.Resource)).toMatch(/"Ledger\w+","Arn"/);
    expect(bySid.LedgerItems.Action).toEqual(['dynamodb:GetItem', 'dynamodb:UpdateItem']);
    expect(bySid.LedgerStatusIndex.Action).toBe('dynamodb:Query');
    expect(JSON.stringify(bySid.LedgerStatusIndex.Resource)).toContain('/index/gsi1');
    expect(bySid.ReadSigningPublicKey).toMatchObject({
      Action: 'kms:GetPublicKey',
      Resource: 'arn:aws:kms:us-east-2:111111111111:key/mrk-signing',
    });
    expect(bySid.RequestBumpsFromSigner.Action).toBe('sqs:SendMessage');
    expect(JSON.stringify(bySid.RequestBumpsFromSigner.Resource)).toMatch(/Signing/);
    expect(bySid.ReadRpcSecrets).toMatchObject({
      Action: 'secretsmanager:GetSecretValue',
      Resource: SECRETS.map((n) => `arn:aws:secretsmanager:us-east-2:111111111111:secret:${n}-??????`),
    });
    expect(bySid.DataKeyThroughServices).toMatchObject({
      Action: 'kms:Decrypt',
      Condition: {
        StringEquals: {
          'kms:ViaService': [
            'dynamodb.us-east-2.amazonaws.com',
            'sqs.us-east-2.amazonaws.com',
            'secretsmanager.us-east-2.amazonaws.com',
          ],
        },
      },
    });
    expect(bySid.EncryptBumpMessages).toMatchObject({
      Action: 'kms:GenerateDataKey',
      Condition: { StringEquals: { 'kms:ViaService': ['sqs.us-east-2.amazonaws.com'] } },
    });
    const other = statements.filter(
      (s) =>
        ![
          'LedgerItems',
          'LedgerStatusIndex',
          'RequestBumpsFromSigner',
          'ReadSigningPublicKey',
          'ReadRpcSecrets',
          'DataKeyThroughServices',
          'EncryptBumpMessages',
        ].includes(String(s.Sid)),
    );
    for (const s of other) {
      // The base's X-Ray/log statements, and the on-failure destination (WalletFunction, asynchronous).
      // CDK's grant on the encrypted failure queue adds its key (the data key) for encrypting the record.
      const action = JSON.stringify(s.Action);
      if (action.includes('sqs:')) expect(JSON.stringify(s.Resource)).toMatch(/Failures/);
      else if (action.includes('kms:')) {
        expect(s.Action).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
        expect(JSON.stringify(s.Resource)).toMatch(/DataKey/);
      } else expect(action).toMatch(/xray:|logs:/);
    }
  });

  test('no secret, table or key statement uses "*" as a resource; no Scan, PutItem or DeleteItem', () => {
    for (const s of statements) {
      const actions = ([] as string[]).concat(s.Action as string | string[]);
      if (actions.some((a) => /^(secretsmanager|dynamodb|kms|sqs):/.test(a))) {
        expect(([] as unknown[]).concat(s.Resource)).not.toContain('*');
      }
      for (const forbidden of ['dynamodb:Scan', 'dynamodb:PutItem', 'dynamodb:DeleteItem', 'sqs:ReceiveMessage']) {
        expect(actions.some((a) => actionCovers(a, forbidden))).toBe(false);
      }
    }
  });

  test('the watcher can never sign: no statement covers kms:Sign', () => {
    expect(signGrants(template, 'WatcherFunctionRole')).toEqual([]);
  });

  test('fails: the sign check finds a kms:Sign someone adds to the watcher (and a kms:* too)', () => {
    const { stack, props } = fixture();
    const w = new ChainWatcher(stack, 'Watcher', props());
    w.function.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['kms:Sign'], resources: ['arn:aws:kms:us-east-2:1:key/x'] }),
    );
    w.function.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['kms:*'], resources: ['arn:aws:kms:us-east-2:1:key/y'] }),
    );
    expect(signGrants(Template.fromStack(stack), 'WatcherFunctionRole')).toEqual(['kms:Sign', 'kms:*']);
  });

  test('without secrets (plain URLs only): no Secrets Manager statement and no secretsmanager ViaService', () => {
    const { stack, props } = fixture();
    new ChainWatcher(stack, 'Watcher', props({ secretArns: [] }));
    const s = statementsOf(Template.fromStack(stack), 'WatcherFunctionRole');
    expect(JSON.stringify(s)).not.toContain('secretsmanager');
  });

  test('clean under every nag pack', () => {
    const { stack, props } = fixture();
    new ChainWatcher(stack, 'Watcher', props());
    expect(nagFindings(stack).filter((f) => f.path.includes('Watcher'))).toEqual([]);
  });

  test('fails on every bad prop at once: schedule, settings not JSON, a "*" secret', () => {
    const { stack, props } = fixture();
    expect(
      () =>
        new ChainWatcher(
          stack,
          'Bad',
          props({
            scheduleMinutes: 0,
            chainSettings: '{not json',
            secretArns: ['arn:aws:secretsmanager:us-east-2:1:secret:*'],
          }),
        ),
    ).toThrow(/3 invalid props[\s\S]*scheduleMinutes[\s\S]*chainSettings: is not JSON[\s\S]*secretArns\[0\]/);
  });
});

describe('grantChainAccess', () => {
  test('the signer gets CHAIN_SETTINGS, GetSecretValue on the exact secrets and the data key through Secrets Manager only', () => {
    const { stack, dataKey, failureQueue } = fixture();
    const signer = new WalletFunction(stack, 'Signer', {
      functionName: 'example-wallet-signer',
      description: 'test',
      entry: handlerEntry('signer'),
      environment: {},
      logEncryptionKey: dataKey,
      timeout: Duration.seconds(30),
      memorySize: 512,
      reservedConcurrency: 2,
      invocation: { kind: 'asynchronous', failureQueue },
    });
    const secretArns = SECRETS.map((n) => rpcSecretArnPattern('aws', 'us-east-2', '111111111111', n));
    grantChainAccess(signer, { chainSettings: SETTINGS, secretArns, dataKey });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ [CHAIN_SETTINGS_ENV]: SETTINGS }) },
    });
    const s = statementsOf(template, 'SignerRole');
    expect(s.find((x) => x.Sid === 'ReadRpcSecrets')).toMatchObject({
      Action: 'secretsmanager:GetSecretValue',
      Resource: secretArns,
    });
    expect(s.find((x) => x.Sid === 'DataKeyThroughSecretsManager')).toMatchObject({
      Action: 'kms:Decrypt',
      Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.us-east-2.amazonaws.com' } },
    });
  });
});

describe('chain alarm settings (WalletAlarms chain)', () => {
  const base = { peerRegion: 'us-west-2', canaryPeriodSeconds: 60 } as unknown as WalletAlarmsProps;

  test('valid settings have no problem; defaults are the documented ones', () => {
    expect(alarmProblems({ ...base, chain: { regionRole: 'standby' } }, 'us-east-2')).toEqual([]);
    expect(CHAIN_ALARM_DEFAULTS).toMatchObject({ headStaleSeconds: 120, stuckAfterSeconds: 900, minHealthyStandby: 2 });
  });

  test('fails on every bad chain setting at once, naming each', () => {
    const problems = alarmProblems(
      {
        ...base,
        chain: {
          regionRole: 'standby',
          headStaleSeconds: 0,
          stuckAfterSeconds: 1.5,
          minHealthyStandby: -1,
          evaluation: { chainHeadStale: { periodSeconds: 30, evaluationPeriods: 1, datapointsToAlarm: 2 } },
        },
      },
      'us-east-2',
    );
    expect(problems.map((p) => p.prop)).toEqual([
      'chain.headStaleSeconds',
      'chain.stuckAfterSeconds',
      'chain.minHealthyStandby',
      'chain.evaluation.chainHeadStale',
    ]);
  });
});
