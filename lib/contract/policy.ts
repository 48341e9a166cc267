/**
 * The spending policy as both Lambdas read it (issue 21; docs/spending-policy.md). The config's
 * `spending` section (lib/config/spending.ts) is validated at synth and turned into this runtime
 * shape by `runtimeSpendingPolicy`; the stacks put it, as JSON, in ONE environment variable
 * (`SPENDING_POLICY_ENV`) of the API and the signer; lambda/shared/policy/ parses it once at start
 * and evaluates it (the engine is pure: `evaluatePolicy`).
 *
 * Amounts are wei as decimal strings (bigint in code). Addresses compare lower-case.
 */

/** The environment variable that carries the runtime policy (JSON) to the API and the signer. */
export const SPENDING_POLICY_ENV = 'WALLET_SPENDING_POLICY';

/** Lambda's limit on all environment variables of a function together is 4 KB; the policy may use this much of it. */
export const SPENDING_POLICY_MAX_BYTES = 3072;

/** The rules a refusal names. */
export const POLICY_RULES = [
  'deposit-only',
  'per-transaction',
  'velocity',
  'share-of-balance',
  'allowlist',
  'cold-only',
] as const;
export type PolicyRule = (typeof POLICY_RULES)[number];

/** What the engine decides for one outgoing request. */
export type PolicyDecision =
  | { readonly kind: 'allow' }
  | { readonly kind: 'refuse'; readonly rule: PolicyRule; readonly limit: string; readonly message: string }
  /** e.g. above the approval threshold, or to a destination not (yet) usable on the allowlist. */
  | { readonly kind: 'approval-required'; readonly reasons: readonly string[] };

/** The API's error code for a refusal (lib/contract/api-wire.ts lists it with the other codes). */
export const POLICY_REFUSED_CODE = 'policy-refused';

/** Reasons an approval is required (stable strings: p-approve shows them to the approvers). */
export const APPROVAL_REASONS = {
  aboveThreshold: (thresholdWei: string) => `amount at or above the approval threshold of ${thresholdWei} wei`,
  destinationNotAllowlisted: (to: string) => `destination ${to} is not on the wallet's allowlist`,
  destinationTimeLocked: (to: string, usableAt: string) =>
    `destination ${to} is on the allowlist but time-locked until ${usableAt}`,
} as const;

/** Units a velocity window may be written in: minutes, hours, days. */
export const WINDOW_UNITS = { m: 60, h: 3600, d: 86400 } as const;
export const WINDOW_PATTERN = /^([1-9][0-9]{0,3})([mhd])$/;
/** The longest velocity window: the counter keeps every spend this long (one DynamoDB item, 400 KB). */
export const MAX_WINDOW_SECONDS = 31 * 86400;

/** Seconds in a window such as "1h" or "24h"; undefined when it is not one. */
export function windowSeconds(window: string): number | undefined {
  const m = WINDOW_PATTERN.exec(window);
  if (m === null) return undefined;
  return Number(m[1]) * WINDOW_UNITS[m[2] as keyof typeof WINDOW_UNITS];
}

export interface VelocityLimit {
  /** As written in the config, e.g. "1h". */
  readonly window: string;
  readonly windowSeconds: number;
  /** Most wei the wallet may send in any rolling window of this length. */
  readonly limitWei: string;
}

/**
 * One wallet's policy.
 * - `outgoing`: `deposit-only` refuses every withdrawal (the default); `allowed` applies the limits;
 *   `cold-only` allows only transfers to the configured cold address (p-cold's sweep wallet).
 * - `destinations`: `any`, or `allowlist` (the destination must be on the wallet's allowlist and
 *   past its time lock; otherwise `unlistedDestination` says: refuse, or ask for two approvals).
 */
export interface WalletPolicy {
  readonly outgoing: 'deposit-only' | 'allowed' | 'cold-only';
  readonly perTransactionWei?: string;
  readonly velocity: readonly VelocityLimit[];
  /** A single transaction may move at most this percentage of the hot address's balance. */
  readonly shareOfHotBalancePercent?: number;
  readonly destinations: 'any' | 'allowlist';
  readonly unlistedDestination: 'refuse' | 'approval';
}

