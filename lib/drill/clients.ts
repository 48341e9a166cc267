import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { KMSClient } from '@aws-sdk/client-kms';
import { Route53Client } from '@aws-sdk/client-route-53';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { STSClient } from '@aws-sdk/client-sts';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * The AWS SDK v3 clients the drill uses, created once per region and injected into the target.
 * Every client carries the call guard: each command is recorded, and any command outside
 * {@link DRILL_ALLOWED_COMMANDS} is refused before it is sent.
 */
export interface DrillClients {
  cloudwatch(region: string): CloudWatchClient;
  /** The ledger table (the lease) through the DynamoDB document client. */
  dynamodb(region: string): DynamoDBDocumentClient;
  kms(region: string): KMSClient;
  /** EventBridge: the status-page events (lease moved, switch changed) on each wallet region's default bus. */
  events(region: string): EventBridgeClient;
  /** The status buckets (the drill's incident on the status page, and the page check). */
  s3(region: string): S3Client;
  /** The signing queues and their DLQs (the hand-off of stranded work after a lease move, lib/failover/handoff.ts). */
  sqs(region: string): SQSClient;
  /** Route 53 is global; its API endpoint is in us-east-1. Read-only calls only. */
  readonly route53: Route53Client;
  /** STS in the caller's default region (from the standard chain). */
  readonly sts: STSClient;
  /** Every command sent so far, in order. */
  readonly calls: CallRecord[];
}

export type Service = 'cloudwatch' | 'dynamodb' | 'events' | 'fis' | 'kms' | 'route53' | 's3' | 'sqs' | 'sts';

/**
 * Every command the drill may send. Reads are listed so that a new read is a reviewed change too.
 * Writes are data-plane only: the failover switch and KPI metrics (CloudWatch PutMetricData) and
 * the signer lease with its audit item (DynamoDB PutItem/UpdateItem through lib/failover/lease.ts), and
 * after a lease move the hand-off of stranded work (lib/failover/handoff.ts: the open transactions of
 * the address by a Query on the status index, the signing DLQs received and deleted, messages sent to
 * the new holder's signing queue, one audit item). It never signs: only the signer holds kms:Sign.
 * No Route 53 mutation, no IAM, no KMS key or key-policy change, no SetAlarmState. FIS is used only by
 * `wallet-drill chaos` (lib/drill/chaos): it starts and stops the experiments the stacks define, nothing else
 * (no template is created, changed or deleted).
 */
export const DRILL_ALLOWED_COMMANDS: Readonly<Record<Service, { read: readonly string[]; write: readonly string[] }>> =
  {
    cloudwatch: { read: ['GetMetricDataCommand', 'DescribeAlarmsCommand'], write: ['PutMetricDataCommand'] },
    dynamodb: { read: ['GetItemCommand', 'QueryCommand'], write: ['PutItemCommand', 'UpdateItemCommand'] },
    // The status page's wallet events (lib/status/wallet-events.ts), on the default buses only.
    events: { read: [], write: ['PutEventsCommand'] },
    fis: {
      read: ['ListExperimentTemplatesCommand', 'ListExperimentsCommand', 'GetExperimentCommand'],
      write: ['StartExperimentCommand', 'StopExperimentCommand'],
    },
    kms: { read: ['DescribeKeyCommand', 'GetPublicKeyCommand'], write: [] },
    route53: { read: ['ListHealthChecksCommand', 'GetHealthCheckStatusCommand', 'TestDNSAnswerCommand'], write: [] },
    // The status buckets: the drill's incident (conditional writes of the status objects) and the page check.
    s3: { read: ['GetObjectCommand'], write: ['PutObjectCommand'] },
    // The hand-off (lib/failover/handoff.ts). ReceiveMessage counts as a write: it hides the message.
    sqs: {
      read: ['GetQueueUrlCommand'],
      write: ['ReceiveMessageCommand', 'DeleteMessageCommand', 'SendMessageCommand'],
    },
    sts: { read: ['GetCallerIdentityCommand'], write: [] },
  };

/**
 * The break-glass writes: sent only by `wallet-drill promote-keys` (lib/drill/promote/), whose clients are
 * created with `breakGlass: true`; every other drill client refuses them like any command off the list.
 * KMS lets only the break-glass role call UpdatePrimaryRegion (lib/constructs/key-policy.ts,
 * BREAK_GLASS_ONLY_ACTIONS), so the guard and the key policy say the same thing.
 */
export const BREAK_GLASS_COMMANDS: Readonly<Partial<Record<Service, readonly string[]>>> = {
  kms: ['UpdatePrimaryRegionCommand'],
};

export type CallKind = 'read' | 'write' | 'forbidden';

