/**
 * The status page's contract, owned here and imported by the CDK code (buckets, distribution,
 * updater rules and permissions) and the runtime code (the updater Lambda, the `wallet-status` CLI,
 * the drill and remediation hooks that emit events). A name here is a contract: the updater's IAM
 * policy is scoped to exactly these keys, and CloudFront serves exactly the `site/` prefix.
 */

/** The components the page shows: what the blueprint runs. Ids are stable (aggregators key on them). */
export const STATUS_COMPONENTS = {
  'public-api': { name: 'Public API', description: 'api.<zone>: the address wallet apps call' },
  'transaction-intake': { name: 'Transaction intake', description: 'Accepting new transactions' },
  signing: { name: 'Signing and withdrawals', description: 'Signing and sending withdrawals' },
  'region-primary': { name: 'Primary region', description: 'The region that normally serves' },
  'region-standby': { name: 'Standby region', description: 'The region that takes over in a failover' },
} as const;
export type ComponentId = keyof typeof STATUS_COMPONENTS;
export const COMPONENT_IDS = Object.keys(STATUS_COMPONENTS) as ComponentId[];

/** Statuspage's component states (public API v2), in increasing severity (maintenance apart). */
export const COMPONENT_STATES = [
  'operational',
  'degraded_performance',
  'partial_outage',
  'major_outage',
  'under_maintenance',
] as const;
export type ComponentState = (typeof COMPONENT_STATES)[number];

/** Statuspage's incident lifecycle (public API v2; `postmortem` is the state once one is published). */
export const INCIDENT_STATES = ['investigating', 'identified', 'monitoring', 'resolved', 'postmortem'] as const;
export type IncidentState = (typeof INCIDENT_STATES)[number];

/** Statuspage's overall indicator and incident impact. */
export const INDICATORS = ['none', 'minor', 'major', 'critical', 'maintenance'] as const;
export type Indicator = (typeof INDICATORS)[number];

/**
 * Object keys in each status bucket. `site/` is public (CloudFront's origin path; the bucket policy
 * lets CloudFront read only this prefix); `state/` is private (the model, dedup markers, audit).
 */
export const STATUS_SITE_PREFIX = 'site';
export const STATUS_STATE_PREFIX = 'state';
export const STATUS_KEYS = {
  state: `${STATUS_STATE_PREFIX}/status.json`,
  eventMarker: (dedupKey: string) => `${STATUS_STATE_PREFIX}/events/${dedupKey}`,
  audit: (at: string, id: string) => `${STATUS_STATE_PREFIX}/audit/${at.slice(0, 10)}/${at}-${id}.json`,
} as const;

/** Every public document, relative to `site/` (the renderer writes exactly these). */
export const SITE_DOCUMENTS = {
  index: 'index.html',
  css: 'status.css',
  icon: 'favicon.svg',
  summary: 'api/v2/summary.json',
  status: 'api/v2/status.json',
  components: 'api/v2/components.json',
  incidents: 'api/v2/incidents.json',
  unresolved: 'api/v2/incidents/unresolved.json',
  feed: 'history.atom',
  banner: 'banner.json',
  history: 'history.json',
} as const;
export const incidentPagePath = (incidentId: string): string => `incidents/${incidentId}.html`;

/** The status bucket of one region (names are global: account and region make it unique). */
export const statusBucketName = (envName: string, account: string, region: string): string =>
  `${envName}-wallet-status-${account}-${region}`;

/** The S3 REST endpoint CloudFront reads a bucket through (regional, so the origin names its region). */
export const statusBucketRegionalDomain = (bucketName: string, region: string): string =>
  `${bucketName}.s3.${region}.amazonaws.com`;

export const statusSubdomain = 'status';
export const statusDomainName = (zoneName: string): string => `${statusSubdomain}.${zoneName}`;

/** CloudFront caching of the status documents: short, so a change reaches users within a minute. */
export const STATUS_CACHE_SECONDS = 30;

/** The status updater's role per region (the status buckets' policies name nothing else that writes). */
export const statusUpdaterRoleName = (envName: string, region: string): string =>
  `${envName}-wallet-status-updater-${region}`;

/** SNS topic for e-mail and SMS subscribers, per wallet region. */
export const statusSubscribersTopicName = (envName: string): string => `${envName}-wallet-status-subscribers`;

/** Webhook delivery queue and its dead-letter queue, per wallet region. */
export const statusWebhookQueueName = (envName: string): string => `${envName}-wallet-status-webhooks`;
export const statusWebhookDlqName = (envName: string): string => `${envName}-wallet-status-webhooks-dlq`;

/** Webhook kinds the notifier formats messages for. */
export const WEBHOOK_KINDS = ['slack', 'discord', 'telegram'] as const;
export type WebhookKind = (typeof WEBHOOK_KINDS)[number];

/**
 * One Secrets Manager secret per webhook kind, per region; its SecretString is the URL (for
 * Telegram: `https://api.telegram.org/bot<token>/sendMessage?chat_id=<id>`). The secret is
 * created empty by the stack; an operator puts the URL in it (a URL in a template would leak).
 */
