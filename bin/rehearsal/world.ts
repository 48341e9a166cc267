import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateKeyCommand, KMSClient, ReplicateKeyCommand } from '@aws-sdk/client-kms';
import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { createChainWatcher } from '../../lambda/chain-watcher/handler';
import { poolChain } from '../../lambda/chain-watcher/pool-chain';
import { createApiHandler, ROUTES } from '../../lambda/api/handler';
import { KmsSigningKey } from '../../lambda/shared/kms-signer';
import { type Ledger, putWallet } from '../../lambda/shared/ledger';
import { silentLogger } from '../../lambda/shared/logger';
import { createQueueForwarder } from '../../lambda/signer/forward';
import { createSigner } from '../../lambda/signer/handler';
import type { EvmNode } from '../../lib/chain/devnet/evm-node';
import { startFaultProxy, type FaultProxy } from '../../lib/chain/devnet/fault-proxy';
import { type ChainFees, feePolicy } from '../../lib/chain/fees';
import { poolBroadcaster, ProviderPool } from '../../lib/chain/pool';
import { CHAIN_FEE_DEFAULTS, type ChainFeeSettings } from '../../lib/contract/chain-settings';
import { LEDGER_ATTRIBUTES, LEDGER_GSI1 } from '../../lib/contract/ledger';
import { initLease, moveLease } from '../../lib/failover/lease';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';

/**
 * The wallet's data plane in one process, on a real EVM node and moto_server: per region the real
 * API handler, an SQS FIFO signing queue, the real signer (moto KMS, a multi-region key: one
 * address in both regions), the provider pool (lib/chain/pool.ts: the node directly and through a
 * fault proxy) with poolBroadcaster, and the real chain watcher. One ledger table serves both
 * regions (MRSC: linearizable conditional writes; moto has no global-table replication).
 *
 * `partition(region)` makes every DynamoDB and SQS call of that region's functions fail (a region
 * cut off), the way test/helpers/faults.ts fails calls at the SDK boundary.
 *
 * Used by the end-to-end tests (test/chain/), `npm run chain-rehearsal` and `npm run bench:chain`.
 */
export interface AwsEndpoint {
  readonly endpoint: string;
  readonly credentials: { accessKeyId: string; secretAccessKey: string };
}

export interface WorldOptions {
  readonly moto: AwsEndpoint;
  readonly node: EvmNode;
  readonly regions?: readonly [string, string];
  /** How many signing addresses (wallets), each its own multi-region key. @default 1 */
  readonly wallets?: number;
  /** Watcher settings. */
  readonly confirmations?: number;
  /**
   * Seconds a variant may wait unmined before the watcher asks the signer for a fee bump (may be
   * fractional here; the config's `chain.resubmitAfterSeconds` is whole seconds). @default 3600
   */
  readonly resubmitAfterSeconds?: number;
  /** The chain's fee settings the signer applies (first fees, replacements, the cap). @default the config defaults */
  readonly fees?: ChainFeeSettings;
  /** Prefix of the table and queue names (unique per world). */
  readonly name?: string;
}

export interface RegionWorld {
  readonly region: string;
  readonly queueUrl: string;
  readonly pool: ProviderPool;
  /** The fault proxy in front of the node that this region's pool lists first ("flaky"). */
  readonly proxy: FaultProxy;
  readonly api: ReturnType<typeof createApiHandler>;
  readonly signer: ReturnType<typeof createSigner>;
  readonly watcher: ReturnType<typeof createChainWatcher>;
}

export interface WalletWorld {
  readonly walletId: string;
  readonly address: string;
}

export class PartitionedError extends Error {
  constructor(region: string, what: string) {
    super(`${region} is partitioned: ${what} did not reach the service`);
    this.name = 'TimeoutError';
  }
}

