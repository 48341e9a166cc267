import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { createHash } from 'node:crypto';
import type { APIGatewayProxyEvent, SQSEvent } from 'aws-lambda';
import type { Hex } from 'viem';
import { createApiHandler } from '../lambda/api/handler';
import type { ApiEnv, SignerEnv } from '../lambda/shared/env';
import { KmsSigningKey } from '../lambda/shared/kms-signer';
import {
  getReservation,
  getTransaction,
  Ledger,
  listTransactionsByStatus,
  putWallet,
  TransactionRecord,
} from '../lambda/shared/ledger';
import { silentLogger } from '../lambda/shared/logger';
import { reconcileAfterFailover, resolveQuarantined } from '../lambda/shared/reconcile';
import { createSigner, ForwardedMessage } from '../lambda/signer/handler';
import { createSpendingGate } from '../lambda/shared/policy/gate';
import type { RuntimeSpendingPolicy } from '../lib/contract/policy';
import { ledgerKeys } from '../lib/contract/ledger';
import { createRng } from '../lib/failover/random';
import { initLease, LeaseConflictError, moveLease, readLease, type Lease } from '../lib/failover/lease';
import { findNonceGaps } from '../lib/operator/gaps';
import { DNS_ALARM_REGION, dnsAlarmName, regionalAlarmName } from '../lib/contract/alarms';
import {
  FAILOVER_SWITCH_METRIC,
  FAILOVER_SWITCH_NAMESPACE,
  failoverSwitchAlarmName,
  failoverSwitchDimensions,
  switchValue,
} from '../lib/contract/failover-switch';
import { ledgerLeases } from '../lambda/remediation/adapters/aws';
import {
  ledgerAudit,
  ledgerClaims,
  ledgerFailoverBudget,
  ledgerRegionControl,
} from '../lambda/remediation/adapters/ledger';
import type { RemediationConfig } from '../lambda/remediation/config';
import { parseAlarmEvent } from '../lambda/remediation/event';
import { createHandler as createRemediationHandler } from '../lambda/remediation/handler';
import { alarmKey, ObservedAlarmState } from '../lambda/remediation/ports';
import { handOffStrandedWork } from '../lib/failover/handoff';
import { poolHighestNonceSource, ProviderPool, type PoolLimits } from '../lib/chain/pool';
import { CHAIN_HEALTH_DEFAULTS } from '../lib/contract/chain-settings';
import type { ChainNonceSource } from '../lib/contract/chain-io';
import { DEFAULT_REFRESH_INTERVAL_MS } from '../lambda/shared/chain-env';
import { createSweeper, UNMINED_STATUSES } from '../lambda/sweeper/handler';
import { apiIntake } from '../lambda/sweeper/intake';
import type { SweeperSettings } from '../lib/contract/sweep';
import { SimProvider } from './sim/providers';
import { bindRun, Role, roleClients, RegionClients, Service } from './aws';
import type { BugName } from './bugs';
import { idempotencyKey, requestValue } from './payload';
import { bugSeams } from './bugs';
import { Observations } from './invariants/observations';
import {
  CHAIN_FAULT_KINDS,
  CHAIN_PROVIDERS,
  type FaultKind,
  type Schedule,
  SWEEP_CEILING_WEI,
  SWEEP_MINIMUM_WEI,
} from './schedule';
import { ActorContext, Scheduler } from './scheduler';
import { SimChain } from './sim/chain';
import { SimDynamo } from './sim/dynamo';
import { SimKms } from './sim/kms';
import { SimSqs } from './sim/sqs';

/**
 * One torture run: the real API handler and signer of both regions, the real lease, nonce,
 * reconciliation, hand-off and gap-detection code, driven by a schedule against the in-memory
 * DynamoDB (MRSC: one store; MREC: two replicas and a replicator), SQS, KMS and chain, with faults
 * at the SDK boundary. After the last fault heals, the operator follows the runbooks for a bounded
 * time; the invariants (torture/invariants) then judge what is left.
 */
export const REGIONS = ['us-east-2', 'us-west-2'] as const;
export const WALLET = 'w-torture';
export const CHAIN_ID = 11155111;
const TABLE = 'torture-ledger';
const PRIVATE_KEY = '0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318' as Hex;
const RECIPIENT = '0x7777777777777777777777777777777777777777';
const STEP_MS = 10;
/** The cold-only wallet the sweeper requests sweeps on (same hot address), and where sweeps go. */
export const SWEEP_WALLET = 'w-torture-sweep';
export const COLD_ADDRESS = '0xc01dc01dc01dc01dc01dc01dc01dc01dc01dc01d';
const SWEEPER_ARN = 'arn:aws:lambda:us-east-2:111122223333:function:torture-sweeper';
/** The bound of the invariants: how long after the last fault heals everything must be settled. */
export const SETTLE_BOUND_MS = 180_000;
/** The environment name remediation's alarm names are built for. */
const REMEDIATION_ENV = 'torture';
const FEES = { maxFeePerGas: '20000000000', maxPriorityFeePerGas: '1000000000' };
/** Each region's provider pool runs with a Lambda's defaults (config defaults, 10 s refresh). */
export const POOL_LIMITS: PoolLimits = {
  maxLagBlocks: CHAIN_HEALTH_DEFAULTS.maxLagBlocks,
  maxLagSeconds: CHAIN_HEALTH_DEFAULTS.maxLagSeconds,
  maxErrorRate: CHAIN_HEALTH_DEFAULTS.maxErrorRate,
  requestTimeoutMs: CHAIN_HEALTH_DEFAULTS.requestTimeoutMs,
  refreshIntervalMs: DEFAULT_REFRESH_INTERVAL_MS,
};

/**
 * The torture wallet's spending policy: a velocity limit that lets all but one of the schedule's
 * requests be signed (each is worth about 1000 wei, torture/payload.ts), in a window far longer than
 * the run (skew included), so every signature of the run counts against it. Derived from the
 * schedule, so a seed replays the same policy. Under MREC each region signs with half of it.
 */
