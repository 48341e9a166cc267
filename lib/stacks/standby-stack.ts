import { Stack, StackProps } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { WalletConfig } from '../config/schema';
import { ledgerTableName } from '../contract/names';
import { WalletBackup } from '../constructs/backup';
import { FailoverSwitchAlarm } from '../constructs/failover-switch-alarm';
import { WalletNotifications } from '../constructs/notifications';

export interface StandbyStackProps extends StackProps {
  readonly config: WalletConfig;
  /** The data key's replica in the standby region (same-region reference). */
  readonly dataKey: kms.IKey;
  /** The backup key's replica in the standby region (same-region reference): encrypts this region's vault. */
  readonly backupKey: kms.IKey;
}

/**
 * Standby region, deployed after the primary (the table's standby replica must exist): the
 * standby copy of the regional workload. It reads and writes the local table replica.
 */
export class StandbyStack extends Stack {
  public readonly table: dynamodb.ITableV2;
  public readonly notifications: WalletNotifications;
  public readonly failoverSwitch: FailoverSwitchAlarm;
  public readonly backup: WalletBackup;

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
  }
}