export interface World {
  readonly regions: readonly [RegionWorld, RegionWorld];
  readonly wallets: readonly WalletWorld[];
  readonly ledger: Ledger;
  region(name: string): RegionWorld;
  /** POST .../transactions through `region`'s API; the txId, or throws with the answer. */
  submit(region: string, walletId: string, body: Record<string, unknown>, idempotencyKey?: string): Promise<string>;
  /** GET .../transactions/{txId} through `region`'s API (the parsed body). */
  get(region: string, walletId: string, txId: string): Promise<Record<string, unknown>>;
  /** Receives what `region`'s queue holds and hands it to its signer (Lambda event source style). */
  pump(region: string): Promise<{ processed: number; failed: number; outcomes: string[] }>;
  /** One watcher pass in `region` (no loop). */
  watch(region: string): Promise<void>;
  /** The drill's planned lease move of every wallet to `toRegion` (lib/failover/lease moveLease). */
  moveLease(toRegion: string, actor?: string): Promise<void>;
  partition(region: string, on: boolean): void;
  stop(): Promise<void>;
}

const PARTITIONED = new Set<string>();

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function partitionable<T extends { middlewareStack: { add(m: any, o: any): void } }>(client: T, region: string): T {
  client.middlewareStack.add(
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    (next: (a: unknown) => Promise<unknown>, context: any) => async (args: unknown) => {
      if (PARTITIONED.has(region)) throw new PartitionedError(region, String(context.commandName));
      return next(args);
    },
    { step: 'initialize', name: 'rehearsalPartition' },
  );
  return client;
}

