import { Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { WalletConfig } from '../config/schema';
import { regionalAlarmName } from '../contract/alarms';
import { failoverSwitchAlarmName } from '../contract/failover-switch';
import { statusDeployApplicationName } from '../contract/deployment';
import { RegionRole } from '../contract/names';
import {
  statusBucketName,
  statusDomainName,
  statusSubscribersTopicName,
  statusUpdaterRoleName,
  statusWebhookQueueName,
} from '../contract/status';
import { settingsFromConfig } from '../drill/settings';
import { WalletNotifications } from '../constructs/notifications';
import { SafeDeployment } from '../constructs/safe-deployment';
import { StatusBucket } from '../constructs/status-bucket';
import { StatusDistribution } from '../constructs/status-distribution';
import { StatusSubscribers } from '../constructs/status-subscribers';
import { StatusUpdater } from '../constructs/status-updater';

export interface StatusStackProps extends StackProps {
  readonly config: WalletConfig;
  /** Which wallet region this stack is in. */
  readonly regionRole: RegionRole;
}

/**
 * The status page in one wallet region: its status bucket (one of the two origins), subscribers
 * (SNS for e-mail and SMS, webhooks), and the updater that keeps the page current. It depends on
 * nothing of the wallet's stacks: alarm and bucket names are contract values, so the page can be
 * deployed, and keeps working, whatever state the wallet's stacks are in.
 */
export class StatusStack extends Stack {
  public readonly site: StatusBucket;
  public readonly deployment: SafeDeployment;
  public readonly subscribers: StatusSubscribers;
  public readonly updater: StatusUpdater;

  constructor(scope: Construct, id: string, props: StatusStackProps) {
    super(scope, id, props);
    const { config } = props;
    const { envName } = config;
    const { primary, standby } = config.regions;
    const roleArn = (region: string) =>
      `arn:${this.partition}:iam::${this.account}:role/${statusUpdaterRoleName(envName, region)}`;

    this.site = new StatusBucket(this, 'Site', {
      envName,
      breakGlassRoleArn: config.security.breakGlassRoleArn,
      // The updaters, and the operators' roles (wallet-status --target aws, the drill's incident).
      writerRoleArns: [roleArn(primary), roleArn(standby), ...config.status.operatorRoleArns],
    });
    const alerts = new WalletNotifications(this, 'Alerts', {
      topicName: `${envName}-wallet-status-alerts`,
      email: config.notifications.email,
      encryptionKey: this.site.key,
    });
    this.subscribers = new StatusSubscribers(this, 'Subscribers', {
      envName,
      key: this.site.key,
      webhooks: config.status.webhooks,
      alertsTopic: alerts.topic,
    });
    const settings = settingsFromConfig(config);
    // This region's bus carries its own alarms; the standby's also carries the primary's
    // region-impaired, forwarded for remediation (lib/constructs/remediation-forwarding.ts).
    const alarmNames = [
      regionalAlarmName(envName, this.region, 'regionImpaired'),
      regionalAlarmName(envName, this.region, 'publicNameCanary'),
      ...(props.regionRole === 'standby'
        ? [regionalAlarmName(envName, primary, 'regionImpaired'), failoverSwitchAlarmName(envName)]
        : []),
    ];
    this.updater = new StatusUpdater(this, 'Updater', {
      env: {
        envName,
        primaryRegion: primary,
        standbyRegion: standby,
        buckets: [primary, standby].map((region) => ({
          region,
          name: statusBucketName(envName, this.account, region),
        })),
        mode: config.remediation.mode,
        page: {
          id: envName,
          name: config.status.pageName ?? `${envName} wallet status`,
          url: `https://${statusDomainName(config.dns.zoneName)}`,
        },
        settings: {
          intervalSeconds: settings.intervalSeconds,
          failureThreshold: settings.failureThreshold,
          ttlSeconds: settings.ttlSeconds,
          checkerRegions: settings.checkerRegions,
          canaryPeriodSeconds: settings.canaryPeriodSeconds,
        },
        topicArn: `arn:${this.partition}:sns:${this.region}:${this.account}:${statusSubscribersTopicName(envName)}`,
        webhookQueueUrl: `https://sqs.${this.region}.${this.urlSuffix}/${this.account}/${statusWebhookQueueName(envName)}`,
        webhooks: config.status.webhooks,
      },
      alarmNames,
      key: this.site.key,
      topic: this.subscribers.topic,
      webhookQueue: this.subscribers.webhookQueue,
    });
    // The updater and the webhook sender invoke their `live` alias; CodeDeploy shifts it and rolls a
    // new version back on deployment failure, a manual stop, or its alarms (errors, p99 duration of the
    // NEW version only). All at once, not a canary: both run a few times an hour (alarm state changes,
    // a daily schedule, rare webhooks), so a 10% canary would see almost no invocation in its interval
    // and prove nothing, while two updater versions writing the same status document at once could
    // render the page two ways in turn. The alarms roll back a version that fails while CodeDeploy
    // watches it (seconds, for all at once: docs/safe-deploys.md, "Limit of all-at-once groups").
    this.deployment = new SafeDeployment(this, 'SafeDeployment', {
      envName,
      applicationName: statusDeployApplicationName(envName),
      topic: alerts.topic,
      functions: [
        {
          purpose: 'status-updater',
          fn: this.updater.updater,
          shifting: { kind: 'all-at-once' },
          // Its timeout is 60 s; a render and two bucket writes normally take well under 10 s.
          p99DurationThresholdMs: 20_000,
        },
        {
          purpose: 'status-webhooks',
          fn: this.subscribers.sender,
          shifting: { kind: 'all-at-once' },
          // Its timeout is 30 s (one webhook POST with its own deadline).
          p99DurationThresholdMs: 10_000,
        },
      ],
    });
  }
}

export interface StatusEdgeStackProps extends StackProps {
  readonly config: WalletConfig;
}

/** us-east-1: the distribution (its certificate must be here), the origin group and `status.<zone>`. */
export class StatusEdgeStack extends Stack {
  public readonly edge: StatusDistribution;

  constructor(scope: Construct, id: string, props: StatusEdgeStackProps) {
    super(scope, id, props);
    const { config } = props;
    const bucket = (region: string) => ({ bucketName: statusBucketName(config.envName, this.account, region), region });
    this.edge = new StatusDistribution(this, 'Edge', {
      domainName: statusDomainName(config.dns.zoneName),
      zoneId: config.dns.zoneId,
      zoneName: config.dns.zoneName,
      primary: bucket(config.regions.primary),
      secondary: bucket(config.regions.standby),
    });
  }
}
