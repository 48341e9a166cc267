/**
 * The safe-deploy contract (docs/safe-deploys.md), imported by the CDK code (aliases, CodeDeploy
 * deployment groups, their alarms, the signer's pre-traffic hook), by the runtime code (the signer's
 * deploy-check path, the hook) and by the region-at-a-time deploy command (lib/deploy/).
 */
import type { RegionRole, WalletFunctionPurpose } from './names';
import { RUNTIME_ENV } from './runtime-env';

/**
 * The alias every caller of a wallet function invokes (API Gateway integrations, the SQS event
 * source, EventBridge targets): CodeDeploy shifts it from the old version to the new one, so
 * nothing ever invokes `$LATEST` or an unqualified function.
 */
export const LIVE_ALIAS = 'live';

/** The CodeDeploy application of a region: one per environment and region (names are per region). */
export const deployApplicationName = (envName: string): string => `${envName}-wallet`;

/** The status page's CodeDeploy application per region (its stacks share the wallet's regions). */
export const statusDeployApplicationName = (envName: string): string => `${envName}-wallet-status`;

/** One deployment group per function: `<env>-wallet-<purpose>`. */
export const deploymentGroupName = (envName: string, purpose: WalletFunctionPurpose): string =>
  `${envName}-wallet-${purpose}`;

/** The alarms that watch the NEW version during a deployment (one kind per metric). */
export const DEPLOY_ALARM_KINDS = ['errors', 'duration-p99', 'signer-failures'] as const;
export type DeployAlarmKind = (typeof DEPLOY_ALARM_KINDS)[number];

/**
 * `<env>-wallet-<region>-deploy-<purpose>-<kind>`: it starts with `<env>-wallet-<region>-`, like every
 * regional alarm (lib/contract/alarms.ts), so the deploy command's bake watch and the remediation
 * role's DescribeAlarms pattern cover it; remediation's parser does not know it and ignores it.
 */
export const deployAlarmName = (
  envName: string,
  region: string,
  purpose: WalletFunctionPurpose,
  kind: DeployAlarmKind,
): string => `${envName}-wallet-${region}-deploy-${purpose}-${kind}`;

/**
 * The log field the signer's structured logs carry with the version that wrote them
 * (`AWS_LAMBDA_FUNCTION_VERSION`), so a log metric filter can count its failures per version.
 */
export const FUNCTION_VERSION_LOG_FIELD = 'function_version';

/** The signer's log line for a message it failed to process (the `signer-failures` deploy alarm counts it). */
export const SIGNER_FAILURE_LOG_EVENT = { message: 'signing failed; the message will be retried' } as const;

/** Metric name of the signer's failures per version (namespace: signerMetricNamespace). */
export const SIGNER_FAILURES_METRIC = 'SigningFailures';

/**
 * The deploy check: a direct invocation of a signer VERSION (never through the queue) that signs a
 * canary payload at CANARY_SIGNING_NONCE (2^64-1, invalid on every EIP-2681 chain, never broadcast)
 * and touches neither the ledger nor the lease. The pre-traffic hook sends it; nothing else can
 * (only the hook's role may invoke the function directly, and only the version under deployment).
 */
export const DEPLOY_CHECK_KIND = 'deploy-check';

export interface DeployCheckRequest {
  readonly kind: typeof DEPLOY_CHECK_KIND;
  /** A fresh 32-byte hex value the hook chooses; the canary transaction's `data`, so every check signs new bytes. */
  readonly challenge: `0x${string}`;
}

export interface DeployCheckResponse {
  readonly kind: typeof DEPLOY_CHECK_KIND;
  /** The signed, serialized EIP-1559 transaction (never broadcast). */
  readonly raw: `0x${string}`;
  /** The address the version believes it signs for. */
  readonly address: string;
  /** The chain id the version signs for. */
  readonly chainId: number;
  /** The version that answered (`AWS_LAMBDA_FUNCTION_VERSION`). */
  readonly version: string;
}

/** Environment of the pre-traffic hook (names the CDK sets and lambda/deploy-hook reads). */
export const DEPLOY_HOOK_ENV = {
  /** The signer version under deployment (its qualified ARN): the only thing the hook may invoke. */
  targetVersionArn: 'WALLET_DEPLOY_TARGET_VERSION_ARN',
  /** This region's signing key (GetPublicKey only): the address the signature must recover to. */
  signingKeyArn: RUNTIME_ENV.signingKeyArn,
  /** The chain id from config: what the signed transaction must name. */
  chainId: RUNTIME_ENV.chainId,
} as const;

/** The deploy hook's function name (CodeDeploy's hook functions are usually prefixed `CodeDeployHook_`; ours has a scoped role instead). */
export const deployHookFunctionName = (envName: string): string => `${envName}-wallet-signer-deploy-check`;

/** Its role name: the signing key's policy names it for kms:GetPublicKey (and denies it kms:Sign like everyone else). */
export const deployHookRoleName = (envName: string, region: string): string =>
  `${envName}-wallet-deploy-check-${region}`;

export const deployHookRoleArn = (partition: string, account: string, envName: string, region: string): string =>
  `arn:${partition}:iam::${account}:role/${deployHookRoleName(envName, region)}`;

/** The order `npm run deploy-code` deploys the regional stacks in: the standby first, then the primary. */
export const CODE_DEPLOY_ORDER: readonly RegionRole[] = ['standby', 'primary'];