export async function createTable(
  config: { endpoint: string; region: string; credentials: AwsEndpoint['credentials'] },
  name: string,
) {
  const client = new DynamoDBClient(config);
  const { partitionKey, sortKey, gsi1PartitionKey, gsi1SortKey } = LEDGER_ATTRIBUTES;
  await client.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [partitionKey, sortKey, gsi1PartitionKey, gsi1SortKey].map((n) => ({
        AttributeName: n,
        AttributeType: 'S',
      })),
      KeySchema: [
        { AttributeName: partitionKey, KeyType: 'HASH' },
        { AttributeName: sortKey, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: LEDGER_GSI1,
          KeySchema: [
            { AttributeName: gsi1PartitionKey, KeyType: 'HASH' },
            { AttributeName: gsi1SortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    }),
  );
  client.destroy();
}

function apiEvent(o: {
  method: string;
  resource: string;
  path: string;
  pathParameters: Record<string, string>;
  headers?: Record<string, string>;
  body?: string;
}): APIGatewayProxyEvent {
  return {
    httpMethod: o.method,
    resource: o.resource,
    path: o.path,
    pathParameters: o.pathParameters,
    headers: o.headers ?? {},
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    stageVariables: null,
    body: o.body ?? null,
    isBase64Encoded: false,
    requestContext: { requestId: randomUUID() } as APIGatewayProxyEvent['requestContext'],
  } as APIGatewayProxyEvent;
}

export async function startWorld(options: WorldOptions): Promise<World> {
  const [primary, standby] = options.regions ?? (['us-east-2', 'us-west-2'] as const);
  const name = options.name ?? `rehearsal-${randomUUID().slice(0, 8)}`;
  const cfg = (region: string) => ({ endpoint: options.moto.endpoint, region, credentials: options.moto.credentials });
  const { node } = options;
  await createTable(cfg(primary), name);
  const docFor = (region: string): Ledger => ({
    // moto keeps tables per region and has no replication: both regions' clients reach the one
    // table (MRSC), each failing on its own when its region is partitioned.
    ddb: DynamoDBDocumentClient.from(partitionable(new DynamoDBClient(cfg(primary)), region), {
      marshallOptions: { removeUndefinedValues: true },
    }),
    tableName: name,
  });
  const admin = docFor('admin');
  // Wallets: one multi-region key each (replicated to the standby), funded on the node.
  const kms = new KMSClient(cfg(primary));
  const wallets: Array<WalletWorld & { arns: Record<string, string> }> = [];
  for (let i = 0; i < (options.wallets ?? 1); i++) {
    const created = await kms.send(
      new CreateKeyCommand({ KeySpec: 'ECC_SECG_P256K1', KeyUsage: 'SIGN_VERIFY', MultiRegion: true }),
    );
    await kms.send(new ReplicateKeyCommand({ KeyId: created.KeyMetadata!.KeyId!, ReplicaRegion: standby }));
    const arn = created.KeyMetadata!.Arn!;
    const address = (await new KmsSigningKey(kms, arn).publicKey()).address;
    const walletId = `w-${i + 1}`;
    await putWallet(admin, { walletId, address, status: 'active', createdAt: new Date().toISOString() });
    await initLease(admin, { address, region: primary, actor: 'rehearsal' });
    await node.setBalance(address, 10n ** 22n);
    wallets.push({
      walletId,
      address,
      arns: { [primary]: arn, [standby]: arn.replace(`:${primary}:`, `:${standby}:`) },
    });
  }
  const sqsFor = (region: string) => partitionable(new SQSClient(cfg(region)), region);
  const queues: Record<string, string> = {};
  for (const region of [primary, standby]) {
    queues[region] = (
      await new SQSClient(cfg(region)).send(
        new CreateQueueCommand({
          QueueName: `${name}-${region}.fifo`,
          Attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'false', VisibilityTimeout: '30' },
        }),
      )
    ).QueueUrl!;
  }

  async function regionWorld(region: string, peer: string, walletIndex: number): Promise<RegionWorld> {
    const ledger = docFor(region);
    const sqs = sqsFor(region);
    const proxy = await startFaultProxy(node.url);
    const pool = new ProviderPool({
      chainId: node.chainId,
      providers: [
        { name: 'flaky', url: proxy.url },
        { name: 'direct', url: node.url },
      ],
      limits: {
        maxLagBlocks: 5,
        maxLagSeconds: 3600,
        maxErrorRate: 0.5,
        requestTimeoutMs: 2000,
        refreshIntervalMs: 500,
      },
    });
    const wallet = wallets[walletIndex];
    // The signer's fee market as deployed (lambda/shared/chain-ports.ts runtimeChainFees): eth_feeHistory
    // through the pool, the chain's policy (cap, bump, priority fee).
    const fees = options.fees ?? CHAIN_FEE_DEFAULTS;
    const chainFees: ChainFees = {
      policy: feePolicy(fees),
      feeHistory: () =>
        pool.read('eth_feeHistory', async (client) => {
          const h = await client.getFeeHistory({
            blockCount: fees.feeHistoryBlocks,
            rewardPercentiles: [fees.rewardPercentile],
          });
          return { baseFeePerGas: h.baseFeePerGas, reward: h.reward };
        }),
    };
    const signer = createSigner({
      env: {
        region,
        tableName: name,
        signingKeyArn: wallet.arns[region],
        chainId: node.chainId,
        consistency: 'MRSC',
      },
      ledger,
      key: new KmsSigningKey(partitionable(new KMSClient(cfg(region)), region), wallet.arns[region]),
      logger: silentLogger(),
      broadcaster: poolBroadcaster(pool),
      chainFees,
      forward: createQueueForwarder(sqs, { region, peer: { region: peer, signingQueueUrl: queues[peer] } }),
    });
    const watcher = createChainWatcher({
      region,
      envName: 'rehearsal',
      ledger,
      address: async () => wallet.address.toLowerCase(),
      chain: poolChain(pool),
      settings: {
        confirmations: options.confirmations ?? 2,
        resubmitAfterSeconds: options.resubmitAfterSeconds ?? 3600,
        receiptPollSeconds: 1,
      },
      sqs,
      signingQueueUrl: queues[region],
      logger: silentLogger(),
      emitMetrics: () => undefined,
      runForMs: 0,
      sleep: async () => undefined,
    });
    const api = createApiHandler({
      env: { region, tableName: name, signingQueueUrl: queues[region], chainId: node.chainId, consistency: 'MRSC' },
      ledger,
      sqs,
      logger: silentLogger(),
    });
    return { region, queueUrl: queues[region], pool, proxy, api, signer, watcher };
  }
  // One signer per (region, wallet) would be the deployed shape (one key per signer function); the
  // world runs wallet 0's signer and watcher per region, and `perWallet` for the others.
  const perWallet = new Map<string, RegionWorld>();
  for (let w = 0; w < wallets.length; w++) {
    for (const [region, peer] of [
      [primary, standby],
      [standby, primary],
    ] as const) {
      perWallet.set(`${region}#${wallets[w].walletId}`, await regionWorld(region, peer, w));
    }
  }
  const regions = [perWallet.get(`${primary}#w-1`)!, perWallet.get(`${standby}#w-1`)!] as const;
  const region = (r: string) => {
    const found = regions.find((x) => x.region === r);
    if (found === undefined) throw new Error(`no region ${r} in this world (${primary}, ${standby})`);
    return found;
  };
  const signerFor = (r: string, walletId: string) => {
    const found = perWallet.get(`${r}#${walletId}`);
    if (found === undefined) throw new Error(`no signer for wallet ${walletId} in ${r}`);
    return found;
  };

  return {
    regions,
    wallets,
    ledger: admin,
    region,
    async submit(r, walletId, body, idempotencyKey = randomUUID()) {
      const answer = await region(r).api(
        apiEvent({
          method: 'POST',
          resource: ROUTES.createTransaction,
          path: `/v1/wallets/${walletId}/transactions`,
          pathParameters: { walletId },
          headers: { 'Idempotency-Key': idempotencyKey, 'Content-Type': 'application/json' },
          body: JSON.stringify(body),
        }),
      );
      if (answer.statusCode !== 202) throw new Error(`POST in ${r} answered ${answer.statusCode}: ${answer.body}`);
      return (JSON.parse(answer.body) as { txId: string }).txId;
    },
    async get(r, walletId, txId) {
      const answer = await region(r).api(
        apiEvent({
          method: 'GET',
          resource: ROUTES.getTransaction,
          path: `/v1/wallets/${walletId}/transactions/${txId}`,
          pathParameters: { walletId, txId },
        }),
      );
      if (answer.statusCode !== 200) throw new Error(`GET in ${r} answered ${answer.statusCode}: ${answer.body}`);
      return JSON.parse(answer.body) as Record<string, unknown>;
    },
    async pump(r) {
      const sqs = sqsFor(r);
      const outcomes: string[] = [];
      let processed = 0;
      let failed = 0;
      for (;;) {
        const res = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl: queues[r], MaxNumberOfMessages: 10, VisibilityTimeout: 30 }),
        );
        if (!res.Messages?.length) break;
        for (const m of res.Messages) {
          const body = JSON.parse(m.Body!) as { walletId?: string };
          try {
            const outcome = await signerFor(r, body.walletId ?? 'w-1').signer.processMessage(m.Body!);
            outcomes.push(outcome);
            processed += 1;
            await sqs.send(new DeleteMessageCommand({ QueueUrl: queues[r], ReceiptHandle: m.ReceiptHandle! }));
          } catch (err) {
            failed += 1;
            outcomes.push(`error: ${(err as Error).message}`);
            // Back on the queue at once (the Lambda event source would wait out the visibility timeout).
            await sqs
              .send(
                new ChangeMessageVisibilityCommand({
                  QueueUrl: queues[r],
                  ReceiptHandle: m.ReceiptHandle!,
                  VisibilityTimeout: 0,
                }),
              )
              .catch(() => undefined);
          }
        }
        if (failed > 0) break;
      }
      return { processed, failed, outcomes };
    },
    async watch(r) {
      for (const w of wallets) await signerFor(r, w.walletId).watcher.run();
    },
    async moveLease(toRegion, actor = 'drill') {
      for (const w of wallets) {
        await moveLease(docFor(toRegion), {
          address: w.address,
          toRegion,
          actor,
          reason: 'rehearsal: lease moved mid-stream',
          isTargetHealthy: async () => ({ healthy: true, reasons: [] }),
        });
      }
    },
    partition(r, on) {
      if (on) PARTITIONED.add(r);
      else PARTITIONED.delete(r);
    },
    async stop() {
      PARTITIONED.clear();
      for (const rw of perWallet.values()) await rw.proxy.stop();
    },
  };
}
