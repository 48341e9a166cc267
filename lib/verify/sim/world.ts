import { generateKeyPairSync } from 'node:crypto';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { Route53Client } from '@aws-sdk/client-route-53';
import { SNSClient } from '@aws-sdk/client-sns';
import { walletKeyPolicy } from '../../constructs/key-policy';
import { CANARY_KINDS, canaryName } from '../../contract/canary';
import { coldKeyAlias, coldSignerRoleArn } from '../../contract/cold-key';
import { FAILOVER_SWITCH_METRIC, failoverSwitchAlarmName } from '../../contract/failover-switch';
import { regionalApiDomain } from '../../contract/health';
import { healthRoleArn, ledgerTableName, signerRoleArn } from '../../contract/names';
import { attachResponder } from '../../drill/sim/sdk';
import { VerifyClients, VerifyEnvironment } from '../checks';

/** KMS's answer to an unknown key or alias (the check code tells it apart by name, as from the SDK). */
const notFound = (message: string): Error => Object.assign(new Error(message), { name: 'NotFoundException' });

/** The simulated cold key's multi-region id (the same in both regions, as a real replica's). */
export const SIM_COLD_KEY_ID = 'mrk-00000000000000000000000000c01d00';

/** The faults the simulated environment can carry; each must fail exactly one check. */
export const VERIFY_FAULTS = [
  'rotation-off',
  'second-signer',
  'tls10-accepted',
  'copy-failed',
  'stale-switch',
  // the cold key (security.coldKey), each failing cold-key-policy only
  'cold-extra-signer',
  'cold-no-mfa',
  'cold-grant',
  'cold-no-replica',
] as const;
export type VerifyFault = (typeof VERIFY_FAULTS)[number];

/**
 * A deployed environment as the read-only verify calls see it: healthy unless a fault is injected.
 * It answers at the SDK middleware, so the real check code and SDK serialization run.
 */
