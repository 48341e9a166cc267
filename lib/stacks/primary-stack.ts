import { CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { WalletConfig } from '../config/schema';
import { ledgerTableName } from '../contract/names';
import { WalletBackup } from '../constructs/backup';
import type { FaultExperiments } from '../constructs/fault-experiments';
import type { SloAlarms } from '../constructs/slo-alarms';
import { addChaosAndSlo } from './chaos-slo-props';
import { WalletNotifications } from '../constructs/notifications';
import { RegionalApiDomain } from '../constructs/regional-api-domain';
import { RegionalObservability } from './regional-observability';
import { RegionalChain } from './regional-chain';
import { RegionalWallet } from '../constructs/regional-wallet';
import { regionalWalletSettings } from './wallet-settings';
import { RegionalSafeDeployment } from '../constructs/regional-safe-deployment';
import { safeDeploymentSettings } from './safe-deployment-settings';
import { WalletLedgerTable } from '../constructs/wallet-table';

export interface PrimaryStackProps extends StackProps {
  readonly config: WalletConfig;
  /** The data key in the primary region (same-region reference). */
  readonly dataKey: kms.IKey;
  /** The multi-region data key id (`mrk-...`); its standby replica has the same id. */
  readonly dataKeyId: string;
  /** The backup key in the primary region (same-region reference): encrypts this region's vault. */
  readonly backupKey: kms.IKey;
  /** The multi-region backup key id; its standby replica (the standby vault's key) has the same id. */
  readonly backupKeyId: string;
  /** ARN of the signing key in the primary region (the multi-region primary key). */
  readonly signingKeyArn: string;
}

/**
 * Primary region, deployed third: the global table (it creates the standby replica, so the
 * replica keys must already exist) and the primary copy of the regional workload.
 */
export class PrimaryStack extends Stack {
  public readonly table: dynamodb.ITableV2;
  public readonly notifications: WalletNotifications;
  public readonly backup: WalletBackup;
  /** The primary copy of the regional workload (API, WAF, functions, signing queue). */
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

  constructor(scope: Construct, id: string, props: PrimaryStackProps) {
    super(scope, id, props);
    const { config } = props;
    // A multi-region key keeps its id in every region, so the replica's ARN is built from the
    // primary's id: no cross-region reference is needed.
    const replicaDataKeyArn = `arn:${this.partition}:kms:${config.regions.standby}:${this.account}:key/${props.dataKeyId}`;
    const ledger = new WalletLedgerTable(this, 'Ledger', {
      tableName: ledgerTableName(config.envName),
      consistency: config.data.consistency,
      replicaRegion: config.regions.standby,
      witnessRegion: config.regions.witness,
      encryptionKey: props.dataKey,
      replicaKeyArn: replicaDataKeyArn,
    });
    this.table = ledger.table;
    this.notifications = new WalletNotifications(this, 'Notifications', {
      topicName: `${config.envName}-wallet-alerts`,
      email: config.notifications.email,
      encryptionKey: props.dataKey,
    });
    // Backups (docs/backup.md): the plan runs here and copies every recovery point to the standby
    // vault, named from config; the standby stack holds that vault.
    const { backup } = config;
    this.backup = new WalletBackup(this, 'Backup', {
      envName: config.envName,
      breakGlassRoleArn: config.security.breakGlassRoleArn,
      vaultKey: props.backupKey,
      dataKey: props.dataKey,
      lock: backup.vaultLock,
      topic: this.notifications.topic,
      restoreTestSchedule: backup.restoreTestSchedule,
      plan: {
        frequent: { schedule: backup.frequentSchedule, retentionDays: backup.frequentRetentionDays },
        daily: { schedule: backup.dailySchedule, retentionDays: backup.dailyRetentionDays },
        // Every stateful resource of the region; test/constructs/backup.suite.ts walks the app to prove it.
        resources: [
          {
            arn: ledger.table.tableArn,
            resourceType: 'DynamoDB',
            encryptionKeyArn: props.dataKey.keyArn,
            replicas: [
              {
                arn: `arn:${this.partition}:dynamodb:${config.regions.standby}:${this.account}:table/${ledgerTableName(config.envName)}`,
                encryptionKeyArn: replicaDataKeyArn,
              },
            ],
          },
        ],
        copyToRegion: config.regions.standby,
        copyToKeyArn: `arn:${this.partition}:kms:${config.regions.standby}:${this.account}:key/${props.backupKeyId}`,
        rpoSeconds: config.targets.backupRpoSeconds,
      },
    });
    this.wallet = new RegionalWallet(this, 'Wallet', {
      ...regionalWalletSettings(config),
      regionRole: 'primary',
      table: ledger.table,
      dataKey: props.dataKey,
      dataKeyId: props.dataKeyId,
      signingKeyArn: props.signingKeyArn,
    });
    new CfnOutput(this, 'LedgerTableName', { value: ledger.table.tableName });
    this.apiDomain = new RegionalApiDomain(this, 'ApiDomain', {
      zoneId: config.dns.zoneId,
      zoneName: config.dns.zoneName,
      apiSubdomain: config.dns.apiSubdomain,
      restApi: this.wallet.api.restApi,
      stage: this.wallet.api.stage,
    });
    this.observability = new RegionalObservability(this, 'Observability', {
      config,
      regionRole: 'primary',
      wallet: this.wallet,
      table: ledger.table,
      dataKey: props.dataKey,
      topic: this.notifications.topic,
    });
    if (config.chain.providers !== undefined) {
      this.chain = new RegionalChain(this, 'Chain', {
        config,
        regionRole: 'primary',
        wallet: this.wallet,
        table: ledger.table,
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
        chainWatcher: this.chain?.watcher.function,
        sweeper: this.chain?.sweeper?.function,
      },
      signingKeyArn: props.signingKeyArn,
      dataKey: props.dataKey,
      topic: this.notifications.topic,
    });
    const chaosAndSlo = addChaosAndSlo(this, {
      config,
      regionRole: 'primary',
      wallet: this.wallet,
      observability: this.observability,
      tableArn: ledger.table.tableArn,
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
