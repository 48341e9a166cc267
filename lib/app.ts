import { App, Tags } from 'aws-cdk-lib';
import { WalletConfig } from './config/schema';
import { stackNames, TAG_KEYS } from './contract/names';
import { registerValidation } from './security/nag';
import { DnsStack } from './stacks/dns-stack';
import { KeysReplicaStack } from './stacks/keys-replica-stack';
import { KeysStack } from './stacks/keys-stack';
import { PrimaryStack } from './stacks/primary-stack';
import { StandbyStack } from './stacks/standby-stack';
import { StatusEdgeStack, StatusStack } from './stacks/status-stack';
import { assertRtoBudget } from './stacks/rto-budget';
import { statusStackNames } from './contract/status';

/** Re-exported: it lives in ./stacks/rto-budget.ts, which loads no CDK code. */
export { assertRtoBudget };

/** Route 53 health-check metrics (and so their alarms) exist only here. */
export const DNS_STACK_REGION = 'us-east-1';

export interface WalletStacks {
  readonly keys: KeysStack;
  readonly keysReplica: KeysReplicaStack;
  readonly primary: PrimaryStack;
  readonly standby: StandbyStack;
  readonly dns: DnsStack;
  readonly statusPrimary: StatusStack;
  readonly statusStandby: StatusStack;
  readonly statusEdge: StatusEdgeStack;
}

export interface BuildOptions {
  /**
   * Register the cdk-nag packs as validation plugins (they run at `app.synth()`).
   * @default true
   */
  readonly validation?: boolean;
}

/**
 * Builds every stack of one environment from a validated config, wires the deploy order as
 * stack dependencies, and registers the security checks.
 *
 * Deploy order (`cdk deploy --all` follows it):
 *   keys (primary) -> keys-replica (standby) -> primary (global table + app) -> standby -> dns.
 */
export function buildWalletApp(app: App, config: WalletConfig, options: BuildOptions = {}): WalletStacks {
  assertRtoBudget(config);
  const names = stackNames(config.envName);
  const env = (region: string) => ({ account: config.account, region });

  const keys = new KeysStack(app, names.keys, {
    env: env(config.regions.primary),
    description: `${config.envName} wallet: multi-region signing and data keys (primary)`,
    config,
    terminationProtection: true,
  });
  const keysReplica = new KeysReplicaStack(app, names.keysReplica, {
    env: env(config.regions.standby),
    description: `${config.envName} wallet: replicas of the signing and data keys (standby)`,
    config,
    signingKeyArn: keys.signingKey.keyArn,
    dataKeyArn: keys.dataKey.keyArn,
    backupKeyArn: keys.backupKey.keyArn,
    coldKeyArn: keys.coldKey?.keyArn,
    crossRegionReferences: true,
    terminationProtection: true,
  });
  // Weak references (Fn::GetStackOutput, see cdk.json) add no stack dependency by themselves,
  // so every consumer states its producer explicitly; test/app.suite.ts checks the graph.
  keysReplica.addStackDependency(keys, 'replica keys replicate the primary keys');
  const primary = new PrimaryStack(app, names.primary, {
    env: env(config.regions.primary),
    description: `${config.envName} wallet: ledger global table and primary regional workload`,
    config,
    dataKey: keys.dataKey.key,
    dataKeyId: keys.dataKey.keyId,
    backupKey: keys.backupKey.key,
    backupKeyId: keys.backupKey.keyId,
    signingKeyArn: keys.signingKey.keyArn,
    terminationProtection: true,
  });
  primary.addStackDependency(keys, 'the table and topic are encrypted with the primary data key');
  primary.addStackDependency(keysReplica, 'the standby table replica is encrypted with the standby data-key replica');
  const standby = new StandbyStack(app, names.standby, {
    env: env(config.regions.standby),
    description: `${config.envName} wallet: standby regional workload`,
    config,
    dataKey: keysReplica.dataKey.key,
    dataKeyId: keysReplica.dataKey.keyId,
    backupKey: keysReplica.backupKey.key,
    signingKeyArn: keysReplica.signingKey.keyArn,
    terminationProtection: true,
  });
  standby.addStackDependency(keysReplica, 'the standby workload encrypts with the data-key replica');
  standby.addStackDependency(primary, 'the standby workload uses the table replica the primary stack creates');
  const dns = new DnsStack(app, names.dns, {
    env: env(DNS_STACK_REGION),
    description: `${config.envName} wallet: Route 53 health checks, failover switch and records`,
    config,
    primaryApiTarget: primary.apiDomain.publicTarget,
    standbyApiTarget: standby.apiDomain.publicTarget,
    crossRegionReferences: true,
  });
  dns.addStackDependency(primary, 'health checks and records point at the primary regional API');
  dns.addStackDependency(standby, 'health checks and records point at the standby regional API');

  // The status page depends on none of the wallet's stacks (names are contract values), so it can
  // be deployed first and keeps serving whatever state they are in.
  const statusNames = statusStackNames(config.envName);
  const status = (role: 'primary' | 'standby') =>
    new StatusStack(app, statusNames[role], {
      env: env(config.regions[role]),
      description: `${config.envName} wallet: status page bucket, subscribers and updater (${role})`,
      config,
      regionRole: role,
    });
  const statusPrimary = status('primary');
  const statusStandby = status('standby');
  const statusEdge = new StatusEdgeStack(app, statusNames.edge, {
    env: env(DNS_STACK_REGION),
    description: `${config.envName} wallet: status page distribution, certificate and record (us-east-1)`,
    config,
  });
  statusEdge.addStackDependency(statusPrimary, "the origin group's primary origin is the primary status bucket");
  statusEdge.addStackDependency(statusStandby, "the origin group's secondary origin is the standby status bucket");

  const stacks: WalletStacks = { keys, keysReplica, primary, standby, dns, statusPrimary, statusStandby, statusEdge };
  for (const [role, stack] of Object.entries(stacks)) {
    Tags.of(stack).add(TAG_KEYS.environment, config.envName);
    Tags.of(stack).add(TAG_KEYS.role, role);
  }
  if (options.validation ?? true) {
    registerValidation(app);
  }
  return stacks;
}
