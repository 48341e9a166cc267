import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledgeCrossStackLogGroupKey } from '../security/nag';

/**
 * How long wallet logs are kept by default: one year, the Control Tower minimum (CT.CLOUDWATCH.PR.2)
 * and the PCI DSS audit-trail retention.
 */
export const WALLET_LOG_RETENTION = logs.RetentionDays.ONE_YEAR;

/** Props of {@link WalletLogGroup}. */
export interface WalletLogGroupProps {
  /**
   * The log group's name.
   * @default - a name CloudFormation generates
   */
  readonly logGroupName?: string;
  /** The data key of this region; CloudWatch Logs encrypts with it (the key policy allows `logs.<region>`). */
  readonly encryptionKey: kms.IKey;
  /**
   * How long events are kept.
   * @default WALLET_LOG_RETENTION (one year)
   */
  readonly retention?: logs.RetentionDays;
}

/**
 * A CloudWatch log group as every wallet log group must be: KMS-encrypted with the data key, an
 * explicit retention (one year by default) and retained when the stack is deleted, because logs
 * of a wallet are audit evidence.
 */
export class WalletLogGroup extends logs.LogGroup {
  constructor(scope: Construct, id: string, props: WalletLogGroupProps) {
    super(scope, id, {
      logGroupName: props.logGroupName,
      encryptionKey: props.encryptionKey,
      retention: props.retention ?? WALLET_LOG_RETENTION,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    if (Stack.of(this) !== Stack.of(props.encryptionKey)) acknowledgeCrossStackLogGroupKey(this);
  }
}