export class VerifyWorld {
  private readonly spki = generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).publicKey.export({
    type: 'spki',
    format: 'der',
  });

  constructor(
    private readonly env: VerifyEnvironment,
    readonly faults: ReadonlySet<VerifyFault>,
    private readonly now: Date,
  ) {}

  clients(): VerifyClients {
    const make = <T>(
      ctor: new (c: { region: string; credentials: unknown }) => T,
      service: string,
      region: string,
    ): T => {
      const client = new ctor({ region, credentials: { accessKeyId: 'sim', secretAccessKey: 'sim' } });
      attachResponder(client, (command, input) => this.respond(service, region, command, input));
      return client;
    };
    const cache = new Map<string, unknown>();
    const per =
      <T>(ctor: new (c: { region: string; credentials: unknown }) => T, service: string) =>
      (region: string): T => {
        const k = `${service}:${region}`;
        if (!cache.has(k)) cache.set(k, make(ctor, service, region));
        return cache.get(k) as T;
      };
    return {
      kms: per(KMSClient as never, 'kms'),
      cloudwatch: per(CloudWatchClient as never, 'cloudwatch'),
      sns: per(SNSClient as never, 'sns'),
      dynamodb: per(DynamoDBClient as never, 'dynamodb'),
      route53: make(Route53Client as never, 'route53', 'us-east-1'),
    };
  }

  private signingPolicy(region: string): string {
    const e = this.env;
    const signers = [signerRoleArn(e.partition, e.account, e.envName, region)];
    if (this.faults.has('second-signer')) signers.push(healthRoleArn(e.partition, e.account, e.envName, region));
    const doc = walletKeyPolicy({
      purpose: 'signing',
      partition: e.partition,
      account: e.account,
      region,
      breakGlassRoleArn: e.breakGlassRoleArn,
      allowedReplicaRegions: [e.standby],
      signerRoleArns: signers,
    }).toJSON();
    return JSON.stringify(doc);
  }

  /**
   * The cold key's policy as the keys stacks deploy it (walletKeyPolicy purpose `cold`), or with a fault:
   * `cold-extra-signer` lets a hot signer role sign too; `cold-no-mfa` drops the MFA condition and the
   * MFA denies (a ColdSigner session without MFA could sign).
   */
  private coldPolicy(region: string): string {
    const e = this.env;
    const cold = e.coldKey as NonNullable<VerifyEnvironment['coldKey']>;
    const signer = coldSignerRoleArn(e.partition, e.account, e.envName);
    const doc = walletKeyPolicy({
      purpose: 'cold',
      partition: e.partition,
      account: e.account,
      region,
      breakGlassRoleArn: e.breakGlassRoleArn,
      allowedReplicaRegions: [region === e.primary ? e.standby : e.primary],
      coldSignerRoleArn: signer,
      coldMaxMfaAgeSeconds: cold.maxSessionSeconds,
      publicKeyReaderRoleArns: [e.breakGlassRoleArn],
    }).toJSON() as { Statement: Array<{ Sid?: string; Condition?: Record<string, Record<string, unknown>> }> };
    if (this.faults.has('cold-extra-signer')) {
      const hot = signerRoleArn(e.partition, e.account, e.envName, region);
      for (const st of doc.Statement) {
        if (st.Sid === 'SignOnlyByColdSignerWithMfa')
          st.Condition = { ...st.Condition, ArnEquals: { 'aws:PrincipalArn': [signer, hot] } };
        if (st.Sid === 'DenySignToEveryoneButColdSigner')
          st.Condition = { ArnNotEquals: { 'aws:PrincipalArn': [signer, hot] } };
      }
    }
    if (this.faults.has('cold-no-mfa')) {
      doc.Statement = doc.Statement.filter(
        (st) => st.Sid !== 'DenySignWithoutMfa' && st.Sid !== 'DenySignWithStaleMfa',
      );
      const allow = doc.Statement.find((st) => st.Sid === 'SignOnlyByColdSignerWithMfa');
      if (allow !== undefined) allow.Condition = { ArnEquals: { 'aws:PrincipalArn': signer } };
    }
    return JSON.stringify(doc);
  }

  private coldKeyMetadata(region: string): Record<string, unknown> {
    const e = this.env;
    const arn = (r: string) => `arn:${e.partition}:kms:${r}:${e.account}:key/${SIM_COLD_KEY_ID}`;
    const replicas = this.faults.has('cold-no-replica') ? [] : [{ Arn: arn(e.standby), Region: e.standby }];
    return {
      KeyId: SIM_COLD_KEY_ID,
      Arn: arn(region),
      KeySpec: 'ECC_SECG_P256K1',
      KeyUsage: 'SIGN_VERIFY',
      KeyState: 'Enabled',
      MultiRegion: true,
      MultiRegionConfiguration: {
        MultiRegionKeyType: region === e.primary ? 'PRIMARY' : 'REPLICA',
        PrimaryKey: { Arn: arn(e.primary), Region: e.primary },
        ReplicaKeys: replicas,
      },
    };
  }

  /** The cold key's copy in this region, by its id or ARN (never by alias: KMS takes none there). */
  private isColdKey(region: string, keyId: unknown): boolean {
    const e = this.env;
    if (e.coldKey === undefined) return false;
    if (region === e.standby && this.faults.has('cold-no-replica')) return false;
    return (
      keyId === SIM_COLD_KEY_ID || keyId === `arn:${e.partition}:kms:${region}:${e.account}:key/${SIM_COLD_KEY_ID}`
    );
  }

  respond(service: string, region: string, command: string, input: Record<string, unknown>): Record<string, unknown> {
    const e = this.env;
    const key = `${service}:${command}`;
    // GetKeyPolicy, GetKeyRotationStatus and ListGrants take a key id or ARN only ("Specify the key ID or
    // key ARN of the KMS key", KMS API Reference): the simulation refuses an alias as KMS does.
    if (
      ['kms:GetKeyPolicyCommand', 'kms:GetKeyRotationStatusCommand', 'kms:ListGrantsCommand'].includes(key) &&
      String(input.KeyId).startsWith('alias/')
    ) {
      throw notFound(`Invalid keyId ${String(input.KeyId)}`);
    }
    switch (key) {
      case 'kms:DescribeKeyCommand':
        if (e.coldKey !== undefined && input.KeyId === coldKeyAlias(e.envName)) {
          if (region === e.standby && this.faults.has('cold-no-replica'))
            throw notFound(`Alias arn:${e.partition}:kms:${region}:${e.account}:${String(input.KeyId)} is not found.`);
          return { KeyMetadata: this.coldKeyMetadata(region) };
        }
        return { KeyMetadata: { KeyId: `mrk-${String(input.KeyId).replace(/[^a-z0-9]/gi, '')}` } };
      case 'kms:GetKeyRotationStatusCommand':
        return { KeyRotationEnabled: !(this.faults.has('rotation-off') && String(input.KeyId).includes('data')) };
      case 'kms:GetKeyPolicyCommand':
        if (this.isColdKey(region, input.KeyId)) return { Policy: this.coldPolicy(region), PolicyName: 'default' };
        return { Policy: this.signingPolicy(region), PolicyName: 'default' };
      case 'kms:ListGrantsCommand': {
        if (!this.isColdKey(region, input.KeyId))
          throw notFound(`simulated AWS (verify): no grants modelled for ${String(input.KeyId)}`);
        const grants =
          this.faults.has('cold-grant') && region === e.primary
            ? [
                {
                  KeyId: String(input.KeyId),
                  GrantId: 'sim-grant-1',
                  GranteePrincipal: signerRoleArn(e.partition, e.account, e.envName, region),
                  Operations: ['Sign'],
                },
              ]
            : [];
        return { Grants: grants, Truncated: false };
      }
      case 'kms:GetPublicKeyCommand':
        return { PublicKey: new Uint8Array(this.spki), KeySpec: 'ECC_SECG_P256K1' };
      case 'route53:ListHealthChecksCommand':
        return {
          HealthChecks: [
            ...[e.primary, e.standby].map((r, i) => ({
              Id: `hc-endpoint-${i}`,
              CallerReference: `ref-${i}`,
              HealthCheckVersion: 1,
              HealthCheckConfig: {
                Type: 'HTTPS_STR_MATCH',
                FullyQualifiedDomainName: regionalApiDomain(r, e.apiSubdomain, e.zoneName),
                Regions: ['us-east-1', 'us-west-1', 'eu-west-1'],
              },
            })),
            {
              Id: 'hc-switch',
              CallerReference: 'ref-switch',
              HealthCheckVersion: 1,
              HealthCheckConfig: {
                Type: 'CLOUDWATCH_METRIC',
                AlarmIdentifier: { Name: failoverSwitchAlarmName(e.envName), Region: e.standby },
              },
            },
          ],
          IsTruncated: false,
          Marker: '',
          MaxItems: 100,
        };
      case 'route53:GetHealthCheckStatusCommand':
        return {
          HealthCheckObservations: ['us-east-1', 'us-west-1', 'eu-west-1'].map((r) => ({
            Region: r,
            IPAddress: '192.0.2.1',
            StatusReport: { Status: 'Success: HTTP Status Code 200, OK', CheckedTime: this.now },
          })),
        };
      case 'cloudwatch:GetMetricDataCommand':
        return { MetricDataResults: this.metricData(region, input) };
      case 'sns:ListTopicsCommand':
        return { Topics: [{ TopicArn: `arn:${e.partition}:sns:${region}:${e.account}:${e.envName}-wallet-alerts` }] };
      case 'sns:ListSubscriptionsByTopicCommand':
        return {
          Subscriptions: [
            {
              SubscriptionArn: `${String(input.TopicArn)}:sub-1`,
              Protocol: 'email',
              Endpoint: e.notificationsEmail,
              TopicArn: input.TopicArn,
            },
          ],
        };
      case 'dynamodb:DescribeContinuousBackupsCommand':
        return {
          ContinuousBackupsDescription: {
            ContinuousBackupsStatus: 'ENABLED',
            PointInTimeRecoveryDescription: {
              PointInTimeRecoveryStatus: input.TableName === ledgerTableName(e.envName) ? 'ENABLED' : 'DISABLED',
            },
          },
        };
      default:
        throw new Error(`simulated AWS (verify): ${service} ${command} is not modelled`);
    }
  }

  private metricData(region: string, input: Record<string, unknown>) {
    const queries = (input.MetricDataQueries ?? []) as Array<{
      Id: string;
      MetricStat: { Metric: { MetricName: string; Dimensions?: Array<{ Name: string; Value: string }> } };
    }>;
    return queries.map((q) => {
      const name = q.MetricStat.Metric.MetricName;
      const point = (value: number, ageSeconds = 300) => ({
        Id: q.Id,
        Timestamps: [new Date(this.now.getTime() - ageSeconds * 1000)],
        Values: [value],
        StatusCode: 'Complete',
      });
      const none = { Id: q.Id, Timestamps: [], Values: [], StatusCode: 'Complete' };
      if (name === FAILOVER_SWITCH_METRIC) {
        return this.faults.has('stale-switch') ? point(1, 5 * 3600) : point(0, 86400);
      }
      if (name === 'SuccessPercent') {
        const known = CANARY_KINDS.some(
          (k) => q.MetricStat.Metric.Dimensions?.[0]?.Value === canaryName(this.env.envName, k),
        );
        return known ? point(100, 60) : none;
      }
      if (name === 'FailedInvocations') return none;
      if (name.endsWith('Completed')) return point(name.includes('Copy') && region !== this.env.primary ? 0 : 2);
      if (name === 'NumberOfCopyJobsFailed') return this.faults.has('copy-failed') ? point(1) : none;
      if (name.endsWith('Failed')) return none;
      return none;
    });
  }
}