export interface ApprovalsPolicy {
  /** At or above this amount a request needs approvals (`pending-approval`). */
  readonly thresholdWei: string;
  /** Distinct approvers, neither of them the initiator. */
  readonly required: number;
  readonly expiresAfterHours: number;
}

export interface RuntimeSpendingPolicy {
  /** A digest of the policy (sha-256 of its JSON without this field), recorded with every spend and refusal. */
  readonly version: string;
  readonly default: WalletPolicy;
  readonly wallets: Readonly<Record<string, WalletPolicy>>;
  readonly allowlistTimeLockHours: number;
  readonly approvals?: ApprovalsPolicy;
  /** Lower-case cold address (p-cold's hot/cold sub-section), for `cold-only` wallets. */
  readonly coldAddress?: string;
}

/** The policy of one wallet: its override, else the default (an override replaces the default whole). */
export function walletPolicy(policy: RuntimeSpendingPolicy, walletId: string): WalletPolicy {
  return Object.prototype.hasOwnProperty.call(policy.wallets, walletId) ? policy.wallets[walletId] : policy.default;
}

export const DEPOSIT_ONLY: WalletPolicy = {
  outgoing: 'deposit-only',
  velocity: [],
  destinations: 'any',
  unlistedDestination: 'refuse',
};

export const DEFAULT_ALLOWLIST_TIME_LOCK_HOURS = 48;

/** The runtime policy when the config has no `spending` section: every wallet deposit-only. */
export const DEPOSIT_ONLY_POLICY: RuntimeSpendingPolicy = {
  version: 'deposit-only-default',
  default: DEPOSIT_ONLY,
  wallets: {},
  allowlistTimeLockHours: DEFAULT_ALLOWLIST_TIME_LOCK_HOURS,
};

/**
 * Ledger items of the policy (same table, own partitions; docs/data-model.md):
 * - the velocity counter of a wallet: one item with its recent spends and a version (compare-and-set).
 *   Under MRSC one item per wallet (`scope` "global"); under MREC one per wallet AND region, each
 *   written only by its region, with a share of the budget (docs/spending-policy.md).
 * - allowlist entries: one item per (wallet, destination).
 */
export const policyKeys = {
  velocity: (walletId: string, scope: string) => ({ pk: `POLICY#${walletId}`, sk: `VELOCITY#${scope}` }),
  allowlistPartition: (walletId: string) => `ALLOWLIST#${walletId}`,
  allowlist: (walletId: string, address: string) => ({
    pk: `ALLOWLIST#${walletId}`,
    sk: `ADDR#${address.toLowerCase()}`,
  }),
} as const;

/** The counter scope of a signer: one global counter under MRSC, one per region under MREC. */
export const velocityScope = (consistency: 'MRSC' | 'MREC', region: string): string =>
  consistency === 'MRSC' ? 'global' : region;

/** An allowlist entry as stored (lower-case address; times ISO-8601 UTC). */
export interface AllowlistEntry {
  readonly walletId: string;
  readonly address: string;
  readonly label?: string;
  readonly addedAt: string;
  /** addedAt + the time lock in force when it was added: before it, the entry does not count. */
  readonly usableAt: string;
  /** The caller's AWS identity (STS GetCallerIdentity ARN). */
  readonly addedBy: string;
}

/**
 * The region's on-call topic (lib/stacks/primary-stack.ts and standby-stack.ts name it
 * `<env>-wallet-alerts`; test/contract/policy.test.ts checks they still do): allowlist changes are
 * published there.
 */
export const onCallTopicName = (envName: string): string => `${envName}-wallet-alerts`;
export const onCallTopicArn = (partition: string, region: string, account: string, envName: string): string =>
  `arn:${partition}:sns:${region}:${account}:${onCallTopicName(envName)}`;

/** The audit subject of a wallet's allowlist changes (`putAudit`: `AUDIT#allowlist#<walletId>`). */
export const allowlistAuditSubject = (walletId: string): string => `allowlist#${walletId}`;