export function torturePolicy(requests: number, sweeps = false): RuntimeSpendingPolicy {
  const policy: RuntimeSpendingPolicy = {
    version: `torture-${requests}`,
    default: { outgoing: 'deposit-only', velocity: [], destinations: 'any', unlistedDestination: 'refuse' },
    wallets: {
      [WALLET]: {
        outgoing: 'allowed',
        perTransactionWei: '5000',
        velocity: [{ window: '1h', windowSeconds: 3600, limitWei: String(1000 * Math.max(1, requests - 1) + 500) }],
        destinations: 'any',
        unlistedDestination: 'refuse',
      },
    },
    allowlistTimeLockHours: 48,
  };
  if (!sweeps) return policy;
  // With the sweeper: its cold-only wallet (only to the cold address, no limits: the float's excess).
  return {
    ...policy,
    wallets: {
      ...policy.wallets,
      [SWEEP_WALLET]: { outgoing: 'cold-only', velocity: [], destinations: 'any', unlistedDestination: 'refuse' },
    },
    coldAddress: COLD_ADDRESS,
  };
}

export interface RunResult {
  readonly schedule: Schedule;
  readonly faults: Record<FaultKind, number>;
  readonly observations: Observations;
  readonly calls: number;
  readonly steps: number;
  /** Error lines the handlers logged (distinct, first 20). */
  readonly errors: readonly string[];
  readonly queues: Record<string, number>;
  readonly callsBy: Record<string, number>;
  readonly settled: boolean;
}

const md5 = (text: string) => createHash('md5').update(text).digest('hex');
const queueUrl = (region: string) => `https://sqs.${region}.amazonaws.com/111122223333/torture-signing.fifo`;
const dlqUrl = (region: string) => `https://sqs.${region}.amazonaws.com/111122223333/torture-signing-dlq.fifo`;

function apiEvent(key: number, at: string): APIGatewayProxyEvent {
  const body = JSON.stringify({
    to: RECIPIENT,
    value: requestValue(key),
    gasLimit: '21000',
    ...FEES,
    chainId: CHAIN_ID,
  });
  return {
    httpMethod: 'POST',
    resource: '/v1/wallets/{walletId}/transactions',
    path: `/v1/wallets/${WALLET}/transactions`,
    pathParameters: { walletId: WALLET },
    headers: { 'Idempotency-Key': idempotencyKey(key), 'Content-Type': 'application/json' },
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    stageVariables: null,
    body,
    isBase64Encoded: false,
    requestContext: { requestId: `req-${key}-${at}` } as APIGatewayProxyEvent['requestContext'],
  };
}

/** One DynamoDB call as the simulated store answered it (for the moto agreement run). */
export interface DynamoCall {
  readonly region: string;
  readonly command: string;
  readonly input: Record<string, unknown>;
  /** The answer, or the error's name (ConditionalCheckFailedException, ...). */
  readonly output?: Record<string, unknown>;
  readonly error?: string;
}

export interface RunOptions {
  readonly bug?: BugName;
  /** Every DynamoDB call the simulated store answered, in the order it answered them (setup included). */
  readonly recordDynamo?: (call: DynamoCall) => void;
  /**
   * Run the API and the signer under the spending policy (`torturePolicy`).
   * @default true - false only replays a schedule recorded before the policy joined the harness
   */
  readonly spendingPolicy?: boolean;
}

