import { Stack, StackProps } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { WalletConfig } from '../config/schema';
import { ledgerTableName } from '../contract/names';
import { FailoverSwitchAlarm } from '../constructs/failover-switch-alarm';
import { WalletNotifications } from '../constructs/notifications';

export interface StandbyStackProps extends StackProps {
  readonly config: WalletConfig;
  /** The data key's replica in the standby region (same-region reference). */
  readonly dataKey: kms.IKey;
}

/**
 * Standby region, deployed after the primary (the table's standby replica must exist): the
 * standby copy of the regional workload. It reads and writes the local table replica.
 */
export class StandbyStack extends Stack {
  public readonly table: dynamodb.ITableV2;
  public readonly notifications: WalletNotifications;
  public readonly failoverSwitch: FailoverSwitchAlarm;

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
  }
}
