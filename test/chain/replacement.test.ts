import { KMSClient } from '@aws-sdk/client-kms';
import { randomUUID } from 'node:crypto';
import { type Hex, parseTransaction, recoverTransactionAddress } from 'viem';
import { type FeePolicy } from '../../lib/chain/fees';
import { type EvmNode, startEvmNode } from '../../lib/chain/devnet/evm-node';
import { poolBroadcaster, ProviderPool } from '../../lib/chain/pool';
import { initLease } from '../../lib/failover/lease';
import { KmsSigningKey } from '../../lambda/shared/kms-signer';
import {
  createTransaction,
  getReservation,
  getTransaction,
  type Ledger,
  putWallet,
  type TransactionRecord,
} from '../../lambda/shared/ledger';
import { variantsOf } from '../../lambda/shared/ledger-variants';
import { silentLogger } from '../../lambda/shared/logger';
import type { TxRequest } from '../../lambda/shared/signing';
import type { ChainFees } from '../../lambda/signer/bump';
import { createSigner } from '../../lambda/signer/handler';
import { faultyLedger, updateMentions } from '../helpers/faults';
import { createLedgerTable } from '../helpers/ledger-table';
import { type MotoServer, sharedMoto } from '../helpers/moto';
import { replicatedSigningKey } from '../helpers/replicated-key';

/**
 * Fee-bumped replacement on a real node (Hardhat's EDR, automine off) with the signer's KMS key in
 * moto: a fee spike leaves the first signature unmineable, the bump re-signs the same nonce and
 * intent at higher fees, exactly one variant is mined; at the cap the request is reported stuck and
 * nothing more is signed; lost replies and a crash between pinning and storing are survived.
 */
const REGION = 'us-east-2';
const CHAIN_ID = 31337;
const GWEI = 10n ** 9n;

let moto: MotoServer;
let node: EvmNode;
let keyArn: string;
let address: string;
let signs = 0;
let failNextSign = false;
let n = 0;

beforeAll(async () => {
  [moto, node] = await Promise.all([sharedMoto(), startEvmNode({ chainId: CHAIN_ID, automine: false })]);
});

/** A fresh funded key per test: each test's ledger starts at nonce 0, and so must its address on the node. */
async function freshKey(): Promise<void> {
  // a calm market to start from (an earlier test's spike would still set the base fee)
  await spike(1n * GWEI);
  await node.mine(2);
  const key = await replicatedSigningKey(moto, REGION, 'us-west-2');
  keyArn = key.keyArns[REGION];
  address = key.address;
  await node.setBalance(address, 10n ** 20n);
}
afterAll(async () => node?.stop());

function kmsClient(): KMSClient {
  const kms = new KMSClient(moto.clientConfig(REGION));
  kms.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'SignCommand') {
        signs += 1;
        if (failNextSign) {
          failNextSign = false;
          // not retryable (KmsSigningKey retries throttling and server faults), so the delivery fails
          throw Object.assign(new Error('KMS unavailable (injected)'), { name: 'KMSInvalidStateException' });
        }
      }
      return next(args);
    },
    { step: 'initialize', name: 'countSigns' },
  );
  return kms;
}

function pool(): ProviderPool {
  return new ProviderPool({
    chainId: CHAIN_ID,
    providers: [{ name: 'local', url: node.url }],
    // automine is off: the head's timestamp ages while a test waits, so the age limit is generous
    limits: { maxLagBlocks: 5, maxLagSeconds: 86_400, maxErrorRate: 0.5, requestTimeoutMs: 3000, refreshIntervalMs: 0 },
  });
}

function chainFees(p: ProviderPool, cap: bigint): ChainFees {
  const policy: FeePolicy = { priorityFeePerGas: 1n * GWEI, capPerGas: cap, bumpPercent: 10, baseFeeMultiplier: 2 };
  return {
    policy,
    feeHistory: () =>
      p.read('eth_feeHistory', async (c) => {
        const h = await c.getFeeHistory({ blockCount: 4, rewardPercentiles: [50] });
        return { baseFeePerGas: h.baseFeePerGas, reward: h.reward };
      }),
  };
}

