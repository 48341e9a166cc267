import { CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { deployHookRoleArn } from '../contract/deployment';
import { WalletConfig } from '../config/schema';
import {
  backupKeyAlias,
  chainWatcherRoleArn,
  dataKeyAlias,
  healthRoleArn,
  signerRoleArn,
  signingKeyAlias,
} from '../contract/names';
import { dataKeyServiceUsers } from '../constructs/data-key-users';
import { awsBackupViaServices } from '../constructs/key-policy';
import { WalletPrimaryKey } from '../constructs/multi-region-key';
import { ColdKey } from '../constructs/cold-key';
import { coldKeyEnabled } from '../config/cold-key';
import { coldKeyAlias, coldSignerRoleName } from '../contract/cold-key';

export interface KeysStackProps extends StackProps {
  readonly config: WalletConfig;
}

/**
 * Primary region, deployed first: the multi-region signing key and data key. Their replicas
 * (standby region) must exist before the global table, which is encrypted per replica.
 */
export class KeysStack extends Stack {
  public readonly signingKey: WalletPrimaryKey;
  public readonly dataKey: WalletPrimaryKey;
  public readonly backupKey: WalletPrimaryKey;
  /** The cold key and its ColdSigner role, only with `security.coldKey.enabled` (docs/cold-key.md). */
  public readonly coldKey?: ColdKey;

  constructor(scope: Construct, id: string, props: KeysStackProps) {
    super(scope, id, props);
    const { config } = props;
    const shared = {
      breakGlassRoleArn: config.security.breakGlassRoleArn,
      allowedReplicaRegions: [config.regions.standby],
    };
    this.signingKey = new WalletPrimaryKey(this, 'SigningKey', {
      ...shared,
      purpose: 'signing',
      alias: signingKeyAlias(config.envName),
      description: `${config.envName} wallet signing key (secp256k1, multi-region primary)`,
      // Each copy of the key serves its own region's signer only.
      signerRoleArns: [signerRoleArn(this.partition, this.account, config.envName, this.region)],
      // /health/deep reads the public key (and so checks the key is usable) without being able to sign.
      publicKeyReaderRoleArns: [
        healthRoleArn(this.partition, this.account, config.envName, this.region),
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
    this.dataKey = new WalletPrimaryKey(this, 'DataKey', {
      ...shared,
      purpose: 'data',
      alias: dataKeyAlias(config.envName),
      description: `${config.envName} wallet data key (tables, queues, topics, logs; multi-region primary)`,
      serviceUsers: dataKeyServiceUsers(this.partition, this.account, this.region, {
        awsBackupNotifications: true,
        eventBridgeDeadLetters: true,
      }),
    });
    // A dedicated key for the backup vaults (docs/backup.md, "Which key encrypts backups"): usable only
    // through AWS Backup, and independent of the data key, so losing, disabling or misusing the data
    // key does not reach the backups. Multi-region like the others, so the standby vault's key ARN is
    // built from this id without a cross-region reference.
    this.backupKey = new WalletPrimaryKey(this, 'BackupKey', {
      ...shared,
      purpose: 'backup',
      alias: backupKeyAlias(config.envName),
      description: `${config.envName} wallet backup key (AWS Backup vaults only; multi-region primary)`,
      keyUseViaServices: awsBackupViaServices([config.regions.primary, config.regions.standby]),
    });
    const cold = config.security.coldKey;
    if (coldKeyEnabled(cold)) {
      this.coldKey = new ColdKey(this, 'ColdKey', {
        alias: coldKeyAlias(config.envName),
        breakGlassRoleArn: config.security.breakGlassRoleArn,
        standbyRegion: config.regions.standby,
        signerRoleName: coldSignerRoleName(config.envName),
        signerPrincipalArns: cold.signerPrincipalArns,
        maxSessionSeconds: cold.maxSessionSeconds,
        // wallet-drill promote-keys checks the cold address before and after a promotion as break-glass
        // (docs/runbooks/key-recovery.md); the public key only: it still cannot sign.
        publicKeyReaderRoleArns: [config.security.breakGlassRoleArn],
      });
    }
    new CfnOutput(this, 'SigningKeyArn', { value: this.signingKey.keyArn, description: 'Primary signing key ARN' });
    new CfnOutput(this, 'DataKeyArn', { value: this.dataKey.keyArn, description: 'Primary data key ARN' });
    new CfnOutput(this, 'BackupKeyArn', { value: this.backupKey.keyArn, description: 'Primary backup key ARN' });
  }
}
