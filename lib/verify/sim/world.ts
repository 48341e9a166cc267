import { generateKeyPairSync } from 'node:crypto';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { Route53Client } from '@aws-sdk/client-route-53';
import { SNSClient } from '@aws-sdk/client-sns';
import { walletKeyPolicy } from '../../constructs/key-policy';
import { CANARY_KINDS, canaryName } from '../../contract/canary';
import { FAILOVER_SWITCH_METRIC, failoverSwitchAlarmName } from '../../contract/failover-switch';
import { regionalApiDomain } from '../../contract/health';
import { healthRoleArn, ledgerTableName, signerRoleArn } from '../../contract/names';
import { attachResponder } from '../../drill/sim/sdk';
import { VerifyClients, VerifyEnvironment } from '../checks';

/** The faults the simulated environment can carry; each must fail exactly one check. */
export const VERIFY_FAULTS = [
  'rotation-off',
  'second-signer',
  'tls10-accepted',
  'copy-failed',
  'stale-switch',
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

  respond(service: string, region: string, command: string, input: Record<string, unknown>): Record<string, unknown> {
    const e = this.env;
    const key = `${service}:${command}`;
    switch (key) {
      case 'kms:DescribeKeyCommand':
        return { KeyMetadata: { KeyId: `mrk-${String(input.KeyId).replace(/[^a-z0-9]/gi, '')}` } };
      case 'kms:GetKeyRotationStatusCommand':
        return { KeyRotationEnabled: !(this.faults.has('rotation-off') && String(input.KeyId).includes('data')) };
      case 'kms:GetKeyPolicyCommand':
        return { Policy: this.signingPolicy(region), PolicyName: 'default' };
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
