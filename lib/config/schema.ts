import { z } from 'zod';
import type { AlarmEvaluation } from '../contract/alarms';
import { CONSISTENCY_MODES } from '../contract/ledger';
import { DEFAULT_BACKUP_RPO_SECONDS } from '../backup/rpo';
import { CANARY_DEFAULTS } from '../contract/canary';
import { ALIAS_RECORD_TTL_SECONDS, ROUTE53_MAX_TTL_SECONDS } from '../failover/rto-budget';
import { WEBHOOK_KINDS } from '../contract/status';
import { chainSchema } from './chain';
import { deploymentSchema } from './deployment';
import { spendingSchema } from './spending';
import { coldKeySchema } from './cold-key';

// Parsed in a leaf module, so the config's sections (spending-cold.ts) can use it without a cycle through this file.
export { rateSeconds } from './rate';

/**
 * The one configuration of a wallet environment. `bin/app.ts` (and the drill, bin/drill.ts) loads a
 * JSON file and validates it here once; the stacks map it to the constructs' typed props
 * (docs/architecture.md), so constructs, Lambda code and the resilience report never read it.
 *
 * Each field's `describe()` text is the "how to fix" hint printed next to a failing value.
 */

/** Regions where Route 53 runs health checkers (Route 53 `HealthCheckRegion` enum). */
export const ROUTE53_HEALTH_CHECK_REGIONS = [
  'us-east-1',
  'us-west-1',
  'us-west-2',
  'eu-west-1',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-northeast-1',
  'sa-east-1',
] as const;

/**
 * Region sets for DynamoDB multi-Region strong consistency (MRSC): both replicas and the
 * witness must be in the same set (AWS::DynamoDB::GlobalTable GlobalTableWitness docs).
 */
export const MRSC_REGION_SETS: Readonly<Record<string, readonly string[]>> = {
  US: ['us-east-1', 'us-east-2', 'us-west-2'],
  EU: ['eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-central-1'],
  AP: ['ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3'],
};

/**
 * API Gateway's default account-level throttling quotas per region. A stage limit above them is
 * capped by them, so a higher value would only pretend to allow more.
 */
export const API_GATEWAY_ACCOUNT_RATE_LIMIT = 10000;
export const API_GATEWAY_ACCOUNT_BURST_LIMIT = 5000;

/** The smallest and largest request limits an AWS WAF rate-based rule accepts. */
export const WAF_RATE_LIMIT_MIN = 10;
export const WAF_RATE_LIMIT_MAX = 2000000000;

/** Defaults of the optional `api` section (see the schema for why). */
export const API_DEFAULTS = {
  throttleRateLimit: 50,
  throttleBurstLimit: 100,
  wafRateLimitPerIp: 3000,
} as const;

export { ROUTE53_MAX_TTL_SECONDS };

const region = z
  .string()
  .regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, 'is not an AWS region code')
  .describe('use a region code such as "us-east-2"');

const positiveInt = z.number().int('must be a whole number').positive('must be greater than 0');

const dnsLabel = z
  .string()
  .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'is not a single lower-case DNS label')
  .describe('use one lower-case label such as "api" (letters, digits, hyphens; no dots)');

const zoneName = z
  .string()
  .regex(
    /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
    'is not a lower-case domain name without a trailing dot',
  )
  .describe('use the hosted zone name as shown in Route 53, lower-case, without the trailing dot');

const rateExpression = z
  .string()
  .regex(/^rate\((1 minute|([2-9]|[1-5][0-9]|60) minutes|1 hour)\)$/, 'is not a supported rate expression')
  .describe('use "rate(1 minute)", "rate(N minutes)" with N from 2 to 60, or "rate(1 hour)"');

const cronExpression = z
  .string()
  .regex(/^cron\(\S+ \S+ \S+ \S+ \S+ \S+\)$/, 'is not a six-field EventBridge cron expression')
  .describe('use an EventBridge cron such as "cron(0 * ? * * *)" (minutes hours day-of-month month day-of-week year)');

/** Defaults of the canaries' bounds (the canary scripts use the same ones when a variable is unset). */
export const CANARY_CONFIG_DEFAULTS = {
  maxLatencyMs: CANARY_DEFAULTS.maxLatencyMs,
  requestTimeoutMs: CANARY_DEFAULTS.requestTimeoutMs,
  signBoundMs: CANARY_DEFAULTS.signBoundMs,
} as const;

