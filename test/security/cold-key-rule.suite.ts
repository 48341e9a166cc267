import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { ColdKey } from '../../lib/constructs/cold-key';
import { WalletChecks } from '../../lib/security/wallet-checks';
import { newTestApp } from '../helpers/app';

/**
 * The Wallet rules 'ColdKeyOnlyMfaRole' and 'OnlySignerCanSign' on the cold key (issue 21): the real
 * construct is compliant; each way a function, a service or an MFA-less session could reach the cold
 * key or the ColdSigner role is caught, with a finding naming what broke.
 */
const ENV = { account: '111111111111', region: 'us-east-2' };
const RULES = /^(ColdKeyOnlyMfaRole|OnlySignerCanSign)(\[|$)/;

function findings(build: (app: App, stack: Stack, cold: ColdKey) => void): string[] {
  const app = newTestApp();
  const stack = new Stack(app, 'Keys', { env: ENV });
  const cold = new ColdKey(stack, 'ColdKey', {
    alias: 'alias/prod-wallet-cold',
    breakGlassRoleArn: 'arn:aws:iam::111111111111:role/BreakGlass',
    maxSessionSeconds: 3600,
    signerRoleName: 'prod-wallet-cold-signer',
    signerPrincipalArns: ['arn:aws:iam::111111111111:role/TreasuryOfficers'],
    standbyRegion: 'us-west-2',
  });
  build(app, stack, cold);
  app.synth();
  return new WalletChecks(app)
    .validateScope(app)
    .violations.map((v) => v.ruleName.replace(/^Wallet-/, ''))
    .filter((r) => RULES.test(r))
    .sort();
}

const lambdaRole = (stack: Stack, id: string, roleName?: string) =>
  new iam.Role(stack, id, { roleName, assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
const signOn = (resources: string[]) => new iam.PolicyStatement({ actions: ['kms:Sign'], resources });
const rawCfnKey = (cold: ColdKey) => cold.key.node.findChild('Key') as kms.Key;

describe('ColdKeyOnlyMfaRole', () => {
  test('compliant: the ColdKey construct, next to a hot signer that signs with its own key', () => {
    expect(
      findings((_app, stack) => {
        lambdaRole(stack, 'HotSigner', 'prod-wallet-signer-us-east-2').addToPolicy(
          signOn(['arn:aws:kms:us-east-2:111111111111:key/mrk-hot']),
        );
      }),
    ).toEqual([]);
  });

  test('non-compliant: a key policy that lets a Lambda role sign', () => {
    const found = findings((_app, _stack, cold) => {
      (rawCfnKey(cold).node.defaultChild as kms.CfnKey).addPropertyOverride('KeyPolicy.Statement.4.Condition', {
        ArnEquals: { 'aws:PrincipalArn': 'arn:aws:iam::111111111111:role/prod-wallet-api' },
        Bool: { 'aws:MultiFactorAuthPresent': 'true' },
      });
    });
    expect(found).toContain(
      'ColdKeyOnlyMfaRole[key-policy:allows-sign-to:arn:aws:iam::111111111111:role/prod-wallet-api]',
    );
  });

  test('non-compliant: Bool instead of BoolIfExists in the MFA deny (requests without the key slip through)', () => {
    const found = findings((_app, _stack, cold) => {
      const cfn = rawCfnKey(cold).node.defaultChild as kms.CfnKey;
      // Statement 4 is SignOnlyByColdSignerWithMfa, 7 DenySignWithoutMfa (lib/constructs/key-policy.ts).
      cfn.addPropertyDeletionOverride('KeyPolicy.Statement.4.Condition.Bool');
      cfn.addPropertyDeletionOverride('KeyPolicy.Statement.7.Condition.BoolIfExists');
      cfn.addPropertyOverride('KeyPolicy.Statement.7.Condition.Bool', { 'aws:MultiFactorAuthPresent': 'false' });
    });
    // MFA false is still denied; a request without the key (long-term credentials) is allowed.
    expect(found).toEqual(['ColdKeyOnlyMfaRole[key-policy:cold-signer-without-mfa-key:kms:Sign:allow]']);
  });

  test('non-compliant: a cold key policy that lets the whole account sign (no principal condition)', () => {
    const app = newTestApp();
    const stack = new Stack(app, 'Keys', { env: ENV });
    const key = new kms.CfnKey(stack, 'Cold', {
      keySpec: 'ECC_SECG_P256K1',
      keyUsage: 'SIGN_VERIFY',
      multiRegion: true,
      pendingWindowInDays: 30,
      tags: [{ key: 'wallet:key-purpose', value: 'cold' }],
      keyPolicy: {
        Statement: [
          {
            Sid: 'Everyone',
            Effect: 'Allow',
            Principal: { AWS: 'arn:aws:iam::111111111111:root' },
            Action: 'kms:*',
            Resource: '*',
          },
        ],
      },
    });
    key.applyRemovalPolicy(RemovalPolicy.RETAIN);
    app.synth();
    const found = new WalletChecks(app)
      .validateScope(app)
      .violations.map((v) => v.ruleName.replace(/^Wallet-/, ''))
      .filter((r) => r.startsWith('ColdKeyOnlyMfaRole'));
    expect(found).toEqual(
      expect.arrayContaining([
        'ColdKeyOnlyMfaRole[key-policy:Everyone:allows-sign-to-any-principal]',
        'ColdKeyOnlyMfaRole[key-policy:function-role-with-mfa:kms:Sign:allow]',
        'ColdKeyOnlyMfaRole[key-policy:grant:kms:CreateGrant:allow]',
      ]),
    );
  });

  test('non-compliant: the ColdSigner role trusts lambda.amazonaws.com', () => {
    const found = findings((_app, _stack, cold) => {
      cold.signerRole.assumeRolePolicy?.addStatements(
        new iam.PolicyStatement({
          actions: ['sts:AssumeRole'],
          principals: [new iam.ServicePrincipal('lambda.amazonaws.com')],
        }),
      );
    });
    expect(found).toEqual(
      expect.arrayContaining([
        'ColdKeyOnlyMfaRole[trust:1:service:lambda.amazonaws.com]',
        'ColdKeyOnlyMfaRole[trust:1:no-mfa]',
        'ColdKeyOnlyMfaRole[trust:assumable-without-mfa-by:lambda.amazonaws.com]',
      ]),
    );
  });

  test('non-compliant: the ColdSigner trust without the MFA conditions', () => {
    const found = findings((_app, _stack, cold) => {
      (cold.signerRole.node.defaultChild as iam.CfnRole).addPropertyOverride(
        'AssumeRolePolicyDocument.Statement.0.Condition',
        undefined,
      );
    });
    expect(found).toEqual([
      'ColdKeyOnlyMfaRole[trust:0:no-mfa-age]',
      'ColdKeyOnlyMfaRole[trust:0:no-mfa]',
      'ColdKeyOnlyMfaRole[trust:assumable-without-mfa-by:arn:aws:iam::111111111111:role/TreasuryOfficers]',
    ]);
  });

  test('non-compliant: the ColdSigner trust names the account root', () => {
    const found = findings((_app, _stack, cold) => {
      (cold.signerRole.node.defaultChild as iam.CfnRole).addPropertyOverride(
        'AssumeRolePolicyDocument.Statement.0.Principal.AWS',
        'arn:aws:iam::111111111111:root',
      );
    });
    expect(found).toEqual(['ColdKeyOnlyMfaRole[trust:0:principal:"arn:aws:iam::111111111111:root"]']);
  });

  test('non-compliant: the ColdSigner trust names a role a Lambda function runs as', () => {
    const found = findings((_app, stack, cold) => {
      lambdaRole(stack, 'Api', 'prod-wallet-api');
      (cold.signerRole.node.defaultChild as iam.CfnRole).addPropertyOverride(
        'AssumeRolePolicyDocument.Statement.0.Principal.AWS',
        'arn:aws:iam::111111111111:role/prod-wallet-api',
      );
    });
    expect(found).toEqual(['ColdKeyOnlyMfaRole[trust:0:service-role:arn:aws:iam::111111111111:role/prod-wallet-api]']);
  });

  test('non-compliant: a Lambda function runs as the ColdSigner role', () => {
    const found = findings((_app, stack, cold) => {
      new lambda.Function(stack, 'Fn', {
        runtime: lambda.Runtime.NODEJS_22_X,
        handler: 'index.handler',
        code: lambda.Code.fromInline('exports.handler = async () => 1'),
        role: cold.signerRole,
      });
    });
    expect(found).toContain('ColdKeyOnlyMfaRole[lambda:Keys/Fn/Resource]');
  });

  test('non-compliant: a Lambda role granted Sign on the cold key (both rules)', () => {
    const found = findings((_app, stack, cold) => {
      lambdaRole(stack, 'Api', 'prod-wallet-api').addToPolicy(signOn([cold.keyArn]));
    });
    expect(found).toEqual(['ColdKeyOnlyMfaRole[sign-by:prod-wallet-api]', 'OnlySignerCanSign']);
  });

  test('non-compliant: a Lambda role with Sign on every key ("*") in an app with a cold key', () => {
    const found = findings((_app, stack) => {
      new iam.ManagedPolicy(stack, 'All', {
        roles: [lambdaRole(stack, 'Remediation', 'prod-wallet-remediation')],
        statements: [signOn(['*'])],
      });
    });
    expect(found).toEqual(['ColdKeyOnlyMfaRole[sign-by:prod-wallet-remediation]', 'OnlySignerCanSign']);
  });
});

describe('OnlySignerCanSign keeps the hot and cold signers apart', () => {
  test('non-compliant: the hot signer role granted Sign on the cold key', () => {
    const found = findings((_app, stack, cold) => {
      lambdaRole(stack, 'HotSigner', 'prod-wallet-signer-us-east-2').addToPolicy(signOn([cold.keyArn]));
    });
    expect(found).toEqual(['ColdKeyOnlyMfaRole[sign-by:prod-wallet-signer-us-east-2]', 'OnlySignerCanSign']);
  });

  test('non-compliant: the ColdSigner role granted Sign on the hot key', () => {
    const found = findings((_app, _stack, cold) => {
      cold.signerRole.addToPrincipalPolicy(signOn(['arn:aws:kms:us-east-2:111111111111:key/mrk-hot']));
    });
    expect(found).toEqual(['OnlySignerCanSign']);
  });
});

describe("SigningKeyInEveryRegion does not count the cold key as a region's signing key", () => {
  function ledgerAndKeys(coldOnlyInStandby: boolean): string[] {
    const app = newTestApp();
    const primary = new Stack(app, 'Primary', { env: ENV });
    const standby = new Stack(app, 'Standby', { env: { ...ENV, region: 'us-west-2' } });
    const replica = (region: string) => ({
      region,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtectionEnabled: true,
      sseSpecification: { kmsMasterKeyId: `arn:aws:kms:${region}:111111111111:key/mrk-1` },
    });
    new dynamodb.CfnGlobalTable(primary, 'Table', {
      attributeDefinitions: [{ attributeName: 'pk', attributeType: 'S' }],
      keySchema: [{ attributeName: 'pk', keyType: 'HASH' }],
      billingMode: 'PAY_PER_REQUEST',
      streamSpecification: { streamViewType: 'NEW_AND_OLD_IMAGES' },
      replicas: [replica('us-east-2'), replica('us-west-2')],
    });
    const key = (stack: Stack, id: string, purpose: string) =>
      new kms.CfnKey(stack, id, {
        keySpec: 'ECC_SECG_P256K1',
        keyUsage: 'SIGN_VERIFY',
        multiRegion: true,
        pendingWindowInDays: 30,
        tags: [{ key: 'wallet:key-purpose', value: purpose }],
      });
    key(primary, 'Hot', 'signing');
    key(standby, 'StandbyKey', coldOnlyInStandby ? 'cold' : 'signing');
    app.synth();
    return new WalletChecks(app)
      .validateScope(app)
      .violations.map((v) => v.ruleName.replace(/^Wallet-/, ''))
      .filter((r) => r === 'SigningKeyInEveryRegion');
  }
  test('compliant: a hot signing key in each ledger region', () => {
    expect(ledgerAndKeys(false)).toEqual([]);
  });
  test('non-compliant: the standby holds only a cold key', () => {
    expect(ledgerAndKeys(true)).toEqual(['SigningKeyInEveryRegion']);
  });
});
