import { exampleWallet, TestWallet } from '../helpers/app';
import { actionCovers, FoundStatement, iamStatements, wildcardViolations } from '../helpers/iam-invariants';
import { keyArnRef, REGIONS, resourceNamed } from '../helpers/workload';

let wallet: TestWallet;
let statements: FoundStatement[];
beforeAll(() => {
  wallet = exampleWallet();
  const templates = Object.fromEntries(
    (Object.keys(wallet.stacks) as Array<keyof typeof wallet.stacks>).map((name) => [
      name,
      wallet.template(name).toJSON(),
    ]),
  );
  statements = iamStatements(templates);
});

test('the walk finds the workload policies of both regions and us-east-1 (so the invariants below are not vacuous)', () => {
  const where = new Set(statements.map((s) => s.where.split('/')[0]));
  // dns: the role forwarding the Route 53 failover cues to the standby
  // statusPrimary, statusStandby: the status updaters and webhook senders
  // keys: the cold key's ColdSigner role (security.coldKey, docs/cold-key.md)
  expect([...where].sort()).toEqual(['dns', 'keys', 'primary', 'standby', 'statusPrimary', 'statusStandby']);
  expect(statements.length).toBeGreaterThan(20);
});

/**
 * What a wildcard must never reach, in both regions: the ledger table, its index, and a signing
 * key (its id is a token at synth; any `key/...` ARN stands for it).
 */
const PROTECTED = REGIONS.flatMap(({ region }) => [
  `arn:aws:dynamodb:${region}:111111111111:table/example-wallet-ledger`,
  `arn:aws:dynamodb:${region}:111111111111:table/example-wallet-ledger/index/gsi1`,
  `arn:aws:kms:${region}:111111111111:key/mrk-0123456789abcdef0123456789abcdef`,
]);

test('no policy in any template has a wildcard KMS or DynamoDB action, NotAction/NotResource, or a KMS or DynamoDB resource pattern that could reach the ledger table or a signing key', () => {
  expect(wildcardViolations(statements, PROTECTED)).toEqual([]);
});

test('only the signer role of each region can sign, only with that region copy of the signing key; only the ColdSigner role with the cold key', () => {
  const signing = statements.filter(
    (s) => s.statement.Effect === 'Allow' && [s.statement.Action ?? []].flat().some((a) => actionCovers(a, 'kms:Sign')),
  );
  const keys = wallet.template('keys');
  const coldKey = resourceNamed(keys, 'AWS::KMS::Key', 'ColdKey').id;
  expect(signing.map((s) => ({ stack: s.where.split('/')[0], roles: s.roles, statement: s.statement }))).toEqual([
    {
      stack: 'keys',
      roles: [resourceNamed(keys, 'AWS::IAM::Role', 'ColdKeySignerRole').id],
      statement: {
        Sid: 'SignWithColdKey',
        Effect: 'Allow',
        Action: ['kms:GetPublicKey', 'kms:Sign'],
        // the primary copy and the standby replica (a multi-region key's replica has the same key id)
        Resource: [
          { 'Fn::GetAtt': [coldKey, 'Arn'] },
          { 'Fn::Join': ['', ['arn:aws:kms:us-west-2:111111111111:key/', { Ref: coldKey }]] },
        ],
      },
    },
    ...REGIONS.map((c) => ({
      stack: c.stack,
      roles: [resourceNamed(wallet.template(c.stack), 'AWS::IAM::Role', 'WalletSignerFunctionRole').id],
      statement: {
        Sid: 'SignWithRegionKey',
        Effect: 'Allow',
        Action: ['kms:GetPublicKey', 'kms:Sign'],
        Resource: keyArnRef(wallet, c, 'signing'),
      },
    })),
  ]);
});