export type { AlarmEvaluation };

/**
 * Default thresholds and evaluation of every regional alarm, as proposed (with the reason for each)
 * in docs/runbooks/alarms.md, "Proposed default thresholds". The comparison of each alarm is fixed
 * in lib/constructs/wallet-alarms.ts; units are in the key names.
 */
export const ALARM_DEFAULTS = {
  /** SuccessPercent < 100; the period is the canary schedule. */
  canary: { evaluationPeriods: 3, datapointsToAlarm: 2 },
  /** PeerDeepHealth Minimum < 1; the period is the canary schedule. */
  peerDeepHealth: { evaluationPeriods: 3, datapointsToAlarm: 2 },
  /** 100 x 5XXError / Count >= thresholdPercent, in periods with at least minRequests requests. */
  api5xxRate: { thresholdPercent: 5, minRequests: 20, periodSeconds: 300, evaluationPeriods: 5, datapointsToAlarm: 3 },
  /** Latency p99 > thresholdMs. */
  apiLatencyP99: { thresholdMs: 2000, periodSeconds: 60, evaluationPeriods: 5, datapointsToAlarm: 3 },
  /** Anomaly bands of bandStdDevs standard deviations: latency above the band, request count outside it. */
  anomaly: {
    bandStdDevs: 3,
    latency: { periodSeconds: 60, evaluationPeriods: 5, datapointsToAlarm: 3 },
    requestCount: { periodSeconds: 60, evaluationPeriods: 10, datapointsToAlarm: 5 },
  },
  /** Signer Errors Sum >= threshold. */
  signerErrors: { threshold: 3, periodSeconds: 300, evaluationPeriods: 1, datapointsToAlarm: 1 },
  /** Signer DLQ visible messages (Maximum) >= threshold. */
  signerDlqDepth: { threshold: 1, periodSeconds: 60, evaluationPeriods: 1, datapointsToAlarm: 1 },
  /** Signing queue ApproximateAgeOfOldestMessage (Maximum) >= thresholdSeconds. */
  signingQueueOldestAge: { thresholdSeconds: 120, periodSeconds: 60, evaluationPeriods: 3, datapointsToAlarm: 2 },
  /** Signer Throttles Sum > threshold. */
  signerThrottles: { threshold: 10, periodSeconds: 300, evaluationPeriods: 2, datapointsToAlarm: 2 },
  /** KMS throttled retries (signer logs) >= threshold, or ECC request rate > quotaUsagePercent of the quota. */
  kmsThrottling: {
    threshold: 1,
    quotaUsagePercent: 80,
    periodSeconds: 300,
    evaluationPeriods: 2,
    datapointsToAlarm: 2,
  },
  /** ReplicationLatency (Maximum) > thresholdMs; default: MREC min(rpoSeconds x 500, 30000), MRSC 10000. */
  replicationLatency: { periodSeconds: 60, evaluationPeriods: 3, datapointsToAlarm: 3 },
  /** SystemErrors + WriteThrottleEvents Sum > threshold. */
  replicationErrors: { threshold: 0, periodSeconds: 300, evaluationPeriods: 5, datapointsToAlarm: 3 },
  /** Remediation Errors + its DLQ depth >= threshold. */
  remediationFailures: { threshold: 1, periodSeconds: 60, evaluationPeriods: 1, datapointsToAlarm: 1 },
} as const;

/** Replication-latency thresholds used when `alarms.replicationLatency.thresholdMs` is not set. */
export const REPLICATION_LATENCY_DEFAULTS = { mrscMs: 10000, mrecCapMs: 30000, mrecMsPerRpoSecond: 500 } as const;

/** CloudWatch accepts periods of 10, 30 or a multiple of 60 seconds (10 and 30 need high-resolution metrics). */
const periodSeconds = z
  .number()
  .int('must be a whole number')
  .refine((v) => v > 0 && v % 60 === 0, 'must be a positive multiple of 60 (the metrics here are standard resolution)')
  .describe('use a period in seconds that is a multiple of 60, e.g. 60 or 300');

const evaluationPeriods = positiveInt.describe('set how many periods CloudWatch evaluates (the N of "M of N")');
const datapointsToAlarm = positiveInt.describe(
  'set how many breaching periods, out of evaluationPeriods, raise the alarm (the M of "M of N")',
);

