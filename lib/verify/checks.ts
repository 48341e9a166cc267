import { CloudWatchClient, GetMetricDataCommand, MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { DescribeContinuousBackupsCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeKeyCommand,
  GetKeyPolicyCommand,
  GetKeyRotationStatusCommand,
  GetPublicKeyCommand,
  KMSClient,
} from '@aws-sdk/client-kms';
import { GetHealthCheckStatusCommand, ListHealthChecksCommand, Route53Client } from '@aws-sdk/client-route-53';
import { ListSubscriptionsByTopicCommand, ListTopicsCommand, SNSClient } from '@aws-sdk/client-sns';
import { API_TLS } from '../contract/api';
import { CANARY_KINDS, canaryName } from '../contract/canary';
import { failoverSwitchAlarmName, SWITCH_REPUBLISH } from '../contract/failover-switch';
import { publicApiDomain, regionalApiDomain } from '../contract/health';
import {
  backupKeyAlias,
  backupVaultName,
  dataKeyAlias,
  healthRoleArn,
  ledgerTableName,
  remediationRoleArn,
  signerRoleArn,
  signingKeyAlias,
} from '../contract/names';
import { remediationForwardingRuleName } from '../contract/remediation';
import { addressFromSpki } from '../drill/address';
import { decideRepublish, readSwitchPoints } from '../failover/switch-republisher';
import { evaluatePolicy, Statement } from '../security/policy-eval';
import { coldKeyPolicyCheck } from './cold-key-check';
import { handshake, TlsEndpoint, TlsVersion } from './tls';

/** What verify needs to know about the environment (from its validated config). */
export interface VerifyEnvironment {
  readonly envName: string;
  readonly account: string;
  readonly partition: string;
  readonly primary: string;
  readonly standby: string;
  readonly zoneName: string;
  readonly apiSubdomain: string;
  readonly breakGlassRoleArn: string;
  readonly minCheckerRegions: number;
  readonly notificationsEmail: string;
  /**
   * `security.coldKey` where it is enabled (the `cold-key-policy` check reads the deployed cold key).
   * @default - no cold KMS key (the cold signer is external)
   */
  readonly coldKey?: { readonly maxSessionSeconds: number; readonly signerPrincipalArns: readonly string[] };
}

/** SDK v3 clients, injected (real AWS, or the simulated AWS at the middleware). */
export interface VerifyClients {
  kms(region: string): KMSClient;
  cloudwatch(region: string): CloudWatchClient;
  sns(region: string): SNSClient;
  dynamodb(region: string): DynamoDBClient;
  readonly route53: Route53Client;
}

export interface VerifyContext {
  readonly env: VerifyEnvironment;
  readonly clients: VerifyClients;
  /** Where each public host is reached for the TLS handshake. */
  readonly tlsEndpoint: (host: string) => TlsEndpoint;
  readonly now: Date;
}

export interface CheckOutcome {
  readonly ok: boolean;
  readonly details: readonly string[];
}

/** One post-deploy check: what it proves, the doc it follows, and the read-only calls that prove it. */
export interface VerifyCheck {
  readonly id: string;
  readonly title: string;
  readonly doc: string;
  readonly run: (ctx: VerifyContext) => Promise<CheckOutcome>;
}

const regions = (env: VerifyEnvironment) => [env.primary, env.standby];
const outcome = (lines: Array<[boolean, string]>): CheckOutcome => ({
  ok: lines.every(([ok]) => ok),
  details: lines.map(([ok, line]) => `${ok ? 'ok  ' : 'FAIL'} ${line}`),
});

async function sumOverDay(cw: CloudWatchClient, now: Date, queries: Record<string, MetricDataQuery['MetricStat']>) {
  const out = await cw.send(
    new GetMetricDataCommand({
      StartTime: new Date(now.getTime() - 24 * 3600 * 1000),
      EndTime: now,
      MetricDataQueries: Object.entries(queries).map(([Id, MetricStat]) => ({ Id, MetricStat })),
    }),
  );
  const sums: Record<string, number> = {};
  for (const id of Object.keys(queries)) {
    const r = out.MetricDataResults?.find((m) => m.Id === id);
    sums[id] = (r?.Values ?? []).reduce((a, b) => a + b, 0);
  }
  return sums;
}

const stat = (
  namespace: string,
  metricName: string,
  dimensions: Record<string, string>,
  statistic = 'Sum',
  period = 3600,
): MetricDataQuery['MetricStat'] => ({
  Metric: {
    Namespace: namespace,
    MetricName: metricName,
    Dimensions: Object.entries(dimensions).map(([Name, Value]) => ({ Name, Value })),
  },
  Period: period,
  Stat: statistic,
});

/** The checks, in the order they run; the docs table of docs/runbooks/verify.md follows it. */
export const VERIFY_CHECKS: readonly VerifyCheck[] = [
  {
    id: 'key-rotation',
    title: 'automatic rotation is on for the data and backup keys (both regions)',
    doc: 'https://docs.aws.amazon.com/kms/latest/developerguide/rotating-keys-enable.html',
    run: async ({ env, clients }) => {
      const lines: Array<[boolean, string]> = [];
      for (const region of regions(env)) {
        for (const alias of [dataKeyAlias(env.envName), backupKeyAlias(env.envName)]) {
          const kms = clients.kms(region);
          const keyId = (await kms.send(new DescribeKeyCommand({ KeyId: alias }))).KeyMetadata?.KeyId;
          const r = await kms.send(new GetKeyRotationStatusCommand({ KeyId: keyId }));
          lines.push([
            r.KeyRotationEnabled === true,
            `${region} ${alias}: rotation ${r.KeyRotationEnabled ? 'on' : 'OFF'}`,
          ]);
        }
      }
      return outcome(lines);
    },
  },
  {
    id: 'signing-key-policy',
    title: "only the region's signer role may kms:Sign with the signing key (effective key policy)",
    doc: 'https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html',
    run: async ({ env, clients }) => {
      const lines: Array<[boolean, string]> = [];
      for (const region of regions(env)) {
        // GetKeyPolicy takes a key id or ARN, not an alias ("Specify the key ID or key ARN of the KMS key",
        // KMS API Reference): resolve the alias with DescribeKey first.
        const kms = clients.kms(region);
        const keyId = (await kms.send(new DescribeKeyCommand({ KeyId: signingKeyAlias(env.envName) }))).KeyMetadata
          ?.KeyId;
        const raw = (await kms.send(new GetKeyPolicyCommand({ KeyId: keyId, PolicyName: 'default' }))).Policy;
        const policy = JSON.parse(raw ?? '{"Statement":[]}') as { Statement: Statement[] };
        const signer = signerRoleArn(env.partition, env.account, env.envName, region);
        const probes = [
          signer,
          ...regions(env)
            .filter((r) => r !== region)
            .map((r) => signerRoleArn(env.partition, env.account, env.envName, r)),
          remediationRoleArn(env.partition, env.account, env.envName, region),
          healthRoleArn(env.partition, env.account, env.envName, region),
          env.breakGlassRoleArn,
          `arn:${env.partition}:iam::${env.account}:role/any-other-role`,
          `arn:${env.partition}:iam::${env.account}:root`,
        ];
        for (const principalArn of probes) {
          const { decision, statement } = evaluatePolicy(policy, { principalArn, action: 'kms:Sign' });
          const should = principalArn === signer ? 'allow' : 'explicit-deny';
          lines.push([
            decision === should,
            `${region} ${principalArn}: kms:Sign ${decision}${statement?.Sid ? ` (${statement.Sid})` : ''}${decision === should ? '' : `, expected ${should}`}`,
          ]);
        }
      }
      return outcome(lines);
    },
  },
  {
    id: 'signing-address',
    title: 'both signing key replicas give the same wallet address (GetPublicKey)',
    doc: 'https://docs.aws.amazon.com/kms/latest/developerguide/multi-region-keys-overview.html',
    run: async ({ env, clients }) => {
      const addresses: Record<string, string> = {};
      for (const region of regions(env)) {
        const pk = await clients.kms(region).send(new GetPublicKeyCommand({ KeyId: signingKeyAlias(env.envName) }));
        addresses[region] = pk.PublicKey === undefined ? '(no public key)' : addressFromSpki(pk.PublicKey);
      }
      const same = new Set(Object.values(addresses)).size === 1;
      return outcome(regions(env).map((r) => [same, `${r}: ${addresses[r]}`]));
    },
  },
  coldKeyPolicyCheck,
  {
    id: 'tls',
    title: 'every API name refuses TLS 1.0/1.1 and accepts TLS 1.2/1.3 (real handshakes)',
    doc: 'https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-custom-domain-tls-version.html',
    run: async (ctx) => {
      const { env } = ctx;
      const hosts = [
        publicApiDomain(env.apiSubdomain, env.zoneName),
        ...regions(env).map((r) => regionalApiDomain(r, env.apiSubdomain, env.zoneName)),
      ];
      const lines: Array<[boolean, string]> = [];
      for (const host of hosts) {
        for (const version of [...API_TLS.refused, ...API_TLS.accepted] as TlsVersion[]) {
          const accepted = await handshake(ctx.tlsEndpoint(host), version);
          const want = (API_TLS.accepted as readonly string[]).includes(version);
          lines.push([accepted === want, `${host} ${version}: ${accepted ? 'accepted' : 'refused'}`]);
        }
      }
      return outcome(lines);
    },
  },
  {
    id: 'health-checks',
    title: 'the Route 53 health checks report healthy from at least the configured number of checker regions',
    doc: 'https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-determining-health-of-endpoints.html',
    run: async ({ env, clients }) => {
      const hosts = regions(env).map((r) => regionalApiDomain(r, env.apiSubdomain, env.zoneName));
      const list = (await clients.route53.send(new ListHealthChecksCommand({}))).HealthChecks ?? [];
      const lines: Array<[boolean, string]> = [];
      for (const host of hosts) {
        const hc = list.find((h) => h.HealthCheckConfig?.FullyQualifiedDomainName === host);
        if (hc === undefined) {
          lines.push([false, `${host}: no health check`]);
          continue;
        }
        const regionsConfigured = hc.HealthCheckConfig?.Regions?.length ?? 0;
        const obs =
          (await clients.route53.send(new GetHealthCheckStatusCommand({ HealthCheckId: hc.Id })))
            .HealthCheckObservations ?? [];
        const healthy = obs.filter((o) => o.StatusReport?.Status?.startsWith('Success')).length;
        lines.push([
          regionsConfigured >= env.minCheckerRegions && healthy > obs.length / 2,
          `${host}: ${healthy} of ${obs.length} checkers healthy, ${regionsConfigured} checker regions`,
        ]);
      }
      const sw = list.find(
        (h) =>
          h.CloudWatchAlarmConfiguration !== undefined ||
          h.HealthCheckConfig?.AlarmIdentifier?.Name === failoverSwitchAlarmName(env.envName),
      );
      lines.push([sw !== undefined, `failover switch check: ${sw === undefined ? 'missing' : sw.Id}`]);
      return outcome(lines);
    },
  },
  {
    id: 'switch-recency',
    title: 'a thrown failover switch has a recent data point (Route 53 keeps last known status for hours at most)',
    doc: 'https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/health-checks-creating-values.html',
    run: async ({ env, clients, now }) => {
      const points = await readSwitchPoints({
        cloudwatch: clients.cloudwatch(env.standby),
        region: env.standby,
        envName: env.envName,
        now,
      });
      const d = decideRepublish(points, now);
      const thrown = d.thrownAgeSeconds > 0 || (points.length > 0 && d.reason.startsWith('thrown'));
      const stale = thrown && d.thrownAgeSeconds > SWITCH_REPUBLISH.staleAfterSeconds;
      return outcome([
        [
          !stale,
          thrown
            ? `thrown; newest data point ${d.thrownAgeSeconds} s old (stale after ${SWITCH_REPUBLISH.staleAfterSeconds} s)`
            : `not thrown (${d.reason})`,
        ],
      ]);
    },
  },
  {
    id: 'forwarding',
    title: 'the failover-cue forwarding rules had no FailedInvocations over the last day',
    doc: 'https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-monitoring.html',
    run: async ({ env, clients, now }) => {
      const lines: Array<[boolean, string]> = [];
      for (const [region, source] of [
        [env.primary, 'primary'],
        ['us-east-1', 'dns'],
      ] as const) {
        const rule = remediationForwardingRuleName(env.envName, source as never);
        const s = await sumOverDay(clients.cloudwatch(region), now, {
          failed: stat('AWS/Events', 'FailedInvocations', { RuleName: rule }),
        });
        lines.push([s.failed === 0, `${region} ${rule}: ${s.failed} failed invocations`]);
      }
      return outcome(lines);
    },
  },
  {
    id: 'backups',
    title: "the last day's backup and copy jobs succeeded and the restore tests passed",
    doc: 'https://docs.aws.amazon.com/aws-backup/latest/devguide/cloudwatch.html',
    run: async ({ env, clients, now }) => {
      const vault = { BackupVaultName: backupVaultName(env.envName) };
      const p = await sumOverDay(clients.cloudwatch(env.primary), now, {
        backupsDone: stat('AWS/Backup', 'NumberOfBackupJobsCompleted', vault),
        backupsFailed: stat('AWS/Backup', 'NumberOfBackupJobsFailed', vault),
        copiesDone: stat('AWS/Backup', 'NumberOfCopyJobsCompleted', vault),
        copiesFailed: stat('AWS/Backup', 'NumberOfCopyJobsFailed', vault),
      });
      const lines: Array<[boolean, string]> = [
        [
          p.backupsDone > 0 && p.backupsFailed === 0,
          `${env.primary} backup jobs: ${p.backupsDone} completed, ${p.backupsFailed} failed`,
        ],
        [
          p.copiesDone > 0 && p.copiesFailed === 0,
          `${env.primary} copy jobs: ${p.copiesDone} completed, ${p.copiesFailed} failed`,
        ],
      ];
      for (const region of regions(env)) {
        const r = await sumOverDay(clients.cloudwatch(region), now, {
          done: stat('AWS/Backup', 'NumberOfRestoreJobsCompleted', vault),
          failed: stat('AWS/Backup', 'NumberOfRestoreJobsFailed', vault),
        });
        lines.push([r.done > 0 && r.failed === 0, `${region} restore tests: ${r.done} completed, ${r.failed} failed`]);
      }
      return outcome(lines);
    },
  },
  {
    id: 'canaries',
    title: "every canary's last run passed",
    doc: 'https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Synthetics_Canaries_metrics.html',
    run: async ({ env, clients, now }) => {
      const lines: Array<[boolean, string]> = [];
      for (const region of regions(env)) {
        for (const kind of CANARY_KINDS) {
          const name = canaryName(env.envName, kind);
          const out = await clients.cloudwatch(region).send(
            new GetMetricDataCommand({
              StartTime: new Date(now.getTime() - 3 * 3600 * 1000),
              EndTime: now,
              ScanBy: 'TimestampDescending',
              MetricDataQueries: [
                {
                  Id: 'ok',
                  MetricStat: stat('CloudWatchSynthetics', 'SuccessPercent', { CanaryName: name }, 'Average', 60),
                },
              ],
            }),
          );
          const last = out.MetricDataResults?.[0]?.Values?.[0];
          lines.push([
            last === 100,
            `${region} ${name}: last run ${last === undefined ? 'none in 3 h' : `${last}% success`}`,
          ]);
        }
      }
      return outcome(lines);
    },
  },
  {
    id: 'sns-confirmed',
    title: 'every alert topic subscription is confirmed',
    doc: 'https://docs.aws.amazon.com/sns/latest/dg/SendMessageToHttp.confirm.html',
    run: async ({ env, clients }) => {
      const lines: Array<[boolean, string]> = [];
      for (const region of [...regions(env), 'us-east-1']) {
        const topics = (await clients.sns(region).send(new ListTopicsCommand({}))).Topics ?? [];
        const ours = topics.filter((t) => (t.TopicArn ?? '').split(':').pop()?.startsWith(`${env.envName}-wallet-`));
        if (ours.length === 0) lines.push([false, `${region}: no ${env.envName}-wallet-* topic`]);
        for (const t of ours) {
          const subs =
            (await clients.sns(region).send(new ListSubscriptionsByTopicCommand({ TopicArn: t.TopicArn })))
              .Subscriptions ?? [];
          const pending = subs.filter((s) => s.SubscriptionArn === 'PendingConfirmation');
          lines.push([
            subs.length > 0 && pending.length === 0,
            `${region} ${t.TopicArn?.split(':').pop()}: ${subs.length} subscription(s), ${pending.length} pending confirmation`,
          ]);
        }
      }
      return outcome(lines);
    },
  },
  {
    id: 'pitr',
    title: 'point-in-time recovery is on for every ledger replica',
    doc: 'https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/PointInTimeRecovery.html',
    run: async ({ env, clients }) => {
      const lines: Array<[boolean, string]> = [];
      for (const region of regions(env)) {
        const r = await clients
          .dynamodb(region)
          .send(new DescribeContinuousBackupsCommand({ TableName: ledgerTableName(env.envName) }));
        const status = r.ContinuousBackupsDescription?.PointInTimeRecoveryDescription?.PointInTimeRecoveryStatus;
        lines.push([status === 'ENABLED', `${region} ${ledgerTableName(env.envName)}: PITR ${status ?? 'unknown'}`]);
      }
      return outcome(lines);
    },
  },
];
