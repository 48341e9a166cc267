import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { randomUUID } from 'node:crypto';
import type { RuntimeSpendingPolicy, WalletPolicy } from '../../lib/contract/policy';
import { createApiHandler, ROUTES } from '../../lambda/api/handler';
import { KmsSigningKey } from '../../lambda/shared/kms-signer';
import { initLease } from '../../lib/failover/lease';
import { createTransaction, getTransaction, type Ledger, putWallet } from '../../lambda/shared/ledger';
import { silentLogger } from '../../lambda/shared/logger';
import { createSpendingGate } from '../../lambda/shared/policy/gate';
import { commitSpend, readVelocity } from '../../lambda/shared/policy/velocity';
import type { TxRequest } from '../../lambda/shared/signing';
import { createSigner } from '../../lambda/signer/handler';
import { faultyLedger } from '../helpers/faults';
import { createLedgerTable } from '../helpers/ledger-table';
import { type MotoServer, sharedMoto } from '../helpers/moto';
import { apiEvent, parseBody } from '../lambda/helpers';

/**
 * The spending policy against moto (DynamoDB with atomic conditional writes, KMS signing DIGESTs):
 * concurrent signers under one velocity limit, a lost reply on the counter write, the signer refusing
 * what intake allowed, and the API's 403.
 */
const REGION = 'us-east-2';
const CHAIN_ID = 11155111;
const TO = '0x4444444444444444444444444444444444444444';
const request = (value: string): TxRequest => ({
  to: TO,
  value,
  gasLimit: '21000',
  maxFeePerGas: '25000000000',
  maxPriorityFeePerGas: '1500000000',
  chainId: CHAIN_ID,
});

const payouts: WalletPolicy = {
  outgoing: 'allowed',
  perTransactionWei: '5000',
  velocity: [{ window: '1h', windowSeconds: 3600, limitWei: '2500' }],
  destinations: 'any',
  unlistedDestination: 'refuse',
};
const policyWith = (p: WalletPolicy, version = 'v1'): RuntimeSpendingPolicy => ({
  version,
  default: { outgoing: 'deposit-only', velocity: [], destinations: 'any', unlistedDestination: 'refuse' },
  wallets: { 'w-1': p },
  allowlistTimeLockHours: 48,
});

let moto: MotoServer;
let keyArn: string;
let address: string;
let tables = 0;

beforeAll(async () => {
  moto = await sharedMoto();
  const kms = new KMSClient(moto.clientConfig(REGION));
  keyArn = (
    await kms.send(new CreateKeyCommand({ KeySpec: 'ECC_SECG_P256K1', KeyUsage: 'SIGN_VERIFY', MultiRegion: true }))
  ).KeyMetadata!.Arn!;
  address = (await new KmsSigningKey(kms, keyArn).publicKey()).address;
});

async function freshLedger(): Promise<Ledger> {
  const ledger = await createLedgerTable(moto.clientConfig(REGION), `policy-ledger-${++tables}-${Date.now()}`);
  await putWallet(ledger, { walletId: 'w-1', address, status: 'active', createdAt: new Date().toISOString() });
  await initLease(ledger, { address, region: REGION, actor: 'test' });
  return ledger;
}

async function queue(ledger: Ledger, value: string): Promise<string> {
  const txId = randomUUID();
  const at = new Date().toISOString();
  await createTransaction(ledger, {
    walletId: 'w-1',
    txId,
    address,
    status: 'queued',
    request: request(value),
    requestHash: txId,
    idempotencyKey: `key-${txId}`,
    intakeRegion: REGION,
    createdAt: at,
    updatedAt: at,
  });
  return txId;
}

