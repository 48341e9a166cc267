import { Duration, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { WalletConfig } from '../config/schema';
import { dnsAlarmName } from '../contract/alarms';
import { failoverSwitchAlarmName } from '../contract/failover-switch';
import { switchAlarmFingerprint } from '../failover/switch-alarm';
import { publicApiDomain, regionalApiDomain } from '../contract/health';
import { remediationForwarding } from '../contract/remediation';
import { dataKeyServiceUsers } from '../constructs/data-key-users';
import { FailoverHealthChecks } from '../constructs/failover-health-checks';
import { AliasTarget, FailoverRecords } from '../constructs/failover-records';
import { walletKeyPolicy } from '../constructs/key-policy';
import { WalletNotifications } from '../constructs/notifications';
import { RemediationForwarding } from '../constructs/remediation-forwarding';
import { FailoverOutputs } from '../constructs/failover-outputs';
import { ForwardingUndeliveredAlarm } from '../constructs/forwarding-alarm';
import { computeRtoBudget, RtoBudget } from '../failover/rto-budget';

export interface DnsStackProps extends StackProps {
  readonly config: WalletConfig;
  /** The primary region's `api.<zone>` API Gateway domain (alias target of the PRIMARY record). */
  readonly primaryApiTarget: AliasTarget;
  /** The standby region's `api.<zone>` API Gateway domain (alias target of the SECONDARY record). */
  readonly standbyApiTarget: AliasTarget;
}

/**
 * us-east-1, deployed last: Route 53 health checks, the failover switch's health check and the
 * failover records. Route 53 is global, but its health-check metrics exist only in us-east-1, so
 * the alarms on them, and the topic those alarms notify, live here too.
 */
export class DnsStack extends Stack {
  public readonly healthChecks: FailoverHealthChecks;
  public readonly records: FailoverRecords;
  public readonly notifications: WalletNotifications;
  public readonly rtoBudget: RtoBudget;
  /** Forwards the Route 53 failover cues to the standby's remediation (none if us-east-1 is the standby). */
  public readonly remediationForwarding?: RemediationForwarding;

  constructor(scope: Construct, id: string, props: DnsStackProps) {
    super(scope, id, props);
    const { config } = props;

    // The data key is not replicated to us-east-1; the DNS alerts topic gets its own key, with
    // the same policy guarantees (no deletion or disabling except by break-glass).
    const alertsKey = new kms.Key(this, 'AlertsKey', {
      description: `${config.envName} wallet: encrypts the DNS alerts topic (us-east-1)`,
      enableKeyRotation: true,
      pendingWindow: Duration.days(30),
      removalPolicy: RemovalPolicy.RETAIN,
      policy: walletKeyPolicy({
        purpose: 'data',
        partition: this.partition,
        account: this.account,
        region: this.region,
        breakGlassRoleArn: config.security.breakGlassRoleArn,
        allowedReplicaRegions: [],
        serviceUsers: dataKeyServiceUsers(this.partition, this.account, this.region),
      }),
    });
    this.notifications = new WalletNotifications(this, 'Notifications', {
      topicName: `${config.envName}-wallet-dns-alerts`,
      email: config.notifications.email,
      encryptionKey: alertsKey,
    });

    const { apiSubdomain, zoneName, healthCheck } = config.dns;
    this.healthChecks = new FailoverHealthChecks(this, 'HealthChecks', {
      primaryFqdn: regionalApiDomain(config.regions.primary, apiSubdomain, zoneName),
      standbyFqdn: regionalApiDomain(config.regions.standby, apiSubdomain, zoneName),
      intervalSeconds: healthCheck.intervalSeconds,
      failureThreshold: healthCheck.failureThreshold,
      checkerRegions: healthCheck.regions,
      switchAlarm: {
        name: failoverSwitchAlarmName(config.envName),
        region: config.regions.standby,
        fingerprint: switchAlarmFingerprint(config.envName),
      },
      topic: this.notifications.topic,
      envName: config.envName,
    });

    this.records = new FailoverRecords(this, 'Records', {
      zoneId: config.dns.zoneId,
      recordName: publicApiDomain(apiSubdomain, zoneName),
      recordType: config.dns.recordType,
      ttlSeconds: config.dns.recordTtlSeconds,
      primary: {
        region: config.regions.primary,
        target: props.primaryApiTarget,
        healthCheck: this.healthChecks.primary,
      },
      secondary: {
        region: config.regions.standby,
        target: props.standbyApiTarget,
        healthCheck: this.healthChecks.secondary,
      },
    });

    const cues = remediationForwarding({
      envName: config.envName,
      primaryRegion: config.regions.primary,
      standbyRegion: config.regions.standby,
      consistency: config.data.consistency,
    }).find((f) => f.source === 'dns');
    if (cues !== undefined) {
      this.remediationForwarding = new RemediationForwarding(this, 'RemediationCues', {
        envName: config.envName,
        source: 'dns',
        standbyRegion: config.regions.standby,
        alarmNames: cues.alarmNames,
      });
      new ForwardingUndeliveredAlarm(this, 'RemediationCuesUndelivered', {
        rule: this.remediationForwarding.rule,
        alarmName: dnsAlarmName(config.envName, 'remediationCuesUndelivered'),
        alarmDescription:
          `EventBridge could not forward a Route 53 failover cue to the standby's remediation (${config.regions.standby}): ` +
          'automatic failover may start later than it should. Runbook: docs/runbooks/alarms.md#route-53-alarms-us-east-1',
        evaluation: config.alarms.remediationFailures,
        topic: this.notifications.topic,
      });
    }

    this.rtoBudget = computeRtoBudget({
      intervalSeconds: healthCheck.intervalSeconds,
      failureThreshold: healthCheck.failureThreshold,
      ttlSeconds: config.dns.recordTtlSeconds,
      rtoTargetSeconds: config.targets.rtoSeconds,
    });
    // The outputs' logical ids are pinned to their keys (FailoverOutputs), as when they were stack-level.
    new FailoverOutputs(this, 'Outputs', {
      rtoBudget: this.rtoBudget,
      rtoTargetSeconds: config.targets.rtoSeconds,
      rpoTargetSeconds: config.targets.rpoSeconds,
      healthChecks: this.healthChecks,
    });
  }
}
