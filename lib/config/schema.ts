import { z } from 'zod';
import { DEFAULT_BACKUP_RPO_SECONDS } from '../backup/rpo';

/**
 * The one configuration of a wallet environment. `bin/app.ts` loads a JSON file, validates it
 * here once, and hands the typed result to every stack; nothing else reads config.
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

/** Route 53 record TTL range in seconds (RFC 2181 upper bound, as Route 53 accepts). */
export const ROUTE53_MAX_TTL_SECONDS = 2147483647;

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
        recordTtlSeconds: z
          .number()
          .int('must be a whole number')
          .min(0, 'must be 0 or more')
          .max(ROUTE53_MAX_TTL_SECONDS, `must be at most ${ROUTE53_MAX_TTL_SECONDS}`)
          .describe('use a TTL in seconds between 0 and 2147483647; 60 or less keeps failover fast'),
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
          .enum(['MRSC', 'MREC'])
          .default('MRSC')
          .describe('use "MRSC" (strong, RPO 0, needs a witness region) or "MREC" (eventual, last writer wins)'),
      })
      .strict()
      .default({ consistency: 'MRSC' }),
    canary: z
      .object({
        schedule: rateExpression,
      })
      .strict(),
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
    notifications: z
      .object({
        email: z
          .email('is not an e-mail address')
          .describe('use the on-call distribution list address, e.g. "wallet-oncall@example.com"'),
      })
      .strict(),
    security: z
      .object({
        breakGlassRoleArn: z
          .string()
          .regex(/^arn:aws(-[a-z]+)*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/, 'is not an IAM role ARN')
          .describe('name the break-glass role, e.g. "arn:aws:iam::111111111111:role/WalletBreakGlass"'),
      })
      .strict(),
  })
  .strict();

/** The raw shape a config file must have (before defaults). */
export type WalletConfigInput = z.input<typeof configSchema>;

/** A validated configuration with defaults applied. */
export type WalletConfig = z.output<typeof configSchema>;
