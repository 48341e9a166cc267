import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * Real SDK v3 clients whose last `initialize` middleware hands the command to the harness (the
 * same seam as lib/drill/sim/sdk.ts attachWorld): every command the handlers, the lease module,
 * reconciliation and the hand-off send goes through their real code path (the document client's
 * marshalling included) and reaches the in-memory DynamoDB, SQS and KMS instead of the network.
 *
 * Each role (the API, the signer, the operator, per region) has its own clients, so the harness
 * knows who sent a call without async context. Clients are made once per process and bound to the
 * current run (runs are sequential), because making SDK clients costs more than a schedule.
 */
export type Service = 'dynamodb' | 'sqs' | 'kms';
export type Role = 'api' | 'signer' | 'operator' | 'remediation' | 'sweeper';
export type Dispatch = (
  role: Role,
  service: Service,
  region: string,
  command: string,
  input: Record<string, unknown>,
  /** Which instance of the role (concurrent remediation invocations each have their own clients). */
  instance?: string,
) => Promise<Record<string, unknown>>;

interface HasMiddleware {
  middlewareStack: {
    add: (mw: never, options: { step: 'initialize'; priority: 'low'; name: string }) => void;
  };
}

const CREDENTIALS = { accessKeyId: 'torture', secretAccessKey: 'torture' };

let bound: Dispatch | undefined;

/** Routes every harness client's calls to `dispatch` (the current run). */
export function bindRun(dispatch: Dispatch | undefined): void {
  bound = dispatch;
}

function attach(client: unknown, role: Role, service: Service, region: string, instance?: string): void {
  const mw =
    (_next: unknown, context: { commandName?: string }) => async (args: { input: Record<string, unknown> }) => {
      if (bound === undefined) throw new Error('a torture client was used outside a run');
      const output = await bound(
        role,
        service,
        region,
        context.commandName ?? 'UnknownCommand',
        args.input ?? {},
        instance,
      );
      return {
        output: { $metadata: { httpStatusCode: 200, requestId: 'torture', attempts: 1 }, ...output },
        response: { statusCode: 200, headers: {} },
      };
    };
  (client as HasMiddleware).middlewareStack.add(mw as never, {
    step: 'initialize',
    priority: 'low',
    name: 'tortureSimulatedAws',
  });
}

export interface RegionClients {
  readonly ddb: DynamoDBDocumentClient;
  readonly sqs: SQSClient;
  readonly kms: KMSClient;
}

const made = new Map<string, RegionClients>();

export function roleClients(role: Role, region: string, instance?: string): RegionClients {
  const key = `${role}${instance === undefined ? '' : `#${instance}`}@${region}`;
  let clients = made.get(key);
  if (clients === undefined) {
    // maxAttempts 1: the fault layer plays the SDK's retry (a lost reply is retried once, and the
    // caller sees the retry's answer), so no real backoff timer ever runs.
    const raw = new DynamoDBClient({ region, credentials: CREDENTIALS, maxAttempts: 1 });
    attach(raw, role, 'dynamodb', region, instance);
    // cacheMiddleware: resolve each command's middleware stack once (not safe for the document
    // client, whose commands wrap an inner command per call).
    const sqs = new SQSClient({ region, credentials: CREDENTIALS, maxAttempts: 1, cacheMiddleware: true });
    attach(sqs, role, 'sqs', region, instance);
    const kms = new KMSClient({ region, credentials: CREDENTIALS, maxAttempts: 1, cacheMiddleware: true });
    attach(kms, role, 'kms', region, instance);
    clients = { ddb: DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } }), sqs, kms };
    made.set(key, clients);
  }
  return clients;
}