async function setUp(options: { cap: bigint; ledger?: (tableName: string) => Ledger }) {
  await freshKey();
  const base = await createLedgerTable(moto.clientConfig(REGION), `chain-bump-${++n}`);
  const ledger = options.ledger?.(base.tableName) ?? base;
  await putWallet(base, { walletId: 'w-1', address, status: 'active', createdAt: '2026-01-01T00:00:00.000Z' });
  await initLease(base, { address, region: REGION, actor: 'test' });
  const p = pool();
  const signer = createSigner({
    env: { region: REGION, tableName: base.tableName, signingKeyArn: keyArn, chainId: CHAIN_ID, consistency: 'MRSC' },
    ledger,
    key: new KmsSigningKey(kmsClient(), keyArn),
    logger: silentLogger(),
    broadcaster: poolBroadcaster(p),
    chainFees: chainFees(p, options.cap),
  });
  return { ledger: base, signer };
}

async function queue(ledger: Ledger, request: Partial<TxRequest> = {}): Promise<TransactionRecord> {
  const at = new Date().toISOString();
  const txId = randomUUID();
  const tx: TransactionRecord = {
    walletId: 'w-1',
    txId,
    address,
    status: 'queued',
    request: {
      to: '0x7777777777777777777777777777777777777777',
      value: '1000',
      gasLimit: '21000',
      // the client's ceilings: the signer picks fees from eth_feeHistory below them
      maxFeePerGas: (100n * GWEI).toString(),
      maxPriorityFeePerGas: (1n * GWEI).toString(),
      chainId: CHAIN_ID,
      ...request,
    },
    requestHash: txId,
    idempotencyKey: `key-${txId}`,
    intakeRegion: REGION,
    intakeEpoch: 1,
    createdAt: at,
    updatedAt: at,
  };
  await createTransaction(ledger, tx);
  return tx;
}

const bump = (tx: TransactionRecord, fromTxHash: string) =>
  JSON.stringify({ kind: 'bump', walletId: tx.walletId, txId: tx.txId, fromTxHash });

async function receipt(hash: string): Promise<{ status: string; blockNumber: string } | null> {
  return node.rpc('eth_getTransactionReceipt', [hash]);
}

/** A fee spike: the next block's base fee above the first signature's maxFeePerGas (20 gwei). */
async function spike(baseFee: bigint): Promise<void> {
  await node.rpc('hardhat_setNextBlockBaseFeePerGas', [`0x${baseFee.toString(16)}`]);
}

