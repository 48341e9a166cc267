import { CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { WalletConfig } from '../config/schema';
import { ledgerTableName } from '../contract/names';
import { WalletBackup } from '../constructs/backup';
import type { FaultExperiments } from '../constructs/fault-experiments';
import type { SloAlarms } from '../constructs/slo-alarms';
import { addChaosAndSlo } from './chaos-slo-props';
import { FailoverSwitchAlarm } from '../constructs/failover-switch-alarm';
import { SwitchRepublisher } from '../constructs/switch-republisher';
import { WalletNotifications } from '../constructs/notifications';
import { RegionalApiDomain } from '../constructs/regional-api-domain';
import { RegionalObservability } from './regional-observability';
import { RegionalChain } from './regional-chain';
import { RegionalWallet } from '../constructs/regional-wallet';
import { regionalWalletSettings } from './wallet-settings';
import { RegionalSafeDeployment } from '../constructs/regional-safe-deployment';
import { safeDeploymentSettings } from './safe-deployment-settings';

export interface StandbyStackProps extends StackProps {
  readonly config: WalletConfig;
  /** The data key's replica in the standby region (same-region reference). */
  readonly dataKey: kms.IKey;
  /** The data key's id (`mrk-...`, the same in both regions): names the primary's copy. */
  readonly dataKeyId: string;
  /** The backup key's replica in the standby region (same-region reference): encrypts this region's vault. */
  readonly backupKey: kms.IKey;
  /** ARN of the signing key's replica in the standby region (same key material, same address). */
  readonly signingKeyArn: string;
}

/**
 * Standby region, deployed after the primary (the table's standby replica must exist): the
 * standby copy of the regional workload. It reads and writes the local table replica.
 */
export class StandbyStack extends Stack {
  public readonly table: dynamodb.ITableV2;
  public readonly notifications: WalletNotifications;
  public readonly failoverSwitch: FailoverSwitchAlarm;
  public readonly switchRepublisher: SwitchRepublisher;
  public readonly backup: WalletBackup;
  /** The standby copy of the regional workload: the full workload; only the lease decides who signs. */
  public readonly wallet: RegionalWallet;
  /** `api.<zone>` and `<region>.api.<zone>` for this region's API. */
  public readonly apiDomain: RegionalApiDomain;
  /** Canaries, alarms, remediation and the dashboard of this region. */
  public readonly observability: RegionalObservability;
  /** The chain watcher, the signer's chain settings and (primary) the RPC secrets, where `chain.providers` is set (issue 16). */
  public readonly chain?: RegionalChain;
  /** CodeDeploy groups shifting every function's `live` alias, and the signer's pre-traffic hook (docs/safe-deploys.md). */
  public readonly safeDeployment: RegionalSafeDeployment;
  /** Error-budget (burn-rate) alerting and dashboard of this region's SLOs. */
  public readonly slo: SloAlarms;
  /** AWS FIS experiments targeting this region (config `chaos.enabled`), if any. */
  public readonly faultExperiments?: FaultExperiments;

  constructor(scope: Construct, id: string, props: StandbyStackProps) {
    super(scope, id, props);
    const { config } = props;
    this.table = dynamodb.TableV2.fromTableAttributes(this, 'Ledger', {
      tableName: ledgerTableName(config.envName),
      encryptionKey: props.dataKey,
    });
    this.notifications = new WalletNotifications(this, 'Notifications', {
      topicName: `${config.envName}-wallet-alerts`,
      email: config.notifications.email,
      encryptionKey: props.dataKey,
    });
    // The failover switch lives in the standby region: flipping it is a CloudWatch data-plane
    // call in the region that takes over, never a Route 53 control-plane call.
    this.failoverSwitch = new FailoverSwitchAlarm(this, 'FailoverSwitch', {
      envName: config.envName,
      topic: this.notifications.topic,
    });
    // The standby vault receives a copy of every primary recovery point (the plan lives in the
    // primary stack) and is restore-tested here, so copies are proven restorable in this region.
    this.backup = new WalletBackup(this, 'Backup', {
      envName: config.envName,
      breakGlassRoleArn: config.security.breakGlassRoleArn,
      vaultKey: props.backupKey,
      dataKey: props.dataKey,
      lock: config.backup.vaultLock,
      topic: this.notifications.topic,
      restoreTestSchedule: config.backup.restoreTestSchedule,
    });
    this.wallet = new RegionalWallet(this, 'Wallet', {
      ...regionalWalletSettings(config),
      regionRole: 'standby',
      table: this.table,
      dataKey: props.dataKey,
      dataKeyId: props.dataKeyId,
      signingKeyArn: props.signingKeyArn,
    });
    this.apiDomain = new RegionalApiDomain(this, 'ApiDomain', {
      zoneId: config.dns.zoneId,
      zoneName: config.dns.zoneName,
      apiSubdomain: config.dns.apiSubdomain,
      restApi: this.wallet.api.restApi,
      stage: this.wallet.api.stage,
    });
    this.observability = new RegionalObservability(this, 'Observability', {
      config,
      regionRole: 'standby',
      wallet: this.wallet,
      table: this.table,
      dataKey: props.dataKey,
      topic: this.notifications.topic,
      signingKeyArn: props.signingKeyArn,
      dataKeyId: props.dataKeyId,
      failoverSwitchAlarm: cloudwatch.Alarm.fromAlarmName(
        this,
        'FailoverSwitchAlarmRef',
        this.failoverSwitch.alarmName,
      ),
    });
    // While the switch is thrown, keep it fresh (Route 53 advises against relying on last known
    // status for long) and alarm when a thrown switch goes stale; never throws it (see the construct).
    this.switchRepublisher = new SwitchRepublisher(this, 'SwitchRepublisher', {
      envName: config.envName,
      dataKey: props.dataKey,
      topic: this.notifications.topic,
      failureQueue: this.observability.remediation.deadLetterQueue,
    });
    if (config.chain.providers !== undefined) {
      this.chain = new RegionalChain(this, 'Chain', {
        config,
        regionRole: 'standby',
        wallet: this.wallet,
        table: this.table,
        dataKey: props.dataKey,
        dataKeyId: props.dataKeyId,
        signingKeyArn: props.signingKeyArn,
        failureQueue: this.observability.remediation.deadLetterQueue,
      });
    }
    this.safeDeployment = new RegionalSafeDeployment(this, 'SafeDeployment', {
      ...safeDeploymentSettings(config),
      functions: {
        ...this.wallet.functions,
        remediation: this.observability.remediation.function,
        switchRepublisher: this.switchRepublisher.function,
        chainWatcher: this.chain?.watcher.function,
        sweeper: this.chain?.sweeper?.function,
      },
      signingKeyArn: props.signingKeyArn,
      dataKey: props.dataKey,
      topic: this.notifications.topic,
    });
    const chaosAndSlo = addChaosAndSlo(this, {
      config,
      regionRole: 'standby',
      wallet: this.wallet,
      observability: this.observability,
      tableArn: `arn:${this.partition}:dynamodb:${config.regions.standby}:${this.account}:table/${ledgerTableName(config.envName)}`,
      dataKey: props.dataKey,
      topic: this.notifications.topic,
    });
    this.slo = chaosAndSlo.slo;
    this.faultExperiments = chaosAndSlo.faultExperiments;
    new CfnOutput(this, 'ApiUrl', {
      value: `https://${this.apiDomain.regionalDomain.domainName}/`,
      description: "This region's API (custom domain; the execute-api endpoint is disabled)",
    });
  }
}