test('the signing key appears only in the signer (sign), health, the signer deploy check and the chain watcher (read the public key) and, in the standby only, remediation (read the public key) policies', () => {
  for (const c of REGIONS) {
    const key = JSON.stringify(keyArnRef(wallet, c, 'signing'));
    const touching = statements.filter((s) => JSON.stringify(s.statement.Resource) === key);
    const remediationRole = resourceNamed(
      wallet.template(c.stack),
      'AWS::IAM::Role',
      'ObservabilityRemediationFunctionRole',
    ).id;
    const deployCheckRole = resourceNamed(
      wallet.template(c.stack),
      'AWS::IAM::Role',
      'SafeDeploymentSignerCheckFunctionRole',
    ).id;
    const watcherRole = resourceNamed(wallet.template(c.stack), 'AWS::IAM::Role', 'ChainWatcherFunctionRole').id;
    const who = (roles: string[]): string =>
      roles.includes(remediationRole)
        ? 'remediation'
        : roles.includes(deployCheckRole)
          ? 'deploy-check'
          : roles.includes(watcherRole)
            ? 'chain-watcher'
            : '';
    expect(touching.map((s) => [s.statement.Sid, s.statement.Action, who(s.roles)])).toEqual([
      ['ReadSigningPublicKey', 'kms:GetPublicKey', ''],
      ['SignWithRegionKey', ['kms:GetPublicKey', 'kms:Sign'], ''],
      ...(c.stack === 'standby' ? [['ReadSigningPublicKey', 'kms:GetPublicKey', 'remediation']] : []),
      // Issue 16: the example config lists chain.providers.
      ['ReadSigningPublicKey', 'kms:GetPublicKey', 'chain-watcher'],
      ['ReadSigningPublicKey', 'kms:GetPublicKey', 'deploy-check'],
    ]);
  }
});

describe('fails (proves the invariant can fail)', () => {
  const found = (statement: object): FoundStatement => ({
    where: 'bad/Policy',
    roles: ['Role'],
    statement: { Effect: 'Allow', ...statement },
  });

  test.each([
    [
      'kms:* on the signing key',
      { Action: 'kms:*', Resource: 'arn:aws:kms:us-east-2:1:key/mrk-1' },
      'wildcard action kms:*',
    ],
    ['Action "*"', { Action: '*', Resource: 'arn:aws:kms:us-east-2:1:key/mrk-1' }, 'wildcard action *'],
    [
      'a service wildcard',
      { Action: 'k*:Sign', Resource: 'arn:aws:kms:us-east-2:1:key/mrk-1' },
      'wildcard action k*:Sign',
    ],
    [
      'dynamodb:Get* on the table',
      { Action: 'dynamodb:Get*', Resource: 'arn:aws:dynamodb:us-east-2:1:table/t' },
      'wildcard action dynamodb:Get*',
    ],
    ['kms:Sign on every key', { Action: 'kms:Sign', Resource: '*' }, 'kms:Sign on "*", which matches'],
    [
      'kms:GetPublicKey on every key of the region',
      { Action: 'kms:GetPublicKey', Resource: 'arn:aws:kms:us-east-2:111111111111:key/*' },
      'matches arn:aws:kms:us-east-2:111111111111:key/mrk-',
    ],
    [
      'Query on every index of the ledger',
      {
        Action: 'dynamodb:Query',
        Resource: 'arn:aws:dynamodb:us-west-2:111111111111:table/example-wallet-ledger/index/*',
      },
      'matches arn:aws:dynamodb:us-west-2:111111111111:table/example-wallet-ledger/index/gsi1',
    ],
    [
      'GetItem on every table through Fn::Join',
      {
        Action: 'dynamodb:GetItem',
        Resource: { 'Fn::Join': ['', ['arn:aws:dynamodb:us-east-2:', { Ref: 'AWS::AccountId' }, ':table/*']] },
      },
      'which matches arn:aws:dynamodb:us-east-2:111111111111:table/example-wallet-ledger',
    ],
    ['NotAction', { NotAction: 'iam:*', Resource: '*' }, 'Allow with NotAction'],
  ])('%s', (_name, statement, message) => {
    expect(wildcardViolations([found(statement)], PROTECTED)).toEqual([expect.stringContaining(message)]);
  });

  test('X-Ray on "*", a Deny with wildcards, and a table prefix that cannot match the ledger are not violations', () => {
    expect(
      wildcardViolations(
        [
          found({ Action: ['xray:PutTraceSegments'], Resource: '*' }),
          { where: 'x/Policy', roles: [], statement: { Effect: 'Deny', Action: 'kms:*', Resource: '*' } },
          found({
            Action: 'dynamodb:PutItem',
            Resource: 'arn:aws:dynamodb:us-east-2:111111111111:table/awsbackup-restore-test-*',
          }),
        ],
        PROTECTED,
      ),
    ).toEqual([]);
  });
});
