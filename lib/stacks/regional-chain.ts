import { Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { chainSettingsFor } from '../config/chain';
import { rateSeconds, WalletConfig } from '../config/schema';
import { RegionRole } from '../contract/names';
import { rpcSecretArnPattern, rpcSecretPartialArn, RpcSecrets } from '../constructs/chain-secrets';
import { ChainWatcher, grantChainAccess } from '../constructs/chain-watcher';
import { RegionalWallet } from '../constructs/regional-wallet';
import { Sweeper } from '../constructs/sweeper';
import { runtimeSpendingPolicy } from '../config/spending';
import { ChainAlarmSettings, SweepAlarmSettings } from '../constructs/wallet-alarms';

/** Props of {@link RegionalChain}. */
export interface RegionalChainProps {
  readonly config: WalletConfig;
  readonly regionRole: RegionRole;
  readonly wallet: RegionalWallet;
  readonly table: dynamodb.ITableV2;
  readonly dataKey: kms.IKey;
  /** The data key's id (`mrk-...`): names its replica in the standby, which encrypts the replica secrets. */
  readonly dataKeyId: string;
  /** ARN of this region's copy of the signing key (the watcher reads its public key only). */
  readonly signingKeyArn: string;
  /** Receives watcher runs that failed (the region's remediation dead-letter queue). */
  readonly failureQueue: sqs.IQueue;
}

/**
 * The chain side of one region (issue 16), from config `chain`, only where `chain.providers` is
 * set: the RPC secrets (created in the PRIMARY, replicated to the standby), the chain watcher, and the
 * signer's CHAIN_SETTINGS and secret access. Each region's settings name ITS copy of each secret:
 * the primary the secret's full ARN, the standby the partial ARN (the random suffix is not known to
 * another region's stack; lib/constructs/chain-secrets.ts), and IAM the `-??????` pattern there.
 */
export class RegionalChain extends Construct {
  public readonly secrets?: RpcSecrets;
  public readonly watcher: ChainWatcher;
  /** With `spending.cold`: the sweeper (issue 21; docs/spending-policy.md "Hot/cold"). */
  public readonly sweeper?: Sweeper;

  constructor(scope: Construct, id: string, props: RegionalChainProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const { config } = props;
    const region = config.regions[props.regionRole];
    const names = config.chain.rpcSecrets ?? [];
    if (props.regionRole === 'primary' && names.length > 0) {
      this.secrets = new RpcSecrets(this, 'RpcSecrets', {
        secretNames: names,
        replicaRegion: config.regions.standby,
        encryptionKey: props.dataKey,
        replicaKeyArn: `arn:${stack.partition}:kms:${config.regions.standby}:${stack.account}:key/${props.dataKeyId}`,
      });
    }
    const secrets = this.secrets;
    const settingsArn = (name: string): string =>
      secrets !== undefined
        ? secrets.secrets[name].secretArn
        : rpcSecretPartialArn(stack.partition, region, stack.account, name);
    const iamArn = (name: string): string =>
      secrets !== undefined
        ? secrets.secrets[name].secretArn
        : rpcSecretArnPattern(stack.partition, region, stack.account, name);
    const settings = chainSettingsFor(config.chain, settingsArn);
    if (settings === undefined)
      throw new Error('RegionalChain: config chain.providers is not set (create it only with providers)');
    // Read access to exactly the secrets a provider uses.
    const used = (config.chain.providers ?? []).flatMap((p) => (p.urlSecret !== undefined ? [p.urlSecret] : []));
    const secretArns = [...new Set(used)].map(iamArn);
    const chainSettings = stack.toJsonString(settings);
    this.watcher = new ChainWatcher(this, 'Watcher', {
      envName: config.envName,
      regionRole: props.regionRole,
      primaryRegion: config.regions.primary,
      standbyRegion: config.regions.standby,
      table: props.table,
      signingQueue: props.wallet.signingQueue.queue,
      dataKey: props.dataKey,
      signingKeyArn: props.signingKeyArn,
      consistency: config.data.consistency,
      chainSettings,
      secretArns,
      failureQueue: props.failureQueue,
    });
    // The signer broadcasts and reads the fee market; the API reads the hot balance for the
    // spending policy's share-of-balance rule (lambda/shared/chain-ports.ts). Neither gets more.
    for (const fn of [props.wallet.functions.signer, props.wallet.functions.api]) {
      grantChainAccess(fn, { chainSettings, secretArns, dataKey: props.dataKey });
    }
    const cold = config.spending.cold;
    if (cold !== undefined) {
      this.sweeper = new Sweeper(this, 'Sweeper', {
        envName: config.envName,
        table: props.table,
        signingQueue: props.wallet.signingQueue.queue,
        dataKey: props.dataKey,
        consistency: config.data.consistency,
        chainId: config.chain.chainId,
        // The same runtime policy the API and the signer get (lib/stacks/wallet-settings.ts).
        spendingPolicy: JSON.stringify(runtimeSpendingPolicy(config.spending)),
        settings: {
          coldAddress: cold.coldAddress.toLowerCase(),
          floatCeilingWei: cold.floatCeilingWei,
          minimumSweepWei: cold.minimumSweepWei,
          sweepWalletId: cold.sweepWalletId,
        },
        checkEvery: cold.checkEvery,
        chainSettings,
        secretArns,
        failureQueue: props.failureQueue,
      });
    }
  }
}

/** The chain alarm settings of a region from config, or undefined without `chain.providers`. */
export function chainAlarmSettings(config: WalletConfig, regionRole: RegionRole): ChainAlarmSettings | undefined {
  if (config.chain.providers === undefined) return undefined;
  return {
    regionRole,
    stuckAfterSeconds: config.chain.stuckAfterSeconds,
    minHealthyStandby: config.chain.health.minHealthyStandby,
  };
}

/**
 * The sweep alarm settings from config, or undefined where no sweeper runs (it needs both
 * `chain.providers` and `spending.cold`, as {@link RegionalChain} does).
 */
export function sweepAlarmSettings(config: WalletConfig): SweepAlarmSettings | undefined {
  const cold = config.spending.cold;
  if (config.chain.providers === undefined || cold === undefined) return undefined;
  return { checkEverySeconds: rateSeconds(cold.checkEvery) };
}

/** The dashboard's chain row from config, or undefined without `chain.providers`. */
export function chainDashboardSettings(config: WalletConfig): { providerNames: readonly string[] } | undefined {
  return config.chain.providers === undefined
    ? undefined
    : { providerNames: config.chain.providers.map((p) => p.name) };
}
