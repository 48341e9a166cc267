import { Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { deployHookRoleArn } from '../contract/deployment';
import { WalletConfig } from '../config/schema';
import {
  backupKeyAlias,
  chainWatcherRoleArn,
  dataKeyAlias,
  healthRoleArn,
  remediationRoleArn,
  signerRoleArn,
  signingKeyAlias,
} from '../contract/names';
import { dataKeyServiceUsers } from '../constructs/data-key-users';
import { awsBackupViaServices } from '../constructs/key-policy';
import { WalletReplicaKey } from '../constructs/multi-region-key';
import { ColdKeyReplica } from '../constructs/cold-key';
import { coldKeyEnabled } from '../config/cold-key';
import { coldKeyAlias, coldSignerRoleArn } from '../contract/cold-key';

export interface KeysReplicaStackProps extends StackProps {
  readonly config: WalletConfig;
  /** ARN of the primary signing key (primary region). */
  readonly signingKeyArn: string;
  /** ARN of the primary data key (primary region). */
  readonly dataKeyArn: string;
  /** ARN of the primary backup key (primary region). */
  readonly backupKeyArn: string;
  /**
   * ARN of the primary cold key (primary region), when `security.coldKey.enabled`.
   * @default - no cold key replica
   */
  readonly coldKeyArn?: string;
}

/**
 * Standby region, deployed second: replicas of the signing, data and backup keys. The standby signer
 * signs with the replica (same key material, same address); the standby table replica is
 * encrypted with the data key's replica.
 */
export class KeysReplicaStack extends Stack {
  public readonly signingKey: WalletReplicaKey;
  public readonly dataKey: WalletReplicaKey;
  public readonly backupKey: WalletReplicaKey;
  /** The cold key's standby replica, only with `security.coldKey.enabled`. */
  public readonly coldKey?: ColdKeyReplica;

  constructor(scope: Construct, id: string, props: KeysReplicaStackProps) {
    super(scope, id, props);
    const { config } = props;
    const shared = {
      breakGlassRoleArn: config.security.breakGlassRoleArn,
      allowedReplicaRegions: [config.regions.standby],
    };
    this.signingKey = new WalletReplicaKey(this, 'SigningKey', {
      ...shared,
      purpose: 'signing',
      primaryKeyArn: props.signingKeyArn,
      alias: signingKeyAlias(config.envName),
      description: `${config.envName} wallet signing key (secp256k1, multi-region replica)`,
      // Each copy of the key serves its own region's signer only.
      signerRoleArns: [signerRoleArn(this.partition, this.account, config.envName, this.region)],
      // /health/deep reads the public key (and so checks the key is usable) without being able to sign;
      // the standby's remediation derives the signing address from it to move the lease on failover.
      publicKeyReaderRoleArns: [
        healthRoleArn(this.partition, this.account, config.envName, this.region),
        remediationRoleArn(this.partition, this.account, config.envName, this.region),
        // The signer's pre-traffic hook compares a new signer version's signature with this key's address.
        deployHookRoleArn(this.partition, this.account, config.envName, this.region),
        // wallet-drill promote-keys (break-glass) verifies the address before and after UpdatePrimaryRegion.
        config.security.breakGlassRoleArn,
        // The AWS drill and wallet-status derive the signing address (the lease item's key) with
        // GetPublicKey; the operators' roles are named in status.operatorRoleArns (without one of
        // them, the drill needs --address). Reading the public key never allows signing.
        ...config.status.operatorRoleArns,
        // The chain watcher (issue 16, with chain.providers) derives the address whose transactions it tracks.
        ...(config.chain.providers !== undefined
          ? [chainWatcherRoleArn(this.partition, this.account, config.envName, this.region)]
          : []),
      ],
    });
    this.dataKey = new WalletReplicaKey(this, 'DataKey', {
      ...shared,
      purpose: 'data',
      primaryKeyArn: props.dataKeyArn,
      alias: dataKeyAlias(config.envName),
      description: `${config.envName} wallet data key (multi-region replica)`,
      serviceUsers: dataKeyServiceUsers(this.partition, this.account, this.region, {
        awsBackupNotifications: true,
        eventBridgeDeadLetters: true,
      }),
    });
    this.backupKey = new WalletReplicaKey(this, 'BackupKey', {
      ...shared,
      purpose: 'backup',
      primaryKeyArn: props.backupKeyArn,
      alias: backupKeyAlias(config.envName),
      description: `${config.envName} wallet backup key (AWS Backup vaults only; multi-region replica)`,
      keyUseViaServices: awsBackupViaServices([config.regions.primary, config.regions.standby]),
    });
    const cold = config.security.coldKey;
    if (coldKeyEnabled(cold)) {
      if (props.coldKeyArn === undefined) {
        throw new Error(
          'KeysReplicaStack: security.coldKey.enabled is true but no coldKeyArn was passed; pass keys.coldKey.keyArn (lib/app.ts)',
        );
      }
      this.coldKey = new ColdKeyReplica(this, 'ColdKey', {
        ...shared,
        primaryKeyArn: props.coldKeyArn,
        alias: coldKeyAlias(config.envName),
        signerRoleArn: coldSignerRoleArn(this.partition, this.account, config.envName),
        maxSessionSeconds: cold.maxSessionSeconds,
        // as in the keys stack: promote-keys reads the public key as break-glass; it cannot sign
        publicKeyReaderRoleArns: [config.security.breakGlassRoleArn],
      });
    }
  }
}
