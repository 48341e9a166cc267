import { Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { rateSeconds, replicationLatencyThresholdMs, WalletConfig } from '../config/schema';
import { CANARY_KINDS, CanaryKind } from '../contract/canary';
import { RegionRole, signingDeadLetterQueueName } from '../contract/names';
import { remediationForwarding } from '../contract/remediation';
import { RegionalWallet } from '../constructs/regional-wallet';
import { RemediationHandOffQueues, WalletRemediation } from '../constructs/remediation';
import { RemediationForwarding } from '../constructs/remediation-forwarding';
import { WalletAlarms } from '../constructs/wallet-alarms';
import { CanaryApiTarget, WalletCanaries } from '../constructs/wallet-canaries';
import { WalletDashboard } from '../constructs/wallet-dashboard';
import { chainAlarmSettings, chainDashboardSettings, sweepAlarmSettings } from './regional-chain';

/** Props of {@link RegionalObservability}. */
export interface RegionalObservabilityProps {
  readonly config: WalletConfig;
  readonly regionRole: RegionRole;
  /** This region's workload: what the alarms and the dashboard watch. */
  readonly wallet: RegionalWallet;
  readonly table: dynamodb.ITableV2;
  readonly dataKey: kms.IKey;
  readonly topic: sns.ITopic;
  /**
   * The standby's signing-key replica ARN (its remediation finds the signing leases by address).
   * @default - none (primary)
   */
  readonly signingKeyArn?: string;
  /**
   * The data key's id (a multi-region key: the same id in both regions). The standby's remediation
   * hand-off decrypts the primary's signing DLQ with the primary's copy. @default - none (primary)
   */
  readonly dataKeyId?: string;
  /** The standby's failover switch alarm, shown on its dashboard. @default - none */
  readonly failoverSwitchAlarm?: cloudwatch.IAlarm;
}

/**
 * Everything a region needs to see an outage and act on it safely (issue 5): canaries, alarms, the
 * bounded remediation Lambda and the dashboard, the same in both regions. One construct per
 * capability; this one, beside the stacks, maps the config to their typed props and composes them.
 */
export class RegionalObservability extends Construct {
  public readonly canaries: WalletCanaries;
  public readonly remediation: WalletRemediation;
  /** Primary only: forwards its failover cues to the standby's remediation. */
  public readonly remediationForwarding?: RemediationForwarding;
  public readonly alarms: WalletAlarms;
  public readonly dashboard: WalletDashboard;

  constructor(scope: Construct, id: string, props: RegionalObservabilityProps) {
    super(scope, id);
    const { config, wallet } = props;
    const region = config.regions[props.regionRole];
    const peer = props.regionRole === 'primary' ? config.regions.standby : config.regions.primary;
    const apis: CanaryApiTarget[] = [
      { region, restApiId: wallet.api.restApi.restApiId },
      // The peer's API by region only: the primary cannot reference the standby's API (it deploys
      // later), and the same rule in both regions keeps the stacks free of a cross-region reference.
      { region: peer },
    ];

    this.canaries = new WalletCanaries(this, 'Canaries', {
      envName: config.envName,
      primaryRegion: config.regions.primary,
      standbyRegion: config.regions.standby,
      zoneName: config.dns.zoneName,
      apiSubdomain: config.dns.apiSubdomain,
      schedule: config.canary.schedule,
      maxLatencyMs: config.canary.maxLatencyMs,
      requestTimeoutMs: config.canary.requestTimeoutMs,
      signBoundMs: config.canary.signBoundMs,
      dataKey: props.dataKey,
      apis,
    });
    this.remediation = new WalletRemediation(this, 'Remediation', {
      envName: config.envName,
      regionRole: props.regionRole,
      primaryRegion: config.regions.primary,
      standbyRegion: config.regions.standby,
      consistency: config.data.consistency,
      table: props.table,
      dataKey: props.dataKey,
      topic: props.topic,
      topicKey: props.dataKey,
      signingKeyArn: props.signingKeyArn,
      mode: config.remediation.mode,
      maxFailoversPerWindow: config.remediation.maxFailoversPerWindow,
      windowMinutes: config.remediation.windowMinutes,
      ...(props.regionRole === 'standby' && props.dataKeyId !== undefined
        ? { handOff: remediationHandOffQueues(this, props, props.dataKeyId) }
        : {}),
    });
    const cues = remediationForwarding({
      envName: config.envName,
      primaryRegion: config.regions.primary,
      standbyRegion: config.regions.standby,
      consistency: config.data.consistency,
    }).find((f) => f.source === 'primary');
    if (props.regionRole === 'primary' && cues !== undefined) {
      this.remediationForwarding = new RemediationForwarding(this, 'RemediationCues', {
        envName: config.envName,
        source: 'primary',
        standbyRegion: config.regions.standby,
        alarmNames: cues.alarmNames,
      });
    }
    const canaryNames = Object.fromEntries(
      CANARY_KINDS.map((kind) => [kind, this.canaries.canaries[kind].canaryName]),
    ) as Record<CanaryKind, string>;
    const monitored = {
      apiStage: wallet.api.stage,
      signer: wallet.functions.signer.function,
      signingQueue: wallet.signingQueue.queue,
      signingDeadLetterQueue: wallet.signingQueue.deadLetterQueue,
      tableName: props.table.tableName,
      remediation: this.remediation.function.function,
      remediationDeadLetterQueue: this.remediation.deadLetterQueue,
      canaryNames,
    };
    this.alarms = new WalletAlarms(this, 'Alarms', {
      ...monitored,
      envName: config.envName,
      peerRegion: peer,
      consistency: config.data.consistency,
      topic: props.topic,
      thresholds: {
        ...config.alarms,
        replicationLatency: { ...config.alarms.replicationLatency, thresholdMs: replicationLatencyThresholdMs(config) },
      },
      canaryPeriodSeconds: rateSeconds(config.canary.schedule),
      signerLogGroup: wallet.functions.signer.logGroup,
      remediationForwardingRule: this.remediationForwarding?.rule,
      chain: chainAlarmSettings(config, props.regionRole),
      sweep: sweepAlarmSettings(config),
    });
    this.dashboard = new WalletDashboard(this, 'Dashboard', {
      ...monitored,
      envName: config.envName,
      primaryRegion: config.regions.primary,
      standbyRegion: config.regions.standby,
      alarms: this.alarms.alarms,
      failoverSwitchAlarm: props.failoverSwitchAlarm,
      kmsThrottled: this.alarms.kmsThrottledMetric,
      remediationLogGroup: this.remediation.function.logGroup,
      chain: chainDashboardSettings(config),
      sweeper: sweepAlarmSettings(config) !== undefined,
    });
  }
}

/**
 * The standby's hand-off queues: its own signing queue and DLQ (objects, same stack) and the
 * primary's signing DLQ as plain values (name from lib/contract/names.ts; the multi-region data key
 * keeps its id in every region, as in regional-wallet.ts peerSigningQueue).
 */
function remediationHandOffQueues(
  scope: Construct,
  props: RegionalObservabilityProps,
  dataKeyId: string,
): RemediationHandOffQueues {
  const stack = Stack.of(scope);
  const peer = props.config.regions.primary;
  const name = signingDeadLetterQueueName(props.config.envName);
  return {
    signingQueue: props.wallet.signingQueue.queue,
    deadLetterQueue: props.wallet.signingQueue.deadLetterQueue,
    peerDeadLetterQueue: {
      region: peer,
      queueArn: `arn:${stack.partition}:sqs:${peer}:${stack.account}:${name}`,
      queueUrl: `https://sqs.${peer}.${stack.urlSuffix}/${stack.account}/${name}`,
      dataKeyArn: `arn:${stack.partition}:kms:${peer}:${stack.account}:key/${dataKeyId}`,
    },
  };
}
