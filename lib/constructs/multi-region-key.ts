import { Duration, RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { TAG_KEYS } from '../contract/names';
import { KeyPurpose, walletKeyPolicy, WalletKeyPolicyProps } from './key-policy';

/** KMS's longest (and our only) deletion waiting period. */
export const KEY_DELETION_WINDOW_DAYS = 30;

/** Options shared by the primary key and its replica. */
export interface WalletKeyOptions extends Omit<WalletKeyPolicyProps, 'partition' | 'account' | 'region'> {
  /** Alias in this region, e.g. `alias/prod-wallet-signing`. */
  readonly alias: string;
  /** What the key is for, shown in the console. */
  readonly description: string;
}

/** Props of {@link WalletPrimaryKey}. */
export type WalletPrimaryKeyProps = WalletKeyOptions;

/**
 * The primary copy of a wallet multi-region KMS key.
 *
 * - `signing`: `ECC_SECG_P256K1` / `SIGN_VERIFY`, the curve Ethereum uses. Asymmetric keys cannot
 *   rotate: a new key is a new wallet address (docs/data-model.md, "Key rotation").
 * - `data`: symmetric, yearly rotation, for the table, queues, topics and log groups.
 *
 * Both are RETAIN with a 30-day deletion window, and their policy denies deletion, disabling and
 * replication outside the standby region to everyone but the break-glass role.
 */
export class WalletPrimaryKey extends Construct {
  /** The key, for same-region use (grants, encryption props). */
  public readonly key: kms.IKey;
  /** The multi-region key id (`mrk-...`), identical in every region. */
  public readonly keyId: string;
  public readonly keyArn: string;
  public readonly purpose: KeyPurpose;

  constructor(scope: Construct, id: string, props: WalletPrimaryKeyProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.purpose = props.purpose;
    // Both the hot signing key and the cold key are secp256k1 Ethereum keys.
    const signing = props.purpose === 'signing' || props.purpose === 'cold';
    const key = new kms.Key(this, 'Key', {
      description: props.description,
      multiRegion: true,
      keySpec: signing ? kms.KeySpec.ECC_SECG_P256K1 : kms.KeySpec.SYMMETRIC_DEFAULT,
      keyUsage: signing ? kms.KeyUsage.SIGN_VERIFY : kms.KeyUsage.ENCRYPT_DECRYPT,
      enableKeyRotation: !signing,
      pendingWindow: Duration.days(KEY_DELETION_WINDOW_DAYS),
      removalPolicy: RemovalPolicy.RETAIN,
      policy: walletKeyPolicy({ ...props, partition: stack.partition, account: stack.account, region: stack.region }),
    });
    Tags.of(key).add(TAG_KEYS.keyPurpose, props.purpose);
    new kms.Alias(this, 'Alias', { aliasName: props.alias, targetKey: key });
    this.key = key;
    this.keyId = key.keyId;
    this.keyArn = key.keyArn;
  }
}

/** Props of {@link WalletReplicaKey}. */
export interface WalletReplicaKeyProps extends WalletKeyOptions {
  /** ARN of the primary key (in the primary region). */
  readonly primaryKeyArn: string;
}

/**
 * A replica of a wallet multi-region key in another region: same key material (so the same
 * wallet address), its own key policy, RETAIN and a 30-day deletion window.
 */
export class WalletReplicaKey extends Construct {
  public readonly key: kms.IKey;
  /** The multi-region key id (`mrk-...`), the same as the primary's. */
  public readonly keyId: string;
  public readonly keyArn: string;
  public readonly replica: kms.CfnReplicaKey;

  constructor(scope: Construct, id: string, props: WalletReplicaKeyProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.replica = new kms.CfnReplicaKey(this, 'Key', {
      primaryKeyArn: props.primaryKeyArn,
      description: props.description,
      enabled: true,
      pendingWindowInDays: KEY_DELETION_WINDOW_DAYS,
      keyPolicy: walletKeyPolicy({
        ...props,
        partition: stack.partition,
        account: stack.account,
        region: stack.region,
      }),
    });
    this.replica.applyRemovalPolicy(RemovalPolicy.RETAIN);
    Tags.of(this.replica).add(TAG_KEYS.keyPurpose, props.purpose);
    new kms.CfnAlias(this, 'Alias', { aliasName: props.alias, targetKeyId: this.replica.attrKeyId });
    this.keyId = this.replica.attrKeyId;
    this.keyArn = this.replica.attrArn;
    this.key = kms.Key.fromKeyArn(this, 'Imported', this.keyArn);
  }
}