export function classifyCommand(service: Service, command: string, breakGlass = false): CallKind {
  const allowed = DRILL_ALLOWED_COMMANDS[service];
  if (allowed.read.includes(command)) return 'read';
  if (allowed.write.includes(command)) return 'write';
  if (breakGlass && (BREAK_GLASS_COMMANDS[service] ?? []).includes(command)) return 'write';
  return 'forbidden';
}

/** One command the drill sent (or tried to send). */
export interface CallRecord {
  readonly service: Service;
  readonly region: string;
  readonly command: string;
  readonly kind: CallKind;
  /** The command input (for the audit trail in the report). */
  readonly input: unknown;
}

/** A command outside the allow-list: refused before it reached AWS. */
export class ForbiddenCallError extends Error {
  constructor(
    public readonly service: Service,
    public readonly command: string,
  ) {
    super(
      `refused ${service} ${command}: the drill may only send ${[...DRILL_ALLOWED_COMMANDS[service].read, ...DRILL_ALLOWED_COMMANDS[service].write].join(', ') || 'nothing'} to ${service} (data plane and read-only calls; see lib/drill/clients.ts)`,
    );
    this.name = 'ForbiddenCallError';
  }
}

interface HasMiddleware {
  middlewareStack: { add: (mw: never, options: { step: 'initialize'; priority: 'high'; name: string }) => void };
}

/** Adds the call guard to a client: records each command and refuses those not allowed. */
export function guardClient<T>(
  client: T,
  service: Service,
  region: string,
  calls: CallRecord[],
  breakGlass = false,
): T {
  const mw =
    (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) =>
    async (args: { input: unknown }) => {
      const command = context.commandName ?? 'UnknownCommand';
      const kind = classifyCommand(service, command, breakGlass);
      calls.push({ service, region, command, kind, input: args.input });
      if (kind === 'forbidden') throw new ForbiddenCallError(service, command);
      return next(args);
    };
  (client as unknown as HasMiddleware).middlewareStack.add(mw as never, {
    step: 'initialize',
    priority: 'high',
    name: 'walletDrillCallGuard',
  });
  return client;
}

/** Options shared by every client the drill creates. */
export interface ClientOptions {
  /** Send every call to this endpoint (moto_server, LocalStack). @default - the AWS endpoints */
  readonly endpoint?: string;
  /** Static credentials or a provider. @default - the standard credential provider chain */
  readonly credentials?: NonNullable<ConstructorParameters<typeof STSClient>[0]>['credentials'];
  /** Called on each new client (the simulated target attaches its world here). */
  readonly decorate?: (client: unknown, service: Service, region: string) => void;
  /** The region STS uses. @default - the standard region chain (AWS_REGION, profile) */
  readonly defaultRegion?: string;
  /**
   * Also allow {@link BREAK_GLASS_COMMANDS} (`wallet-drill promote-keys` only). @default false
   */
  readonly breakGlass?: boolean;
}

/** Creates the drill's clients: region per call site, credentials from the standard chain. */
export function createDrillClients(options: ClientOptions = {}): DrillClients {
  const calls: CallRecord[] = [];
  const base = {
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
    maxAttempts: 3,
  };
  const finish = <T>(client: T, service: Service, region: string): T => {
    options.decorate?.(client, service, region);
    return guardClient(client, service, region, calls, options.breakGlass === true);
  };
  const perRegion = <T>(make: (region: string) => T) => {
    const cache = new Map<string, T>();
    return (region: string): T => {
      let client = cache.get(region);
      if (client === undefined) {
        client = make(region);
        cache.set(region, client);
      }
      return client;
    };
  };
  return {
    calls,
    cloudwatch: perRegion((region) => finish(new CloudWatchClient({ ...base, region }), 'cloudwatch', region)),
    dynamodb: perRegion((region) => {
      const low = finish(new DynamoDBClient({ ...base, region }), 'dynamodb', region);
      return DynamoDBDocumentClient.from(low, { marshallOptions: { removeUndefinedValues: true } });
    }),
    kms: perRegion((region) => finish(new KMSClient({ ...base, region }), 'kms', region)),
    events: perRegion((region) => finish(new EventBridgeClient({ ...base, region }), 'events', region)),
    // Path-style so a loopback endpoint (moto_server) works; the AWS endpoints answer both styles.
    s3: perRegion((region) =>
      finish(new S3Client({ ...base, region, forcePathStyle: options.endpoint !== undefined }), 's3', region),
    ),
    sqs: perRegion((region) => finish(new SQSClient({ ...base, region }), 'sqs', region)),
    route53: finish(new Route53Client({ ...base, region: 'us-east-1' }), 'route53', 'us-east-1'),
    sts: finish(
      new STSClient({ ...base, ...(options.defaultRegion === undefined ? {} : { region: options.defaultRegion }) }),
      'sts',
      options.defaultRegion ?? 'default',
    ),
  };
}