/** One signer "container": its own clients, its own key object, the gate with `policy()`. */
function signer(ledger: Ledger, policy: () => RuntimeSpendingPolicy, kmsCalls?: { n: number }) {
  const kms = new KMSClient(moto.clientConfig(REGION));
  if (kmsCalls !== undefined) {
    kms.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'SignCommand') kmsCalls.n += 1;
        return next(args);
      },
      { step: 'initialize', name: 'countSign' },
    );
  }
  return createSigner({
    env: { region: REGION, tableName: ledger.tableName, signingKeyArn: keyArn, chainId: CHAIN_ID, consistency: 'MRSC' },
    ledger,
    key: new KmsSigningKey(kms, keyArn),
    logger: silentLogger(),
    spending: createSpendingGate({ policy, ledger, consistency: 'MRSC', region: REGION, now: () => new Date() }),
  });
}

/** Delivers until an outcome (a failed delivery is redelivered, as SQS would). */
async function deliver(s: ReturnType<typeof signer>, txId: string): Promise<string> {
  let last: unknown;
  for (let attempt = 0; attempt < 15; attempt++) {
    try {
      return await s.processMessage(JSON.stringify({ walletId: 'w-1', txId }));
    } catch (err) {
      last = err;
    }
  }
  throw last;
}

test('N concurrent signers under one velocity limit never sign more than the limit', async () => {
  // Prepare: 8 requests of 1000 wei, a limit of 2500 wei per hour: at most 2 may be signed
  const ledger = await freshLedger();
  const policy = () => policyWith(payouts);
  const txIds = await Promise.all(Array.from({ length: 8 }, () => queue(ledger, '1000')));

  // Act: 8 containers at once, each its own message
  const outcomes = await Promise.all(txIds.map((txId) => deliver(signer(ledger, policy), txId)));

  // Assess
  const txs = await Promise.all(txIds.map((txId) => getTransaction(ledger, 'w-1', txId)));
  const signed = txs.filter((t) => t?.signedRaw !== undefined);
  expect(signed).toHaveLength(2);
  expect(outcomes.filter((o) => o === 'signed')).toHaveLength(2);
  const refused = txs.filter((t) => t?.status === 'quarantined');
  expect(refused).toHaveLength(6);
  for (const t of refused) {
    expect(t!.quarantineReason).toContain('rule "velocity" (limit: 2500 wei per 1h)');
    expect(t!.nonce).toBeUndefined(); // a refusal takes no nonce
  }
  const counter = await readVelocity(ledger, 'w-1', 'global');
  expect(counter.spends.map((s) => s.txId).sort()).toEqual(signed.map((t) => t!.txId).sort());
  expect(counter.version).toBe(2);
}, 60_000);

test('the same 8 requests without a velocity limit all sign (the limit is what held the first test to 2)', async () => {
  // The count above is not an artefact of contention: with no velocity limit every one is signed.
  const ledger = await freshLedger();
  const txIds = await Promise.all(Array.from({ length: 8 }, () => queue(ledger, '1000')));
  const loose = () => policyWith({ ...payouts, velocity: [] });
  await Promise.all(txIds.map((txId) => deliver(signer(ledger, loose), txId)));
  const txs = await Promise.all(txIds.map((txId) => getTransaction(ledger, 'w-1', txId)));
  expect(txs.filter((t) => t?.signedRaw !== undefined)).toHaveLength(8);
}, 60_000);

test('a lost reply on the counter write: the retry recognises its own spend, which counts once', async () => {
  // Prepare: the first PutItem of the counter applies and its reply is lost; the SDK retries it
  const table = await freshLedger();
  const ledger = faultyLedger(moto.clientConfig(REGION), table.tableName, [
    { command: 'PutItemCommand', match: (input) => JSON.stringify(input.Item ?? {}).includes('POLICY#w-1') },
  ]);
  const txId = await queue(table, '1000');
  const kmsCalls = { n: 0 };

  // Act
  const outcome = await deliver(
    signer(ledger, () => policyWith(payouts), kmsCalls),
    txId,
  );
  const again = await deliver(
    signer(ledger, () => policyWith(payouts), kmsCalls),
    txId,
  ); // a redelivery

  // Assess
  expect(ledger.lost()).toBe(1);
  expect(outcome).toBe('signed');
  expect(again).toBe('already-signed');
  expect(kmsCalls.n).toBe(1);
  const counter = await readVelocity(table, 'w-1', 'global');
  expect(counter.spends.map((s) => s.txId)).toEqual([txId]);
  expect(counter.version).toBe(1);
}, 60_000);