describe('fee-bumped replacement on a real node', () => {
  it('a fee spike: replaced at a bumped fee within the cap, mined once, every variant kept', async () => {
    // Prepare
    const { ledger, signer } = await setUp({ cap: 200n * GWEI });
    const tx = await queue(ledger);
    expect(await signer.processMessage(JSON.stringify({ walletId: 'w-1', txId: tx.txId }))).toBe('broadcast');
    const first = (await getTransaction(ledger, 'w-1', tx.txId))!;
    // the first signature's fees came from the fee market (next base fee x 2 + tip), not the ceiling
    const firstFees = variantsOf(first)[0];
    expect(BigInt(firstFees.maxFeePerGas)).toBeLessThan(10n * GWEI);
    expect(first.signedMaxFeePerGas).toBe(firstFees.maxFeePerGas);
    expect(parseTransaction(first.signedRaw as Hex).maxFeePerGas).toBe(BigInt(firstFees.maxFeePerGas));
    await spike(30n * GWEI);
    await node.mine(1); // base fee 30 gwei: the first signature cannot be included
    expect(await receipt(first.txHash!)).toBeNull();
    // Act
    const outcome = await signer.processMessage(bump(first, first.txHash!));
    // Assert: a second variant at the same nonce and intent, fees raised by at least 10% on both
    expect(outcome).toBe('replaced');
    const bumped = (await getTransaction(ledger, 'w-1', tx.txId))!;
    const variants = variantsOf(bumped);
    expect(variants.map((v) => v.index)).toEqual([0, 1]);
    expect(variants[0].txHash).toBe(first.txHash);
    expect(bumped.txHash).toBe(variants[1].txHash);
    // the market after the spike (next base fee x 2 + tip), far above geth's minimum over the first
    expect(BigInt(variants[1].maxFeePerGas)).toBeGreaterThan(30n * GWEI);
    expect(BigInt(variants[1].maxPriorityFeePerGas)).toBeGreaterThanOrEqual(1_100_000_000n);
    expect(BigInt(variants[1].maxFeePerGas)).toBeLessThanOrEqual(100n * GWEI); // the client's ceiling
    const parsed = parseTransaction(variants[1].signedRaw as Hex);
    expect(parsed).toMatchObject({
      nonce: first.nonce,
      to: tx.request.to,
      value: 1000n,
      gas: 21000n,
      chainId: CHAIN_ID,
    });
    expect(
      (await recoverTransactionAddress({ serializedTransaction: variants[1].signedRaw as never })).toLowerCase(),
    ).toBe(address);
    const reservation = await getReservation(ledger, address, first.nonce!);
    expect(reservation).toMatchObject({ txId: tx.txId, digest: variants[1].digest });
    // ... and the chain mines exactly one of them
    await node.mine(1);
    expect((await receipt(variants[1].txHash))?.status).toBe('0x1');
    expect(await receipt(variants[0].txHash)).toBeNull();
    expect(Number(await node.rpc<string>('eth_getTransactionCount', [address, 'latest']))).toBe(first.nonce! + 1);
  });

  it('a second delivery of the same bump signs nothing more (the latest is re-broadcast)', async () => {
    const { ledger, signer } = await setUp({ cap: 200n * GWEI });
    const tx = await queue(ledger);
    await signer.processMessage(JSON.stringify({ walletId: 'w-1', txId: tx.txId }));
    const first = (await getTransaction(ledger, 'w-1', tx.txId))!;
    await spike(30n * GWEI);
    await node.mine(1);
    expect(await signer.processMessage(bump(first, first.txHash!))).toBe('replaced');
    const before = signs;
    expect(await signer.processMessage(bump(first, first.txHash!))).toBe('bump-rebroadcast');
    expect(signs).toBe(before);
    expect(variantsOf((await getTransaction(ledger, 'w-1', tx.txId))!)).toHaveLength(2);
    await node.mine(1);
  });

  it('the fee cap reached: reported stuck with the reason, and no further signature', async () => {
    // Prepare: a cap of 25 gwei allows one bump (held at 25), not a second (25 x 1.1 = 27.5 > 25)
    const { ledger, signer } = await setUp({ cap: 25n * GWEI });
    const tx = await queue(ledger); // the chain cap (25 gwei) binds before the client's (100 gwei)
    await signer.processMessage(JSON.stringify({ walletId: 'w-1', txId: tx.txId }));
    const first = (await getTransaction(ledger, 'w-1', tx.txId))!;
    await spike(100n * GWEI);
    await node.mine(1);
    expect(await signer.processMessage(bump(first, first.txHash!))).toBe('replaced');
    const second = (await getTransaction(ledger, 'w-1', tx.txId))!;
    expect(BigInt(variantsOf(second)[1].maxFeePerGas)).toBe(25n * GWEI);
    // Act
    const before = signs;
    const outcome = await signer.processMessage(bump(second, second.txHash!));
    // Assert
    expect(outcome).toBe('stuck');
    expect(signs).toBe(before);
    const stuck = (await getTransaction(ledger, 'w-1', tx.txId))! as TransactionRecord & { stuckReason?: string };
    expect(stuck.status).toBe('stuck');
    expect(stuck.stuckReason).toMatch(/needs maxFeePerGas >= 27500000000 wei .* above the cap of 25000000000 wei/);
    expect(variantsOf(stuck)).toHaveLength(2);
    // and a later bump message signs nothing either
    expect(await signer.processMessage(bump(stuck, stuck.txHash!))).toBe('bump-not-needed');
    expect(signs).toBe(before);
    // Clean up the node's mempool for the next test: let fees fall and mine it
    await spike(1n * GWEI);
    await node.mine(2);
  });

  it("a lost reply on the variant's write: the SDK retry fails its condition, the token says it was ours", async () => {
    let faulty: ReturnType<typeof faultyLedger> | undefined;
    const { ledger, signer } = await setUp({
      cap: 200n * GWEI,
      ledger: (tableName) => {
        faulty = faultyLedger(moto.clientConfig(REGION), tableName, [
          { command: 'UpdateItemCommand', match: updateMentions('variantToken') },
        ]);
        return faulty;
      },
    });
    const tx = await queue(ledger);
    await signer.processMessage(JSON.stringify({ walletId: 'w-1', txId: tx.txId }));
    const first = (await getTransaction(ledger, 'w-1', tx.txId))!;
    await spike(30n * GWEI);
    await node.mine(1);
    expect(await signer.processMessage(bump(first, first.txHash!))).toBe('replaced');
    expect(faulty!.lost()).toBe(1);
    const variants = variantsOf((await getTransaction(ledger, 'w-1', tx.txId))!);
    expect(variants).toHaveLength(2);
    await node.mine(1);
    expect((await receipt(variants[1].txHash))?.status).toBe('0x1');
  });

  it('KMS failing after the variant was pinned: the redelivery signs exactly the pinned payload', async () => {
    const { ledger, signer } = await setUp({ cap: 200n * GWEI });
    const tx = await queue(ledger);
    await signer.processMessage(JSON.stringify({ walletId: 'w-1', txId: tx.txId }));
    const first = (await getTransaction(ledger, 'w-1', tx.txId))!;
    await spike(30n * GWEI);
    await node.mine(1);
    failNextSign = true;
    await expect(signer.processMessage(bump(first, first.txHash!))).rejects.toThrow(/KMS unavailable/);
    const pinned = await getReservation(ledger, address, first.nonce!);
    expect(pinned?.digest).not.toBe(first.digest);
    // The market moves meanwhile: the redelivery must still sign the pinned fees, not new ones
    await spike(40n * GWEI);
    expect(await signer.processMessage(bump(first, first.txHash!))).toBe('replaced');
    const variants = variantsOf((await getTransaction(ledger, 'w-1', tx.txId))!);
    expect(variants[1].digest).toBe(pinned?.digest);
    await spike(1n * GWEI);
    await node.mine(1);
    expect((await receipt(variants[1].txHash))?.status).toBe('0x1');
  });

  it('the first signature: KMS failing after the fees were pinned, the redelivery signs those fees, not a new estimate', async () => {
    const { ledger, signer } = await setUp({ cap: 200n * GWEI });
    const tx = await queue(ledger);
    failNextSign = true;
    await expect(signer.processMessage(JSON.stringify({ walletId: 'w-1', txId: tx.txId }))).rejects.toThrow(
      /KMS unavailable/,
    );
    const assigned = (await getTransaction(ledger, 'w-1', tx.txId))!;
    const pinned = await getReservation(ledger, address, assigned.nonce!);
    expect(pinned?.maxFeePerGas).toBeDefined();
    await spike(40n * GWEI); // the market moves before the redelivery
    await node.mine(1);
    expect(await signer.processMessage(JSON.stringify({ walletId: 'w-1', txId: tx.txId }))).toBe('broadcast');
    const signed = (await getTransaction(ledger, 'w-1', tx.txId))!;
    expect(signed.digest).toBe(pinned?.digest);
    expect(signed.signedMaxFeePerGas).toBe(pinned?.maxFeePerGas);
    expect(signed.status).toBe('broadcast');
    await spike(1n * GWEI);
    await node.mine(1);
    expect((await receipt(signed.txHash!))?.status).toBe('0x1');
  });

  it('a bump without chain providers configured fails (retried), never signs', async () => {
    await freshKey();
    const base = await createLedgerTable(moto.clientConfig(REGION), `chain-bump-${++n}`);
    await putWallet(base, { walletId: 'w-1', address, status: 'active', createdAt: '2026-01-01T00:00:00.000Z' });
    await initLease(base, { address, region: REGION, actor: 'test' });
    const signer = createSigner({
      env: { region: REGION, tableName: base.tableName, signingKeyArn: keyArn, chainId: CHAIN_ID, consistency: 'MRSC' },
      ledger: base,
      key: new KmsSigningKey(kmsClient(), keyArn),
      logger: silentLogger(),
      broadcaster: poolBroadcaster(pool()),
    });
    const tx = await queue(base);
    await signer.processMessage(JSON.stringify({ walletId: 'w-1', txId: tx.txId }));
    const first = (await getTransaction(base, 'w-1', tx.txId))!;
    const before = signs;
    await expect(signer.processMessage(bump(first, first.txHash!))).rejects.toThrow(/no chain providers configured/);
    expect(signs).toBe(before);
    await node.mine(1);
  });
});