/** The evaluation fields of one alarm, each defaulted from `defaults`. */
function evaluation(defaults: AlarmEvaluation) {
  return {
    periodSeconds: periodSeconds.default(defaults.periodSeconds),
    evaluationPeriods: evaluationPeriods.default(defaults.evaluationPeriods),
    datapointsToAlarm: datapointsToAlarm.default(defaults.datapointsToAlarm),
  };
}

const count = (what: string) =>
  z.number().int('must be a whole number').min(0, 'must be 0 or more').describe(`set the ${what}`);

const d = ALARM_DEFAULTS;
const alarmsSchema = z
  .object({
    canary: z
      .object({
        evaluationPeriods: evaluationPeriods.default(d.canary.evaluationPeriods),
        datapointsToAlarm: datapointsToAlarm.default(d.canary.datapointsToAlarm),
      })
      .strict()
      .prefault({}),
    peerDeepHealth: z
      .object({
        evaluationPeriods: evaluationPeriods.default(d.peerDeepHealth.evaluationPeriods),
        datapointsToAlarm: datapointsToAlarm.default(d.peerDeepHealth.datapointsToAlarm),
      })
      .strict()
      .prefault({}),
    api5xxRate: z
      .object({
        thresholdPercent: z
          .number()
          .gt(0, 'must be greater than 0')
          .max(100, 'must be at most 100')
          .default(d.api5xxRate.thresholdPercent)
          .describe(`set the share of 5xx answers (percent) that alarms (default ${d.api5xxRate.thresholdPercent})`),
        minRequests: count('fewest requests in a period for its 5xx share to count, e.g. 20').default(
          d.api5xxRate.minRequests,
        ),
        ...evaluation(d.api5xxRate),
      })
      .strict()
      .prefault({}),
    apiLatencyP99: z
      .object({
        thresholdMs: positiveInt
          .default(d.apiLatencyP99.thresholdMs)
          .describe(`set the p99 latency (ms) above which the API alarms (default ${d.apiLatencyP99.thresholdMs})`),
        ...evaluation(d.apiLatencyP99),
      })
      .strict()
      .prefault({}),
    anomaly: z
      .object({
        bandStdDevs: z
          .number()
          .gt(0, 'must be greater than 0')
          .max(10, 'must be at most 10')
          .default(d.anomaly.bandStdDevs)
          .describe(`set the anomaly band width in standard deviations (default ${d.anomaly.bandStdDevs})`),
        latency: z.object(evaluation(d.anomaly.latency)).strict().prefault({}),
        requestCount: z.object(evaluation(d.anomaly.requestCount)).strict().prefault({}),
      })
      .strict()
      .prefault({}),
    signerErrors: z
      .object({
        threshold: count('signer errors per period that alarm').default(d.signerErrors.threshold),
        ...evaluation(d.signerErrors),
      })
      .strict()
      .prefault({}),
    signerDlqDepth: z
      .object({
        threshold: positiveInt
          .default(d.signerDlqDepth.threshold)
          .describe('set how many messages in the signer dead-letter queue alarm; 1 (any) is the safe value'),
        ...evaluation(d.signerDlqDepth),
      })
      .strict()
      .prefault({}),
    signingQueueOldestAge: z
      .object({
        thresholdSeconds: positiveInt
          .default(d.signingQueueOldestAge.thresholdSeconds)
          .describe(
            `set the age (s) of the oldest unsigned request that alarms (default ${d.signingQueueOldestAge.thresholdSeconds})`,
          ),
        ...evaluation(d.signingQueueOldestAge),
      })
      .strict()
      .prefault({}),
    signerThrottles: z
      .object({
        threshold: count('signer throttles per period above which the alarm fires').default(
          d.signerThrottles.threshold,
        ),
        ...evaluation(d.signerThrottles),
      })
      .strict()
      .prefault({}),
    kmsThrottling: z
      .object({
        threshold: positiveInt
          .default(d.kmsThrottling.threshold)
          .describe('set how many throttled KMS calls of the signer per period alarm, e.g. 1'),
        quotaUsagePercent: z
          .number()
          .gt(0, 'must be greater than 0')
          .max(100, 'must be at most 100')
          .default(d.kmsThrottling.quotaUsagePercent)
          .describe(
            `set the share (percent) of the ECC cryptographic-operations quota that alarms (default ${d.kmsThrottling.quotaUsagePercent})`,
          ),
        ...evaluation(d.kmsThrottling),
      })
      .strict()
      .prefault({}),
    replicationLatency: z
      .object({
        thresholdMs: positiveInt
          .optional()
          .describe(
            'set the replication lag (ms) that alarms, or leave it out: MREC alarms at half the RPO (at most 30 s), MRSC at 10 s',
          ),
        ...evaluation(d.replicationLatency),
      })
      .strict()
      .prefault({}),
    replicationErrors: z
      .object({
        threshold: count(
          'table system errors plus write throttle events per period above which the alarm fires',
        ).default(d.replicationErrors.threshold),
        ...evaluation(d.replicationErrors),
      })
      .strict()
      .prefault({}),
    remediationFailures: z
      .object({
        threshold: positiveInt
          .default(d.remediationFailures.threshold)
          .describe(
            'set how many failed remediation runs (errors plus dead-lettered events) alarm; 1 is the safe value',
          ),
        ...evaluation(d.remediationFailures),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .prefault({})
  .describe('tune the regional alarms (docs/runbooks/alarms.md); every field has a default');

export const configSchema = z
  .object({
    envName: z
      .string()
      .regex(/^[a-z][a-z0-9-]{1,15}$/, 'must start with a letter and hold 2-16 lower-case letters, digits or hyphens')
      .describe('pick a short name such as "prod" or "staging"; it prefixes every stack and named resource'),
    account: z
      .string()
      .regex(/^\d{12}$/, 'must be exactly 12 digits')
      .describe('use the 12-digit AWS account id, as a string (keep leading zeros)'),
    regions: z
      .object({
        primary: region,
        standby: region,
        witness: region
          .optional()
          .describe('set a third region of the same MRSC region set, or remove it when consistency is MREC'),
      })
      .strict(),
    dns: z
      .object({
        zoneId: z
          .string()
          .regex(/^Z[A-Z0-9]{4,31}$/, 'is not a Route 53 hosted zone id')
          .describe('copy the hosted zone id from Route 53 (it starts with "Z", e.g. "Z0123456789ABCDEFGHIJ")'),
        zoneName,
        apiSubdomain: dnsLabel,
        recordType: z
          .enum(['CNAME', 'ALIAS'])
          // ALIAS stays the default: an existing stack whose alias A records became CNAMEs of the same
          // name would have CloudFormation create the CNAME before deleting the A record, and Route 53
          // refuses a CNAME beside another record of the same name (RFC 1034). Opt in on a new stack,
          // or migrate in two steps (docs/runbooks/manual-failover.md).
          .default('ALIAS')
          .describe(
            'use "CNAME" (records carry dns.recordTtlSeconds; queries are billed) or "ALIAS" (free queries, ' +
              `but the TTL is the target's, ${ALIAS_RECORD_TTL_SECONDS} s assumed)`,
          ),
        recordTtlSeconds: z
          .number()
          .int('must be a whole number')
          .min(0, 'must be 0 or more')
          .max(ROUTE53_MAX_TTL_SECONDS, `must be at most ${ROUTE53_MAX_TTL_SECONDS}`)
          .default(ALIAS_RECORD_TTL_SECONDS)
          .describe(
            "set the CNAME records' TTL in seconds, e.g. 15 (it bounds how long resolvers keep the old region); " +
              `leave it out with "ALIAS" records, which take their target's TTL (${ALIAS_RECORD_TTL_SECONDS} s assumed)`,
          ),
        healthCheck: z
          .object({
            intervalSeconds: z
              .number()
              .refine((v) => v === 10 || v === 30, 'must be 10 or 30 (the only request intervals Route 53 offers)')
              .describe('use 10 (fast, costs more) or 30 (standard)'),
            failureThreshold: z
              .number()
              .int('must be a whole number')
              .min(1, 'must be between 1 and 10')
              .max(10, 'must be between 1 and 10')
              .describe('use a whole number from 1 to 10; 3 is the Route 53 default'),
            regions: z
              .array(z.enum(ROUTE53_HEALTH_CHECK_REGIONS))
              .min(3, 'must list at least 3 health-checker regions')
              .refine((r) => new Set(r).size === r.length, 'must not repeat a region')
              .describe(`list 3 or more distinct checker regions from: ${ROUTE53_HEALTH_CHECK_REGIONS.join(', ')}`),
          })
          .strict(),
      })
      .strict(),
    targets: z
      .object({
        rtoSeconds: positiveInt.describe('declare the recovery time objective in seconds, e.g. 300'),
        rpoSeconds: z
          .number()
          .int('must be a whole number')
          .min(0, 'must be 0 or more')
          .describe('declare the recovery point objective in seconds; 0 needs consistency "MRSC"'),
        backupRpoSeconds: z
          .number()
          .int('must be a whole number')
          .positive('must be greater than 0')
          .max(3024000, 'must be at most 3024000 (35 days, the longest DynamoDB point-in-time recovery window)')
          .default(DEFAULT_BACKUP_RPO_SECONDS)
          .describe(
            'declare how old the newest backup may be, in seconds (worst case, docs/backup.md); 7200 fits hourly backups',
          ),
      })
      .strict(),
    data: z
      .object({
        consistency: z
          .enum(CONSISTENCY_MODES)
          .default('MRSC')
          .describe('use "MRSC" (strong, RPO 0, needs a witness region) or "MREC" (eventual, last writer wins)'),
      })
      .strict()
      .default({ consistency: 'MRSC' }),
    // The chain section, its providers and their rules: lib/config/chain.ts (issue 16).
    chain: chainSchema,
    api: z
      .object({
        throttleRateLimit: z
          .number()
          .positive('must be greater than 0')
          .max(
            API_GATEWAY_ACCOUNT_RATE_LIMIT,
            `must be at most ${API_GATEWAY_ACCOUNT_RATE_LIMIT} (the account-level default quota)`,
          )
          .default(API_DEFAULTS.throttleRateLimit)
          .describe(`set the stage's steady-state request rate per second (default ${API_DEFAULTS.throttleRateLimit})`),
        throttleBurstLimit: z
          .number()
          .int('must be a whole number')
          .min(1, 'must be at least 1')
          .max(
            API_GATEWAY_ACCOUNT_BURST_LIMIT,
            `must be at most ${API_GATEWAY_ACCOUNT_BURST_LIMIT} (the account-level default quota)`,
          )
          .default(API_DEFAULTS.throttleBurstLimit)
          .describe(`set the stage's burst capacity in requests (default ${API_DEFAULTS.throttleBurstLimit})`),
        wafRateLimitPerIp: z
          .number()
          .int('must be a whole number')
          .min(WAF_RATE_LIMIT_MIN, `must be at least ${WAF_RATE_LIMIT_MIN} (the AWS WAF minimum)`)
          .max(WAF_RATE_LIMIT_MAX, `must be at most ${WAF_RATE_LIMIT_MAX} (the AWS WAF maximum)`)
          .default(API_DEFAULTS.wafRateLimitPerIp)
          .describe(
            `set how many requests one client IP may send in 5 minutes before WAF blocks it (default ${API_DEFAULTS.wafRateLimitPerIp}); ` +
              'callers behind one NAT share a budget',
          ),
      })
      .strict()
      .default(API_DEFAULTS),
    canary: z
      .object({
        schedule: rateExpression,
        maxLatencyMs: z
          .number()
          .int('must be a whole number')
          .min(100, 'must be at least 100')
          .default(CANARY_CONFIG_DEFAULTS.maxLatencyMs)
          .describe(
            `set how long (ms) a correct health answer may take before the canary reports it as slow (default ${CANARY_CONFIG_DEFAULTS.maxLatencyMs})`,
          ),
        requestTimeoutMs: z
          .number()
          .int('must be a whole number')
          .min(1000, 'must be at least 1000')
          .default(CANARY_CONFIG_DEFAULTS.requestTimeoutMs)
          .describe(
            `set how long (ms) the canaries wait for one HTTP answer (default ${CANARY_CONFIG_DEFAULTS.requestTimeoutMs}); ` +
              'longer than maxLatencyMs, so a slow answer is reported as slow, with its region',
          ),
        signBoundMs: z
          .number()
          .int('must be a whole number')
          .min(1000, 'must be at least 1000')
          .default(CANARY_CONFIG_DEFAULTS.signBoundMs)
          .describe(
            `set how long (ms) the canary transaction may take to be signed (default ${CANARY_CONFIG_DEFAULTS.signBoundMs})`,
          ),
      })
      .strict(),
    alarms: alarmsSchema,
    deployment: deploymentSchema,
    backup: z
      .object({
        frequentSchedule: cronExpression,
        frequentRetentionDays: positiveInt.describe('keep frequent recovery points for 1 day or more'),
        dailySchedule: cronExpression,
        dailyRetentionDays: positiveInt.describe('keep daily recovery points for 1 day or more, e.g. 35'),
        restoreTestSchedule: cronExpression
          .default('cron(0 6 ? * * *)')
          .describe('restore the latest backup at least daily, e.g. "cron(0 6 ? * * *)" (06:00 UTC every day)'),
        vaultLock: z
          .object({
            mode: z
              .enum(['governance', 'compliance'])
              .describe('use "governance" (reversible by privileged users) or "compliance" (irreversible)'),
            minRetentionDays: positiveInt.describe('set the shortest retention the vault accepts, in days'),
            maxRetentionDays: positiveInt.describe('set the longest retention the vault accepts, in days'),
            changeableForDays: z
              .number()
              .int('must be a whole number')
              .min(3, 'must be at least 3 (AWS Backup cooling-off minimum)')
              .optional()
              .describe('compliance mode only: days (3 or more) before the lock becomes immutable'),
          })
          .strict(),
      })
      .strict(),
    remediation: z
      .object({
        mode: z
          .enum(['auto', 'notify-only'])
          .describe('use "notify-only" (page a human) or "auto" (bounded automatic failover)'),
        maxFailoversPerWindow: positiveInt.describe('allow 1 or more automatic failovers per window, e.g. 1'),
        windowMinutes: positiveInt.describe('set the rate-limit window in minutes, e.g. 60'),
      })
      .strict(),
    chaos: z
      .object({
        enabled: z
          .boolean()
          .default(false)
          .describe(
            'true defines the AWS FIS experiments (docs/runbooks/chaos.md) and adds the FIS Lambda extension to the targeted functions',
          ),
      })
      .strict()
      .prefault({}),
    notifications: z
      .object({
        email: z
          .email('is not an e-mail address')
          .describe('use the on-call distribution list address, e.g. "wallet-oncall@example.com"'),
      })
      .strict(),
    status: z
      .object({
        pageName: z
          .string()
          .min(2, 'must be at least 2 characters')
          .max(80, 'must be at most 80 characters')
          .optional()
          .describe('name the status page as users know the wallet, e.g. "Example Wallet status"'),
        webhooks: z
          .array(z.enum(WEBHOOK_KINDS))
          .refine((k) => new Set(k).size === k.length, 'must not repeat a kind')
          .default([])
          .describe(
            `list the webhook kinds to notify, from: ${WEBHOOK_KINDS.join(', ')}; each needs its URL in its secret`,
          ),
        operatorRoleArns: z
          .array(z.string().regex(/^arn:aws(-[a-z]+)*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/, 'is not an IAM role ARN'))
          .default([])
          .describe(
            'list the IAM roles that run `wallet-status --target aws` and the AWS drill (its incident): the status buckets deny every other writer of the status objects, e.g. ["arn:aws:iam::111111111111:role/WalletOperator"]',
          ),
      })
      .strict()
      .prefault({})
      .describe('configure the status page (lib/stacks/status-stack.ts); every field has a default'),
    spending: spendingSchema,
    security: z
      .object({
        breakGlassRoleArn: z
          .string()
          .regex(/^arn:aws(-[a-z]+)*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/, 'is not an IAM role ARN')
          .describe('name the break-glass role, e.g. "arn:aws:iam::111111111111:role/WalletBreakGlass"'),
        coldKey: coldKeySchema,
      })
      .strict(),
  })
  .strict();

/** The raw shape a config file must have (before defaults). */
export type WalletConfigInput = z.input<typeof configSchema>;

/** A validated configuration with defaults applied. */
export type WalletConfig = z.output<typeof configSchema>;

/** The replication-lag alarm threshold: the configured one, else half the RPO under MREC (capped), else the MRSC default. */
export function replicationLatencyThresholdMs(config: Pick<WalletConfig, 'alarms' | 'data' | 'targets'>): number {
  const configured = config.alarms.replicationLatency.thresholdMs;
  if (configured !== undefined) return configured;
  if (config.data.consistency === 'MRSC') return REPLICATION_LATENCY_DEFAULTS.mrscMs;
  return Math.min(
    config.targets.rpoSeconds * REPLICATION_LATENCY_DEFAULTS.mrecMsPerRpoSecond,
    REPLICATION_LATENCY_DEFAULTS.mrecCapMs,
  );
}