export async function runSchedule(schedule: Schedule, options: RunOptions = {}): Promise<RunResult> {
  const rng = createRng(schedule.seed ^ 0x5eed);
  const scheduler = new Scheduler(rng.fork());
  const clock = () => scheduler.now;
  const choice = rng.fork();
  const [primary, standby] = REGIONS;
  const other = (r: string) => (r === primary ? standby : primary);
  const dynamo = new SimDynamo(schedule.consistency, REGIONS, TABLE, clock, () => schedule.lagMs);
  const sqs = new SimSqs(clock, (n) => Math.floor(choice.next() * n));
  const kms = new SimKms(PRIVATE_KEY, clock, () => choice.next() < 0.5);
  const chain = new SimChain(clock, kms);
  const observations = new Observations(schedule.consistency);
  dynamo.observers.push((e) => observations.onWrite(e));
  /** Lease moves the operator's own writes applied (region@epoch), whatever the reply said. */
  const movesApplied = new Set<string>();
  /** The same for remediation's lease moves, by invocation (remediation#<delivery>:region@epoch). */
  const remediationMovesApplied = new Set<string>();
  dynamo.observers.push((e) => {
    if (!String(e.after.pk).startsWith('LEASE#') || e.after.epoch === e.before?.epoch) return;
    const move = `${String(e.after.activeRegion)}@${String(e.after.epoch)}`;
    if (e.actorRegion === 'operator') movesApplied.add(move);
    if (e.actorRegion.startsWith('remediation#')) remediationMovesApplied.add(`${e.actorRegion}:${move}`);
  });
  // Every decision remediation recorded (its audit item), by alarm transition.
  dynamo.observers.push((e) => {
    if (e.after.kind === 'remediation-decision') observations.onRemediationDecided(String(e.after.transitionId));
  });
  for (const r of REGIONS) {
    sqs.create({ url: dlqUrl(r) });
    sqs.create({ url: queueUrl(r), deadLetterUrl: dlqUrl(r), maxReceiveCount: 5 });
  }
  const bug = bugSeams(options.bug);
  const sweepOps = schedule.sweeps ?? [];
  const policy = torturePolicy(schedule.requests.length, sweepOps.length > 0);
  if (options.spendingPolicy !== false) observations.policy = policy;
  const gateFor = (ledger: Ledger, region: string) =>
    options.spendingPolicy === false
      ? undefined
      : createSpendingGate({
          policy: () => policy,
          ledger,
          consistency: schedule.consistency,
          region,
          now: wallClock(region),
        });

  // Fault layer state.
  const faultAt = new Map(schedule.faults.filter((f) => f.command === undefined).map((f) => [f.call, f]));
  const targeted = new Map(
    schedule.faults.filter((f) => f.command !== undefined).map((f) => [`${f.command}#${f.call}`, f]),
  );
  const perCommand = new Map<string, number>();
  const sweepFaultAt = new Map(
    (schedule.sweepFaults ?? []).filter((f) => f.command === undefined).map((f) => [f.call, f]),
  );
  const sweepTargeted = new Map(
    (schedule.sweepFaults ?? []).filter((f) => f.command !== undefined).map((f) => [`${f.command}#${f.call}`, f]),
  );
  let sweeperCalls = 0;
  const faultCounts = Object.fromEntries(
    [
      'lost-response',
      'timeout',
      'throttle',
      'pause',
      'duplicate',
      'partition',
      'isolation',
      'skew',
      'failover',
      'remediation-failover',
      ...CHAIN_FAULT_KINDS.map((k) => `provider-${k}`),
    ].map((k) => [k, 0]),
  ) as Record<FaultKind, number>;
  let calls = 0;
  const callsBy = new Map<string, number>();
  let faultsActive = true;
  const isolated = new Set<string>();

  const networkError = () =>
    Object.assign(new Error('connect ETIMEDOUT (region isolated)'), { name: 'TimeoutError', $retryable: {} });
  const throttled = () =>
    Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $retryable: { throttling: true } });

  const actors = new Map<string, ActorContext>();
  const actorOf = (role: Role, region: string, instance?: string): ActorContext => {
    const key = `${role}#${instance ?? ''}@${region}`;
    let a = actors.get(key);
    if (a === undefined) {
      // The operator and each remediation invocation are named for who they are (their writes are
      // told apart by it).
      const identity = role === 'operator' ? role : role === 'remediation' ? `remediation#${instance}` : region;
      a = {
        name: `${role}-${region}${instance === undefined ? '' : `-${instance}`}`,
        region: identity,
        scratch: new Map(),
      };
      actors.set(key, a);
    }
    return a;
  };

  async function apply(
    actor: ActorContext,
    service: Service,
    region: string,
    command: string,
    input: Record<string, unknown>,
  ) {
    if (service === 'dynamodb') {
      const seamed = bug.beforeDynamo(actor, command, input);
      let out: Record<string, unknown>;
      try {
        out = dynamo.handle(region, actor.region, command, seamed);
      } catch (err) {
        options.recordDynamo?.({ region, command, input: structuredClone(seamed), error: (err as Error).name });
        throw err;
      }
      options.recordDynamo?.({ region, command, input: structuredClone(seamed), output: structuredClone(out) });
      return bug.afterDynamo(actor, command, seamed, out);
    }
    if (service === 'kms') return kms.handle(region, command, input);
    switch (command) {
      case 'SendMessageCommand': {
        const id = sqs.send(
          String(input.QueueUrl),
          String(input.MessageBody),
          input.MessageGroupId as string | undefined,
          input.MessageDeduplicationId as string | undefined,
        );
        // The client checks the body's MD5 the service returns (InvalidChecksumError otherwise).
        return { MessageId: id, MD5OfMessageBody: md5(String(input.MessageBody)) };
      }
      case 'ReceiveMessageCommand': {
        const got = sqs.receive(
          String(input.QueueUrl),
          Number(input.MaxNumberOfMessages ?? 1),
          Number(input.VisibilityTimeout ?? 30) * 1000,
        );
        return {
          Messages: got.map((m) => ({
            MessageId: m.id,
            Body: m.body,
            MD5OfBody: md5(m.body),
            ReceiptHandle: m.receipt,
          })),
        };
      }
      case 'DeleteMessageCommand':
        sqs.delete(String(input.QueueUrl), String(input.ReceiptHandle));
        return {};
      default:
        throw new Error(`the torture harness's SQS does not answer ${command}; extend torture/run.ts`);
    }
  }

  async function dispatch(
    role: Role,
    service: Service,
    region: string,
    command: string,
    input: Record<string, unknown>,
    instance?: string,
  ) {
    await scheduler.gate();
    const actor = actorOf(role, region, instance);
    callsBy.set(`${role}:${command}`, (callsBy.get(`${role}:${command}`) ?? 0) + 1);
    // The sweeper's calls have their own fault stream (Schedule.sweepFaults): the other actors' calls
    // are counted as before the sweeper joined, so a seed's faults land on the same calls.
    const sweeper = role === 'sweeper';
    const n = sweeper ? ++sweeperCalls : ++calls;
    if (isolated.has(region) || isolated.has(actor.region)) throw networkError();
    const counted = sweeper ? `sweeper:${command}` : command;
    const nth = (perCommand.get(counted) ?? 0) + 1;
    perCommand.set(counted, nth);
    const fault = !faultsActive
      ? undefined
      : sweeper
        ? (sweepFaultAt.get(n) ?? sweepTargeted.get(`${command}#${nth}`))
        : (faultAt.get(n) ?? targeted.get(`${command}#${nth}`));
    if (fault === undefined) return apply(actor, service, region, command, input);
    faultCounts[fault.kind] += 1;
    switch (fault.kind) {
      case 'pause':
        await scheduler.sleep(fault.ms ?? 1000);
        return apply(actor, service, region, command, input);
      case 'throttle':
        throw throttled();
      case 'timeout':
        // The request may or may not have reached the service before the client gave up.
        if (fault.call % 2 === 0) await apply(actor, service, region, command, input).catch(() => undefined);
        throw Object.assign(new Error('Request timed out after all attempts'), {
          name: 'TimeoutError',
          $retryable: {},
        });
      case 'duplicate':
        if (service === 'sqs' && command === 'SendMessageCommand') {
          sqs.duplicate(String(input.QueueUrl), String(input.MessageBody), input.MessageGroupId as string | undefined);
        }
        return apply(actor, service, region, command, input);
      case 'lost-response': {
        // Applied, the reply dropped; the SDK retries the same request, and its answer is what the caller sees.
        let firstFailed = false;
        const key = (input.Key ?? input.Item) as Record<string, unknown> | undefined;
        const before = service === 'dynamodb' && key !== undefined ? dynamo.replica(region).get(key) : undefined;
        await apply(actor, service, region, command, input).catch(() => {
          firstFailed = true;
        });
        try {
          return await apply(actor, service, region, command, input);
        } catch (err) {
          if (!firstFailed && err instanceof ConditionalCheckFailedException)
            bug.onOwnWriteMissed(actor, input, before);
          throw err;
        }
      }
    }
  }

  bindRun(dispatch);
  const clientsOf = (role: Role): Record<string, RegionClients> =>
    Object.fromEntries(REGIONS.map((r) => [r, roleClients(role, r)]));
  const apiClients = clientsOf('api');
  const signerClients = clientsOf('signer');
  const clients = clientsOf('operator');
  const ledgerOf = (c: Record<string, RegionClients>): Record<string, Ledger> =>
    Object.fromEntries(REGIONS.map((r) => [r, { ddb: c[r].ddb, tableName: TABLE }]));
  const ledgers = ledgerOf(clients);
  const skew = (r: string) => schedule.skewMs[r === primary ? 0 : 1];
  const wallClock = (r: string) => () => new Date(Date.UTC(2026, 0, 1) + scheduler.now + skew(r));
  if (schedule.skewMs[0] !== 0 || schedule.skewMs[1] !== 0) faultCounts['skew' as FaultKind] += 1;

  // The chain's RPC providers (one set: the same providers serve both regions) and, per region and
  // role, the real provider pool over them (each Lambda container has its own pool and health view).
  const providers = CHAIN_PROVIDERS.map(
    (name, i) =>
      new SimProvider(
        name,
        chain,
        CHAIN_ID,
        (schedule.chainFaults ?? []).filter((f) => f.provider === i),
        {
          clock,
          sleep: (ms) => scheduler.sleep(ms),
          timeoutMs: POOL_LIMITS.requestTimeoutMs,
          onFault: (e) => {
            faultCounts[`provider-${e.kind}` as FaultKind] += 1;
          },
        },
      ),
  );
  const poolOf = (region: string) => {
    const clients = providers.map((p) => p.client());
    const pool = new ProviderPool({
      chainId: CHAIN_ID,
      providers: CHAIN_PROVIDERS.map((name) => ({ name, url: `https://${name}.torture.invalid` })),
      limits: POOL_LIMITS,
      now: () => wallClock(region)().getTime(),
      clientFor: (p) => clients[CHAIN_PROVIDERS.indexOf(p.name as (typeof CHAIN_PROVIDERS)[number])],
    });
    return { pool, clients };
  };
  const signerPools = Object.fromEntries(REGIONS.map((r) => [r, poolOf(r)]));
  const operatorPools = Object.fromEntries(REGIONS.map((r) => [r, poolOf(r)]));
  /** Reconciliation's chain-nonce source in `region`, every answer it acts on recorded with the network's truth. */
  const nonceSourceOf = (region: string): ChainNonceSource => {
    const source = bug.nonceSource(operatorPools[region].pool, operatorPools[region].clients);
    return {
      name: source.name,
      pendingNonce: async (address) => {
        const truth = chain.confirmedCount(address);
        const answer = await source.pendingNonce(address);
        observations.onNonceRead({ region, source: source.name, answer, truth, at: scheduler.now });
        return answer;
      },
    };
  };
  // Every transaction recorded as broadcast, with whether the network held it at that moment.
  dynamo.observers.push((e) => {
    const { after, before } = e;
    if (!String(after.sk).startsWith('TX#') || after.status !== 'broadcast' || before?.status === 'broadcast') return;
    if (after.txHash === undefined) return;
    observations.onBroadcastRecorded({
      txId: String(after.txId),
      txHash: String(after.txHash),
      nonce: Number(after.nonce),
      by: e.actorRegion,
      networkHasIt: chain.knows(String(after.txHash)),
      at: scheduler.now,
    });
  });

  // Handler error lines, kept for the report (a logger that records instead of printing).
  const errorsSeen: string[] = [];
  const recordingLogger = (who: string) => {
    const logger = silentLogger();
    const original = logger.error.bind(logger);
    logger.error = ((message: string, ...rest: unknown[]) => {
      const detail = rest[0] as { error?: Error; reason?: string } | undefined;
      errorsSeen.push(
        `${who}: ${message}${detail?.error ? `: ${detail.error.name}: ${detail.error.message}` : detail?.reason ? `: ${detail.reason}` : ''}`,
      );
      original(message, ...(rest as []));
    }) as typeof logger.error;
    return logger;
  };

  // Setup, outside the fault layer.
  let txIds = 0;
  const apis = Object.fromEntries(
    REGIONS.map((r) => {
      const env: ApiEnv = {
        region: r,
        tableName: TABLE,
        signingQueueUrl: queueUrl(r),
        chainId: CHAIN_ID,
        consistency: schedule.consistency,
      } as ApiEnv;
      return [
        r,
        createApiHandler({
          env,
          ledger: ledgerOf(apiClients)[r],
          spending: gateFor(ledgerOf(apiClients)[r], r),
          sqs: apiClients[r].sqs,
          logger: recordingLogger(`api-${r}`),
          now: wallClock(r),
          newTxId: () => {
            const n = (++txIds).toString(16).padStart(12, '0');
            return `00000000-0000-4000-8000-${n}`;
          },
        }),
      ];
    }),
  );
  const signers = Object.fromEntries(
    REGIONS.map((r) => {
      const env: SignerEnv = {
        region: r,
        tableName: TABLE,
        signingKeyArn: kms.keyArn(r),
        chainId: CHAIN_ID,
        consistency: bug.signerConsistency(schedule.consistency),
      } as SignerEnv;
      const key = new KmsSigningKey(signerClients[r].kms, kms.keyArn(r), {
        hooks: { sleep: (ms) => scheduler.sleep(ms), random: () => 0.5 },
      });
      return [
        r,
        createSigner({
          env,
          ledger: ledgerOf(signerClients)[r],
          spending: gateFor(ledgerOf(signerClients)[r], r),
          key,
          logger: recordingLogger(`signer-${r}`),
          broadcaster: bug.broadcaster(signerPools[r].pool),
          now: wallClock(r),
          // The hand-off of a message this region cannot sign (issue 15, scenario 3).
          forward: async (holder: string, message: ForwardedMessage) => {
            const body = JSON.stringify(message);
            await signerClients[r].sqs.send(
              new SendMessageCommand({
                QueueUrl: queueUrl(holder),
                MessageBody: body,
                MessageGroupId: 'walletId' in message ? message.walletId : 'fill-gap',
                MessageDeduplicationId: `fwd-${'txId' in message ? message.txId : `gap-${message.nonce}`}-${scheduler.now}`,
              }),
            );
          },
        }),
      ];
    }),
  );

  // World state the actors share.
  let dnsTarget: string = primary;
  /** The failover switch (the standby's switch metric; its alarm is what Route 53 follows). */
  let switchOn = false;
  const signerEnabled: Record<string, boolean> = { [primary]: true, [standby]: true };
  const signerBusy: Record<string, boolean> = { [primary]: false, [standby]: false };
  let stopping = false;
  let clientsDone = 0;
  let sweepsDone = 0;

  const bootstrap = async () => {
    const ledger = ledgers[primary];
    await putWallet(ledger, {
      walletId: WALLET,
      address: kms.address,
      status: 'active',
      createdAt: '2026-01-01T00:00:00.000Z',
    });
    await initLease(ledger, { address: kms.address, region: primary, actor: 'torture', now: wallClock(primary)() });
    if (sweepOps.length > 0) {
      await putWallet(ledger, {
        walletId: SWEEP_WALLET,
        address: kms.address,
        status: 'active',
        createdAt: '2026-01-01T00:00:00.000Z',
      });
      chain.fund(kms.address, SWEEP_CEILING_WEI + BigInt(schedule.sweepExcessWei ?? '0'));
    }
    dynamo.deliver(true);
  };
  faultsActive = false;
  const boot = scheduler.spawn(bootstrap);
  await scheduler.drive(1_000, STEP_MS);
  await boot;
  faultsActive = true;
  calls = 0;

  // Clients: one per request, retrying with the same key until a 202 or a final answer.
  for (const req of schedule.requests) {
    void scheduler.spawn(async () => {
      await scheduler.sleep(req.at);
      for (let attempt = 0; attempt < 8 && !stopping; attempt++) {
        const region = req.via === 'dns' ? dnsTarget : REGIONS[req.via];
        const call = ++calls;
        const fault = faultsActive ? faultAt.get(call) : undefined;
        let status = 0; // 0: no answer reached the client
        let body: { txId?: string } = {};
        if (!isolated.has(region)) {
          const res = await apis[region](apiEvent(req.key, String(scheduler.now)));
          status = res.statusCode;
          body = JSON.parse(res.body) as { txId?: string };
          if (fault?.kind === 'lost-response' || fault?.kind === 'timeout') {
            faultCounts[fault.kind] += 1;
            status = 0; // accepted, but the client never heard
          }
        }
        observations.onApiAnswer(req.key, region, status, body.txId);
        if (status === 202 || (status >= 400 && status < 500)) break;
        await scheduler.sleep(2_000 + attempt * 2_000);
      }
      clientsDone += 1;
    });
  }

  // Signer pollers: the SQS event source mapping of each region (batches of up to 3).
  for (const r of REGIONS) {
    void scheduler.spawn(async () => {
      let invocation = 0;
      while (!stopping) {
        if (!signerEnabled[r] || isolated.has(r)) {
          await scheduler.sleep(2_000);
          continue;
        }
        signerBusy[r] = true;
        const messages = sqs.receive(queueUrl(r), 3, 30_000);
        if (messages.length === 0) {
          signerBusy[r] = false;
          await scheduler.sleep(1_000);
          continue;
        }
        actorOf('signer', r).scratch.clear();
        invocation += 1;
        const event = {
          Records: messages.map((m) => ({
            messageId: m.id,
            receiptHandle: m.receipt,
            body: m.body,
            attributes: { ApproximateReceiveCount: String(m.receiveCount), MessageGroupId: m.groupId ?? WALLET },
            messageAttributes: {},
            md5OfBody: '',
            eventSource: 'aws:sqs',
            eventSourceARN: `arn:aws:sqs:${r}:111122223333:torture-signing.fifo`,
            awsRegion: r,
          })),
        } as unknown as SQSEvent;
        let failed = new Set(messages.map((m) => m.id));
        try {
          const res = await signers[r].handler(event);
          failed = new Set(res.batchItemFailures.map((f) => f.itemIdentifier));
        } catch {
          // the whole batch returns to the queue
        }
        for (const m of messages) if (!failed.has(m.id) && m.receipt) sqs.delete(queueUrl(r), m.receipt);
        signerBusy[r] = false;
        void invocation;
        await scheduler.gate();
      }
    });
  }

  // The replicator (MREC): copies due writes, unless partitioned.
  if (schedule.consistency === 'MREC') scheduler.onTick = () => dynamo.deliver();

  const storeOf = (r: string) => ({ ddb: clients[r].ddb, tableName: TABLE });
  const holderSeenFrom = async (r: string): Promise<Lease | undefined> => readLease(storeOf(r), kms.address);
  const stopSigner = async (r: string) => {
    signerEnabled[r] = false;
    while (signerBusy[r]) await scheduler.sleep(200);
  };

  async function reconcile(region: string, actor: string) {
    await reconcileAfterFailover({
      ledger: ledgers[region],
      address: kms.address,
      region,
      chain: nonceSourceOf(region),
      actor,
      reason: 'torture: after a lease move',
      confirmOldSignerStopped: true,
      now: wallClock(region)(),
    });
  }

  const handoff = (region: string) =>
    handOffStrandedWork({
      ledger: storeOf(region),
      sqs: clients[region].sqs,
      address: kms.address,
      queueUrlFor: queueUrl,
      deadLetterQueueUrls: REGIONS.map(dlqUrl),
      actor: 'torture-operator',
      now: wallClock(region)(),
    });

  /** The drill's failover step: move the lease, throw the switch, hand off, and under MREC stop the old signer and reconcile. */
  async function failover() {
    const seen = await holderSeenFrom(dnsTarget);
    const from = seen?.activeRegion ?? dnsTarget;
    const to = other(from);
    try {
      await moveLease(storeOf(to), {
        address: kms.address,
        toRegion: to,
        actor: 'drill',
        reason: 'torture failover',
        isTargetHealthy: async () => ({ healthy: true, reasons: [] }),
        now: wallClock(to)(),
      });
    } catch (err) {
      if (err instanceof LeaseConflictError) {
        // The drill prints "nothing was changed" and stops: record what it claimed, for the check
        // that operator-visible reports are true (torture/invariants/reports-are-true.ts).
        const now = dynamo.replica(to).get({ ...ledgerKeys.lease(kms.address) });
        observations.onNothingChangedReport({
          step: `failover ${from} -> ${to}`,
          epochBefore: seen?.epoch ?? 0,
          leaseNow: {
            region: String(now?.activeRegion),
            epoch: Number(now?.epoch),
            by: String(now?.updatedBy),
            reason: String(now?.reason),
          },
          ownMoveApplied: movesApplied.has(`${to}@${(seen?.epoch ?? 0) + 1}`),
        });
        return;
      }
      throw err;
    }
    faultCounts['failover' as FaultKind] += 1;
    await scheduler.sleep(Math.floor(choice.next() * 5_000)); // detection and DNS catch up
    dnsTarget = to;
    switchOn = to === standby; // the drill throws the switch on a failover and resets it on a failback
    if (schedule.consistency === 'MREC') {
      await stopSigner(from);
      signerEnabled[to] = true;
    }
    await handoff(to);
    if (schedule.consistency === 'MREC') await reconcile(to, 'drill');
  }

  async function fillGaps(region: string) {
    for (const gap of await findNonceGaps(storeOf(region), kms.address)) {
      if (gap.kind === 'quarantined-tx') {
        // The runbook: its nonce is empty on chain and only a quarantined transaction's reservation
        // holds it; nothing was signed there, so the operator cancels it (then fills the nonce).
        const reservation = await getReservation(ledgers[region], kms.address, gap.nonce);
        if (chain.slots.get(kms.address)?.has(gap.nonce) || reservation?.walletId === undefined) continue;
        await resolveQuarantined({
          ledger: ledgers[region],
          walletId: String(reservation.walletId),
          txId: String(gap.owner),
          resolution: { kind: 'cancel' },
          actor: 'torture-operator',
          evidence: `chain has nothing at nonce ${gap.nonce}; only this quarantined transaction's reservation holds it`,
          now: wallClock(region)(),
        });
        continue;
      }
      await clients[region].sqs.send(
        new SendMessageCommand({
          QueueUrl: queueUrl(region),
          MessageBody: JSON.stringify({ kind: 'fill-gap', nonce: gap.nonce, ...FEES }),
          MessageGroupId: 'fill-gap',
          MessageDeduplicationId: `gap-${gap.nonce}-${scheduler.now}`,
        }),
      );
    }
  }

  /** The runbook's way out of quarantine: on chain if the chain has it; a nonce-holding one nobody can mine is cancelled (then its nonce is filled). */
  async function resolveQuarantine(region: string) {
    for (const listed of await listTransactionsByStatus(ledgers[region], kms.address, 'quarantined')) {
      const tx = await getTransaction(ledgers[region], listed.walletId, listed.txId, true);
      if (tx?.status !== 'quarantined' || tx.nonce === undefined) continue;
      const slot = chain.slots.get(kms.address)?.get(tx.nonce);
      const resolution =
        slot !== undefined && slot.hash === tx.txHash
          ? ({ kind: 'onchain', txHash: slot.hash } as const)
          : slot === undefined
            ? ({ kind: 'cancel' } as const)
            : undefined;
      if (resolution === undefined) continue; // another payload holds its nonce on chain: it stays quarantined with its reason
      await resolveQuarantined({
        ledger: ledgers[region],
        walletId: tx.walletId,
        txId: tx.txId,
        resolution,
        actor: 'torture-operator',
        evidence:
          slot === undefined ? `chain has nothing at nonce ${tx.nonce}` : `chain slot ${tx.nonce} holds ${slot.hash}`,
        now: wallClock(region)(),
      });
    }
  }

  const attempt = async (what: () => Promise<unknown>) => {
    try {
      await what();
    } catch {
      // an operator step that failed (a fault, a conflict) is tried again at the next step
    }
  };

  // Remediation: the standby's real handler (decide, claim, reserve, move the lease, throw the
  // switch), each delivery of an alarm transition its own actor racing the operator. Its ports are
  // the production adapters on the simulated ledger (claims, budget, region control, leases, audit);
  // only what lives outside the ledger is an in-process stand-in: the alarm reads (the primary looks
  // down from every vantage point, the standby healthy, the switch alarm follows the switch), the
  // switch itself (Route 53 follows it after a detection delay) and SNS (recorded).
  const remediationConfig: RemediationConfig = {
    envName: REMEDIATION_ENV,
    region: standby,
    role: 'standby',
    primaryRegion: primary,
    standbyRegion: standby,
    consistency: schedule.consistency,
    mode: 'auto',
    // Two per window, so a second transition can fail over again after a failback.
    maxFailoversPerWindow: 2,
    windowMinutes: 60,
    tableName: TABLE,
    topicArn: `arn:aws:sns:${standby}:111122223333:torture-alerts`,
    signingKeyArn: kms.keyArn(standby),
  };
  const alarmStates = (): Record<string, ObservedAlarmState> => ({
    [alarmKey(standby, regionalAlarmName(REMEDIATION_ENV, standby, 'peerDeepHealth'))]: 'ALARM',
    [alarmKey(standby, regionalAlarmName(REMEDIATION_ENV, standby, 'publicNameCanary'))]: 'ALARM',
    [alarmKey(primary, regionalAlarmName(REMEDIATION_ENV, primary, 'regionImpaired'))]: 'ALARM',
    [alarmKey(DNS_ALARM_REGION, dnsAlarmName(REMEDIATION_ENV, 'primaryEndpointUnhealthy'))]: 'ALARM',
    [alarmKey(standby, failoverSwitchAlarmName(REMEDIATION_ENV))]: switchOn ? 'ALARM' : 'OK',
  });
  const notifications: string[] = [];
  // One handler (one container: its own clients) per delivery, so each invocation's writes are its own.
  const remediationHandler = (delivery: number) => {
    const remediationStore = { ddb: roleClients('remediation', standby, `d${delivery}`).ddb, tableName: TABLE };
    return createRemediationHandler({
      config: remediationConfig,
      alarms: {
        async read(groups) {
          await scheduler.gate();
          const known = alarmStates();
          const states: Record<string, ObservedAlarmState> = {};
          for (const g of groups)
            for (const n of g.alarmNames) states[alarmKey(g.region, n)] = known[alarmKey(g.region, n)] ?? 'OK';
          return { states, readErrors: {} };
        },
      },
      regionControl: ledgerRegionControl(remediationStore, wallClock(standby)),
      leases: ledgerLeases(remediationStore, async () => [kms.address]),
      switch: {
        async throwOn(reason) {
          await scheduler.gate();
          switchOn = true;
          faultCounts['remediation-failover' as FaultKind] += 1;
          // Route 53 follows the switch's alarm after detection (the same delay as the drill's).
          const delay = Math.floor(choice.next() * 5_000);
          scheduler.at(scheduler.now + delay, () => {
            if (switchOn) dnsTarget = standby;
          });
          return {
            region: standby,
            envName: REMEDIATION_ENV,
            position: 'on' as const,
            namespace: FAILOVER_SWITCH_NAMESPACE,
            metricName: FAILOVER_SWITCH_METRIC,
            dimensions: failoverSwitchDimensions(REMEDIATION_ENV),
            value: switchValue('on'),
            timestamp: wallClock(standby)().toISOString(),
            reason,
          };
        },
      },
      budget: ledgerFailoverBudget(remediationStore),
      claims: ledgerClaims(remediationStore, standby),
      notifier: {
        async publish(severity, subject) {
          await scheduler.gate();
          notifications.push(`${severity}: ${subject}`);
        },
      },
      audit: ledgerAudit(remediationStore, standby),
      now: wallClock(standby),
      log: () => undefined,
    });
  };

  /** One delivery of an alarm transition, with Lambda's asynchronous retries (twice, 1 min then 2 min later). */
  async function remediate(transition: number, delivery: number) {
    const changedAt = new Date(Date.UTC(2026, 0, 1) + transition * 1_000).toISOString();
    const event = {
      id: `event-${transition}-${delivery}`,
      'detail-type': 'CloudWatch Alarm State Change',
      source: 'aws.cloudwatch',
      account: '111122223333',
      time: changedAt,
      region: standby,
      detail: {
        alarmName: regionalAlarmName(REMEDIATION_ENV, standby, 'peerDeepHealth'),
        state: { value: 'ALARM', reason: 'torture: the standby cannot reach the primary', timestamp: changedAt },
        previousState: { value: 'OK', reason: '', timestamp: changedAt },
      },
    };
    const transitionId = parseAlarmEvent(event).id;
    observations.onAlarmDelivered(transitionId);
    const remediation = remediationHandler(delivery);
    for (let attempt = 0; attempt < 3; attempt++) {
      // "If the function returns an error, by default Lambda attempts to run it two more times, with
      // a one-minute wait between the first two attempts, and two minutes between the second and
      // third attempts." (Lambda, asynchronous invocation error handling)
      if (attempt > 0) await scheduler.sleep(attempt === 1 ? 60_000 : 120_000);
      actorOf('remediation', standby, `d${delivery}`).scratch.clear();
      const epochBefore = Number(dynamo.replica(standby).get({ ...ledgerKeys.lease(kms.address) })?.epoch ?? 0);
      try {
        const result = await remediation(event, {
          awsRequestId: `remediation-${delivery}-${attempt}`,
          getRemainingTimeInMillis: () => 30_000,
        });
        for (const o of result.executed) {
          if (o.action.type !== 'move-lease' || o.ok || !o.detail.startsWith('LeaseConflictError')) continue;
          // An expected refusal: remediation tells the operator it changed nothing.
          const now = dynamo.replica(standby).get({ ...ledgerKeys.lease(kms.address) });
          observations.onNothingChangedReport({
            step: `remediation ${transitionId} (delivery ${delivery}, attempt ${attempt})`,
            epochBefore,
            leaseNow: {
              region: String(now?.activeRegion),
              epoch: Number(now?.epoch),
              by: String(now?.updatedBy),
              reason: String(now?.reason),
            },
            ownMoveApplied: remediationMovesApplied.has(
              `remediation#d${delivery}:${standby}@${o.action.expectedEpoch + 1}`,
            ),
          });
        }
        observations.onRemediationAnswered(transitionId, result.verdict);
        return;
      } catch {
        // the invocation failed: Lambda retries it
      }
    }
    // Every attempt failed: the event goes to the function's dead-letter queue (operator-visible).
    observations.onAlarmDeadLettered(transitionId);
  }
  let remediationsDone = 0;
  const remediationOps = schedule.ops.filter((op) => op.op === 'remediate');
  remediationOps.forEach((op, delivery) => {
    void scheduler.spawn(async () => {
      try {
        await scheduler.sleep(op.at);
        await remediate(op.transition ?? 0, delivery);
      } finally {
        remediationsDone += 1;
      }
    });
  });

  // The sweeper (lambda/sweeper): each scheduled invocation is the real handler in its own container
  // (its own clients, provider pool and in-process API intake with the spending gate), racing the
  // clients, the signers, the drill and remediation; `copies: 2` is a duplicated invocation. Before
  // each run the harness notes the truth a sweep decided in that run is judged by (invariants
  // sweep-within-excess and the others): the balance on chain, the transactions then unmined.
  const sweepSettings: SweeperSettings = {
    coldAddress: COLD_ADDRESS,
    floatCeilingWei: SWEEP_CEILING_WEI.toString(),
    minimumSweepWei: SWEEP_MINIMUM_WEI.toString(),
    sweepWalletId: SWEEP_WALLET,
  };
  if (sweepOps.length > 0) {
    observations.sweep = { walletId: SWEEP_WALLET, coldAddress: COLD_ADDRESS, ceilingWei: SWEEP_CEILING_WEI };
    const unmined = new Set<string>(UNMINED_STATUSES);
    const closed = new Set(['confirmed', 'cancelled', 'rejected', 'expired']);
    // Every sweep transaction created, with the other sweep transactions then open in its replica.
    dynamo.observers.push((e) => {
      if (e.before !== undefined || !String(e.after.sk).startsWith('TX#') || e.after.walletId !== SWEEP_WALLET) return;
      const openBeside: string[] = [];
      for (const { item } of dynamo.replica(e.replica === 'global' ? primary : e.replica).items.values()) {
        if (item.walletId !== SWEEP_WALLET || !String(item.sk).startsWith('TX#') || item.txId === e.after.txId)
          continue;
        if (!closed.has(String(item.status))) openBeside.push(String(item.txId));
      }
      observations.sweepOpenings.push({ replica: e.replica, txId: String(e.after.txId), openBeside });
    });
    const truthNow = () => {
      const pending = new Set<string>();
      for (const r of REGIONS) {
        for (const { item } of dynamo.replica(r).items.values()) {
          if (!String(item.sk).startsWith('TX#') || String(item.address).toLowerCase() !== kms.address.toLowerCase())
            continue;
          if (unmined.has(String(item.status))) pending.add(String(item.txId));
        }
      }
      return {
        at: scheduler.now,
        balanceWei: chain.balanceAt(kms.address, scheduler.now),
        unmined: [...pending],
        minedHashes: new Set(chain.minedAt(kms.address, scheduler.now).map((a) => a.hash.toLowerCase())),
      };
    };
    const busy = new Set<string>();
    let sweepIds = 0;
    const sweepOnce = async (region: string) => {
      let n = 0;
      while (busy.has(`${region}#s${n}`)) n++;
      const instance = `s${n}`;
      busy.add(`${region}#${instance}`);
      try {
        actorOf('sweeper', region, instance).scratch.clear();
        const c = roleClients('sweeper', region, instance);
        const ledger = { ddb: c.ddb, tableName: TABLE };
        const consistency = bug.sweeperConsistency(schedule.consistency);
        const api = createApiHandler({
          env: {
            region,
            tableName: TABLE,
            signingQueueUrl: queueUrl(region),
            chainId: CHAIN_ID,
            consistency,
          } as ApiEnv,
          ledger,
          spending: gateFor(ledger, region),
          sqs: c.sqs,
          logger: recordingLogger(`sweeper-${region}`),
          now: wallClock(region),
          newTxId: () => `00000000-0000-4000-8000-${(++txIds).toString(16).padStart(12, '0')}`,
        });
        const { pool } = poolOf(region);
        const truth = truthNow();
        const sweeper = createSweeper({
          region,
          envName: REMEDIATION_ENV,
          ledger,
          settings: sweepSettings,
          chainId: CHAIN_ID,
          consistency,
          balance: (address) => pool.read('eth_getBalance', (client) => client.getBalance({ address: address as Hex })),
          chainNonce: poolHighestNonceSource(pool),
          fees: async () => ({
            maxFeePerGas: BigInt(FEES.maxFeePerGas),
            maxPriorityFeePerGas: BigInt(FEES.maxPriorityFeePerGas),
          }),
          intake: apiIntake(api, () => SWEEPER_ARN),
          logger: recordingLogger(`sweeper-${region}`),
          emitMetrics: () => undefined,
          now: wallClock(region),
          newSweepId: () => {
            const id = `sweep-${++sweepIds}`;
            observations.sweepDecisions.set(id, { region, ...truth });
            return id;
          },
        });
        await sweeper.run();
      } catch {
        // a failed run (a fault): the next scheduled one tries again
      } finally {
        busy.delete(`${region}#${instance}`);
      }
    };
    for (const op of sweepOps) {
      for (let copy = 0; copy < (op.copies ?? 1); copy++) {
        void scheduler.spawn(async () => {
          try {
            await scheduler.sleep(op.at);
            if (!stopping) await sweepOnce(REGIONS[op.region]);
          } finally {
            sweepsDone += 1;
          }
        });
      }
    }
  }
  const sweepRunsTotal = sweepOps.reduce((n, op) => n + (op.copies ?? 1), 0);

  // The operator: the schedule's operations during the fault window, then the runbook until settled.
  let settled = false;
  void scheduler.spawn(async () => {
    for (const op of schedule.ops) {
      if (op.at > scheduler.now) await scheduler.sleep(op.at - scheduler.now);
      for (const r of REGIONS) actorOf('operator', r).scratch.clear();
      const region = op.region === undefined ? undefined : REGIONS[op.region];
      switch (op.op) {
        case 'failover':
          await attempt(failover);
          break;
        case 'reconcile':
          if (schedule.consistency === 'MREC') {
            const lease = await holderSeenFrom(dnsTarget).catch(() => undefined);
            if (lease !== undefined) await attempt(() => reconcile(lease.activeRegion, 'operator'));
          }
          break;
        case 'gaps':
          await attempt(() => fillGaps(dnsTarget));
          break;
        case 'partition':
          dynamo.partitioned = true;
          faultCounts['partition' as FaultKind] += 1;
          break;
        case 'heal-partition':
          dynamo.partitioned = false;
          break;
        case 'isolate':
          if (region !== undefined) {
            isolated.add(region);
            faultCounts['isolation' as FaultKind] += 1;
          }
          break;
        case 'restore':
          if (region !== undefined) isolated.delete(region);
          break;
        case 'remediate':
          break; // its own actor (above)
      }
    }
    if (scheduler.now < schedule.healAt) await scheduler.sleep(schedule.healAt - scheduler.now);
    // Every fault heals.
    faultsActive = false;
    isolated.clear();
    dynamo.partitioned = false;
    dynamo.deliver(true);
    observations.healedAt = scheduler.now;
    const deadline = scheduler.now + SETTLE_BOUND_MS - 20_000;
    while (scheduler.now < deadline) {
      for (const r of REGIONS) actorOf('operator', r).scratch.clear();
      dynamo.deliver(true);
      const lease = await holderSeenFrom(primary);
      if (lease === undefined) break;
      const holder = lease.activeRegion;
      dnsTarget = holder;
      switchOn = holder === standby;
      if (schedule.consistency === 'MREC') {
        await stopSigner(other(holder));
        signerEnabled[holder] = true;
        await attempt(() => reconcile(holder, 'runbook'));
      } else {
        signerEnabled[primary] = true;
        signerEnabled[standby] = true;
      }
      await attempt(() => handoff(holder));
      await attempt(() => resolveQuarantine(holder));
      await attempt(() => fillGaps(holder));
      // Wait while the signers work, then look (the harness reads the replica directly: not an operator call).
      await scheduler.sleep(1_000);
      for (let waited = 0; waited < 15_000 && !quiet(); waited += 1_000) await scheduler.sleep(1_000);
      const othersDone = () => remediationsDone === remediationOps.length && sweepsDone === sweepRunsTotal;
      if (quiet() && (clientsDone < schedule.requests.length || !othersDone())) await scheduler.sleep(5_000);
      if (clientsDone === schedule.requests.length && othersDone() && quiet()) {
        settled = true;
        break;
      }
    }
    stopping = true;
  });

  /** Nothing left to do: no message queued anywhere, no open transaction, every handed-out nonce on chain. */
  function quiet(): boolean {
    if (REGIONS.some((r) => sqs.depth(queueUrl(r)) + sqs.depth(dlqUrl(r)) > 0)) return false;
    for (const { item } of dynamo.replica(primary).items.values()) {
      if (String(item.sk).startsWith('TX#') && ['queued', 'nonce-assigned', 'signed'].includes(String(item.status)))
        return false;
    }
    const lease = dynamo.replica(primary).get({ ...ledgerKeys.lease(kms.address) });
    return chain.confirmedCount(kms.address) >= Number(lease?.nextNonce ?? 0);
  }

  const finished = await scheduler.drive(schedule.healAt + SETTLE_BOUND_MS + 60_000, STEP_MS);
  stopping = true;
  bindRun(undefined);
  dynamo.deliver(true);

  // Final state, read from the replicas directly (no faults, no scheduler).
  const finalTx = new Map<string, TransactionRecord>();
  for (const r of REGIONS) {
    for (const { item } of dynamo.replica(r).items.values()) {
      if (String(item.pk).startsWith('WALLET#') && String(item.sk).startsWith('TX#')) {
        finalTx.set(String(item.txId), item as unknown as TransactionRecord);
      }
    }
  }
  const leaseItem = dynamo.replica(primary).get({ ...ledgerKeys.lease(kms.address) });
  observations.finish({
    chain,
    address: kms.address,
    recipient: RECIPIENT,
    transactions: [...finalTx.values()],
    nextNonce: Number(leaseItem?.nextNonce ?? 0),
    settled: settled && finished,
    kmsLog: kms.log,
  });
  return {
    schedule,
    faults: faultCounts,
    observations,
    errors: errorsSeen,
    callsBy: Object.fromEntries(callsBy),
    queues: Object.fromEntries(
      REGIONS.flatMap((r) => [
        [queueUrl(r), sqs.depth(queueUrl(r))],
        [dlqUrl(r), sqs.depth(dlqUrl(r))],
      ]),
    ),
    calls,
    steps: scheduler.steps,
    settled: settled && finished,
  };
}