test('commitSpend is idempotent per txId and refuses on the spends it reads', async () => {
  const ledger = await freshLedger();
  const base = {
    walletId: 'w-1',
    scope: 'global',
    now: new Date(),
    longestWindowSeconds: 3600,
    policyVersion: 'v1',
    check: (spends: readonly { amountWei: string }[]) =>
      spends.reduce((s, x) => s + BigInt(x.amountWei), 0n) + 1000n > 2500n
        ? ({ kind: 'refuse', rule: 'velocity', limit: '2500 wei per 1h', message: 'over' } as const)
        : undefined,
  };
  expect(await commitSpend(ledger, { ...base, txId: 'a', amountWei: '1000' })).toMatchObject({
    committed: true,
    alreadyCommitted: false,
  });
  expect(await commitSpend(ledger, { ...base, txId: 'a', amountWei: '1000' })).toMatchObject({
    committed: true,
    alreadyCommitted: true,
  });
  expect(await commitSpend(ledger, { ...base, txId: 'b', amountWei: '1000' })).toMatchObject({ committed: true });
  expect(await commitSpend(ledger, { ...base, txId: 'c', amountWei: '1000' })).toMatchObject({
    committed: false,
    decision: { rule: 'velocity' },
  });
  expect((await readVelocity(ledger, 'w-1', 'global')).spends.map((s) => s.txId)).toEqual(['a', 'b']);
});

describe('the signer refuses what intake allowed but the policy in force when it signs does not', () => {
  test('the velocity was used up meanwhile', async () => {
    // Prepare: intake allowed both (the counter was empty); another transaction is signed first
    const ledger = await freshLedger();
    const policy = () => policyWith(payouts);
    const gate = createSpendingGate({ policy, ledger, consistency: 'MRSC', region: REGION, now: () => new Date() });
    expect(await gate.atIntake({ walletId: 'w-1', address, request: request('2000') })).toMatchObject({
      kind: 'allow',
    });
    const late = await queue(ledger, '2000');
    const first = await queue(ledger, '1000');
    const kmsCalls = { n: 0 };
    expect(await deliver(signer(ledger, policy, kmsCalls), first)).toBe('signed');

    // Act
    const outcome = await deliver(signer(ledger, policy, kmsCalls), late);

    // Assess: quarantined with the rule and the limit, never signed
    expect(outcome).toBe('quarantined');
    const tx = await getTransaction(ledger, 'w-1', late);
    expect(tx).toMatchObject({ status: 'quarantined', quarantinedFrom: 'queued' });
    expect(tx!.quarantineReason).toContain('spending policy v1, rule "velocity" (limit: 2500 wei per 1h)');
    expect(tx!.signedRaw).toBeUndefined();
    expect(kmsCalls.n).toBe(1);
  }, 60_000);

  test('the policy changed (a lower per-transaction limit)', async () => {
    const ledger = await freshLedger();
    let current = policyWith(payouts, 'v1');
    const gate = createSpendingGate({
      policy: () => current,
      ledger,
      consistency: 'MRSC',
      region: REGION,
      now: () => new Date(),
    });
    expect(await gate.atIntake({ walletId: 'w-1', address, request: request('2000') })).toMatchObject({
      kind: 'allow',
    });
    const txId = await queue(ledger, '2000');
    current = policyWith({ ...payouts, perTransactionWei: '1500' }, 'v2');
    const kmsCalls = { n: 0 };

    expect(
      await deliver(
        signer(ledger, () => current, kmsCalls),
        txId,
      ),
    ).toBe('quarantined');

    const tx = await getTransaction(ledger, 'w-1', txId);
    expect(tx!.quarantineReason).toContain(
      'spending policy v2, rule "per-transaction" (limit: 1500 wei per transaction)',
    );
    expect(kmsCalls.n).toBe(0);
    expect((await readVelocity(ledger, 'w-1', 'global')).spends).toEqual([]); // nothing committed
  }, 60_000);
});