export const statusWebhookSecretName = (envName: string, kind: WebhookKind): string =>
  `${envName}/wallet-status/webhook/${kind}`;

/** Alarm on undelivered subscriber messages (webhook DLQ holds a message), per region. */
export const statusUndeliveredAlarmName = (envName: string, region: string): string =>
  `${envName}-wallet-${region}-status-notifications-undelivered`;

/** Custom EventBridge events the wallet emits for the status page (source and detail types). */
export const WALLET_EVENT_SOURCE = 'wallet.resilience';
export const WALLET_EVENTS = {
  /** A signing lease moved to another region (detail: {@link LeaseMovedDetail}). */
  leaseMoved: 'Wallet Signing Lease Moved',
  /** The failover switch was thrown on or released (detail: {@link SwitchChangedDetail}). */
  switchChanged: 'Wallet Failover Switch Changed',
  /** A region entered or left degraded mode (detail: {@link DegradedModeChangedDetail}). */
  degradedModeChanged: 'Wallet Degraded Mode Changed',
} as const;
export type WalletEventKind = keyof typeof WALLET_EVENTS;

/** Every wallet event detail names its environment and whether a drill caused it. */
interface WalletEventBase {
  readonly envName: string;
  readonly at: string;
  readonly actor: string;
  readonly reason: string;
  /** Set by the drill: the status page marks the incident as a drill. */
  readonly drill?: boolean;
}
export interface LeaseMovedDetail extends WalletEventBase {
  readonly address: string;
  readonly fromRegion: string;
  readonly toRegion: string;
  readonly epoch: number;
}
export interface SwitchChangedDetail extends WalletEventBase {
  readonly position: 'on' | 'off';
}
export interface DegradedModeChangedDetail extends WalletEventBase {
  readonly region: string;
  readonly degraded: boolean;
}

/** The daily uptime job's schedule (UTC, after the day closes). */
export const STATUS_HISTORY_SCHEDULE = 'cron(15 0 * * ? *)';
/** Days of history the page shows. */
export const STATUS_HISTORY_DAYS = 90;

/**
 * Security headers CloudFront adds to every status response (a response headers policy), and the
 * browser test serves with. The page has no scripts: `script-src` is not allowed at all.
 */
export const STATUS_CONTENT_SECURITY_POLICY =
  "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/**
 * The status updater's one environment variable: a JSON {@link StatusUpdaterEnv}, validated at
 * module load by lambda/status-updater.
 */
export const STATUS_UPDATER_ENV = 'WALLET_STATUS_CONFIG';
/** The webhook sender's environment variable: a JSON object `{ "<kind>": "<secret ARN>" }`. */
export const STATUS_WEBHOOK_SECRETS_ENV = 'WALLET_STATUS_WEBHOOK_SECRETS';

export interface StatusUpdaterEnv {
  readonly envName: string;
  readonly primaryRegion: string;
  readonly standbyRegion: string;
  /** Status buckets, primary region's first (the arbiter while it answers). */
  readonly buckets: ReadonlyArray<{ readonly region: string; readonly name: string }>;
  readonly mode: 'auto' | 'notify-only';
  readonly page: { readonly id: string; readonly name: string; readonly url: string };
  readonly settings: {
    readonly intervalSeconds: number;
    readonly failureThreshold: number;
    readonly ttlSeconds: number;
    readonly checkerRegions: number;
    readonly canaryPeriodSeconds: number;
  };
  readonly topicArn: string;
  readonly webhookQueueUrl: string;
  readonly webhooks: readonly WebhookKind[];
}

/** Stack names of the status page (one per wallet region, and the edge in us-east-1). */
export const statusStackNames = (envName: string) =>
  ({
    primary: `${envName}-wallet-status-primary`,
    standby: `${envName}-wallet-status-standby`,
    edge: `${envName}-wallet-status-edge`,
  }) as const;

/**
 * The default event bus of a region, where the wallet's events go. Each wallet region's status
 * updater rule listens on its own region's default bus, so an emitter puts every event on BOTH
 * wallet regions' default buses (one PutEvents per region): if one region is down, the other
 * region's updater still hears it. Both updaters then see the same change; the updater applies it
 * once (lib/status/events.ts keys and the state's conditional write).
 */
export const defaultEventBusArn = (partition: string, region: string, account: string): string =>
  `arn:${partition}:events:${region}:${account}:event-bus/default`;

/**
 * A wallet event that could not be put on a region's bus after every retry: counted (never thrown,
 * the failover goes on). The remediation Lambda writes it as an Embedded Metric Format log line,
 * the drill with PutMetricData; dimension `Environment` and `Region` (the bus that refused it).
 */
export const WALLET_EVENT_UNDELIVERED_METRIC = {
  namespace: 'Wallet/Status',
  name: 'WalletEventUndelivered',
  dimensions: { environment: 'Environment', region: 'Region' },
} as const;