describe('the API', () => {
  let ledger: Ledger;
  let api: ReturnType<typeof createApiHandler>;
  beforeAll(async () => {
    ledger = await freshLedger();
    const sqs = new SQSClient(moto.clientConfig(REGION));
    const queueUrl = (
      await sqs.send(
        new CreateQueueCommand({ QueueName: `policy-${Date.now()}.fifo`, Attributes: { FifoQueue: 'true' } }),
      )
    ).QueueUrl!;
    api = createApiHandler({
      env: {
        region: REGION,
        tableName: ledger.tableName,
        signingQueueUrl: queueUrl,
        chainId: CHAIN_ID,
        consistency: 'MRSC',
      },
      ledger,
      sqs,
      logger: silentLogger(),
      spending: createSpendingGate({
        policy: () => policyWith(payouts),
        ledger,
        consistency: 'MRSC',
        region: REGION,
        now: () => new Date(),
      }),
    });
  });
  const post = (walletId: string, value: string) =>
    api(
      apiEvent({
        method: 'POST',
        resource: ROUTES.createTransaction,
        path: `/v1/wallets/${walletId}/transactions`,
        pathParameters: { walletId },
        headers: { 'Idempotency-Key': `key-${randomUUID()}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(request(value)),
      }),
    );

  test('accepts a request within the policy', async () => {
    const res = await post('w-1', '1000');
    expect(res.statusCode).toBe(202);
  });

  test('fails above the per-transaction limit with 403 policy-refused naming the rule and the limit', async () => {
    const res = await post('w-1', '5001');
    expect(res.statusCode).toBe(403);
    const body = parseBody(res) as { error: { code: string; message: string; details: Record<string, string> } };
    expect(body.error.code).toBe('policy-refused');
    expect(body.error.details).toEqual({
      rule: 'per-transaction',
      limit: '5000 wei per transaction',
      policyVersion: 'v1',
    });
    expect(body.error.message).toContain('5001 wei is above');
  });

  test('fails a deposit-only wallet with 403 (the default policy)', async () => {
    await putWallet(ledger, { walletId: 'w-deposits', address, status: 'active', createdAt: new Date().toISOString() });
    const res = await post('w-deposits', '1');
    expect(res.statusCode).toBe(403);
    expect((parseBody(res) as { error: { details: { rule: string } } }).error.details.rule).toBe('deposit-only');
  });
});

describe('approval-required (the hooks p-approve fills)', () => {
  const withApprovals = (): RuntimeSpendingPolicy => ({
    ...policyWith(payouts),
    approvals: { thresholdWei: '800', required: 2, expiresAfterHours: 24 },
  });

  function approvingSigner(ledger: Ledger, approved: boolean | undefined, kmsCalls: { n: number }) {
    const kms = new KMSClient(moto.clientConfig(REGION));
    kms.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'SignCommand') kmsCalls.n += 1;
        return next(args);
      },
      { step: 'initialize', name: 'countSign' },
    );
    return createSigner({
      env: {
        region: REGION,
        tableName: ledger.tableName,
        signingKeyArn: keyArn,
        chainId: CHAIN_ID,
        consistency: 'MRSC',
      },
      ledger,
      key: new KmsSigningKey(kms, keyArn),
      logger: silentLogger(),
      spending: createSpendingGate({
        policy: withApprovals,
        ledger,
        consistency: 'MRSC',
        region: REGION,
        now: () => new Date(),
        ...(approved === undefined ? {} : { approvals: { approved: async () => approved } }),
      }),
    });
  }

  test.each([
    ['no approval check is wired', undefined],
    ['the approvals are not recorded', false],
  ])('fails at the signer when %s: quarantined, never signed', async (_name, approved) => {
    const ledger = await freshLedger();
    const txId = await queue(ledger, '1000');
    const kmsCalls = { n: 0 };
    expect(await deliver(approvingSigner(ledger, approved, kmsCalls), txId)).toBe('quarantined');
    const tx = await getTransaction(ledger, 'w-1', txId);
    expect(tx!.quarantineReason).toContain('requires approval (amount at or above the approval threshold of 800 wei)');
    expect(kmsCalls.n).toBe(0);
  });

  test('signs when the approvals are recorded, and commits the spend', async () => {
    const ledger = await freshLedger();
    const txId = await queue(ledger, '1000');
    const kmsCalls = { n: 0 };
    expect(await deliver(approvingSigner(ledger, true, kmsCalls), txId)).toBe('signed');
    expect(kmsCalls.n).toBe(1);
    expect((await readVelocity(ledger, 'w-1', 'global')).spends.map((s) => s.txId)).toEqual([txId]);
  });
});

describe('the API when the policy asks for approval', () => {
  async function apiWith(hold?: Parameters<typeof createApiHandler>[0]['holdForApproval']) {
    const ledger = await freshLedger();
    const sqs = new SQSClient(moto.clientConfig(REGION));
    const queueUrl = (
      await sqs.send(
        new CreateQueueCommand({ QueueName: `approve-${randomUUID()}.fifo`, Attributes: { FifoQueue: 'true' } }),
      )
    ).QueueUrl!;
    const api = createApiHandler({
      env: {
        region: REGION,
        tableName: ledger.tableName,
        signingQueueUrl: queueUrl,
        chainId: CHAIN_ID,
        consistency: 'MRSC',
      },
      ledger,
      sqs,
      logger: silentLogger(),
      spending: createSpendingGate({
        policy: () => ({
          ...policyWith(payouts),
          approvals: { thresholdWei: '800', required: 2, expiresAfterHours: 24 },
        }),
        ledger,
        consistency: 'MRSC',
        region: REGION,
        now: () => new Date(),
      }),
      ...(hold === undefined ? {} : { holdForApproval: hold }),
    });
    const post = () =>
      api(
        apiEvent({
          method: 'POST',
          resource: ROUTES.createTransaction,
          path: '/v1/wallets/w-1/transactions',
          pathParameters: { walletId: 'w-1' },
          headers: { 'Idempotency-Key': `key-${randomUUID()}`, 'Content-Type': 'application/json' },
          body: JSON.stringify(request('1000')),
        }),
      );
    const depth = async () =>
      Number(
        (
          await sqs.send(
            new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
          )
        ).Attributes!.ApproximateNumberOfMessages,
      );
    return { post, depth };
  }

  test('fails closed without the approval hook: 403 policy-refused, nothing queued', async () => {
    const { post, depth } = await apiWith();
    const res = await post();
    expect(res.statusCode).toBe(403);
    expect((parseBody(res) as { error: { message: string } }).error.message).toContain('needs approval');
    expect(await depth()).toBe(0);
  });

  test('hands the request to the approval hook with the reasons, and does not queue it', async () => {
    const held: Array<{ txId: string; reasons: readonly string[] }> = [];
    const { post, depth } = await apiWith(async (candidate, reasons) => {
      held.push({ txId: candidate.txId, reasons });
      return { ...candidate, status: 'pending-approval' as never };
    });
    const res = await post();
    expect(res.statusCode).toBe(202);
    expect((parseBody(res) as { status: string }).status).toBe('pending-approval');
    expect(held).toEqual([
      { txId: expect.any(String), reasons: ['amount at or above the approval threshold of 800 wei'] },
    ]);
    expect(await depth()).toBe(0);
  });
});
