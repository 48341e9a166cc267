import type { Hex } from 'viem';
import type { TransactionRecord } from '../../lambda/shared/ledger';
import { checkInvariants, INVARIANTS } from '../../torture/invariants';
import { Observations } from '../../torture/invariants/observations';
import { requestValue } from '../../torture/payload';
import { Accepted, SimChain } from '../../torture/sim/chain';
import { COLD_ADDRESS, SWEEP_WALLET, torturePolicy } from '../../torture/run';

/** Each torture invariant holds on a clean final state and fails on the state that breaks it. */
const ADDRESS = '0xabc';
const RECIPIENT = '0x7777777777777777777777777777777777777777';

function chainWith(entries: Array<{ nonce: number; value: bigint; hash: string; to?: string }>): SimChain {
  const chain = new SimChain(() => 0, { address: ADDRESS, signedR: () => undefined });
  const slots = new Map<number, Accepted>();
  for (const e of entries) {
    const a: Accepted = {
      raw: '0x' as Hex,
      hash: e.hash as Hex,
      from: ADDRESS,
      nonce: e.nonce,
      to: e.to ?? RECIPIENT,
      value: e.value,
      maxFeePerGas: 1n,
      maxPriorityFeePerGas: 1n,
      at: 0,
    };
    slots.set(e.nonce, a);
    chain.history.push(a);
  }
  chain.slots.set(ADDRESS, slots);
  return chain;
}

const tx = (txId: string, fields: Partial<TransactionRecord>): TransactionRecord =>
  ({ txId, walletId: 'w', status: 'broadcast', ...fields }) as TransactionRecord;

function clean(): Observations {
  const o = new Observations('MRSC');
  o.onApiAnswer(0, 'us-east-2', 202, 't0');
  o.onApiAnswer(1, 'us-east-2', 202, 't1');
  o.finish({
    chain: chainWith([
      { nonce: 0, value: BigInt(requestValue(0)), hash: '0xh0' },
      { nonce: 1, value: BigInt(requestValue(1)), hash: '0xh1' },
    ]),
    address: ADDRESS,
    recipient: RECIPIENT,
    transactions: [tx('t0', { nonce: 0, txHash: '0xh0' }), tx('t1', { nonce: 1, txHash: '0xh1' })],
    nextNonce: 2,
    settled: true,
    kmsLog: [],
  });
  return o;
}

const failing = (o: Observations) => checkInvariants(o).map((v) => v.invariant);

test('the table names fourteen invariants, each with a description', () => {
  expect(INVARIANTS.map((i) => i.name)).toEqual([
    'one-transaction-per-key',
    'every-202-resolves',
    'no-stale-nonce-gap',
    'one-signer-per-epoch',
    'reports-are-true',
    'intake-fenced',
    'every-alarm-decided',
    'within-spending-policy',
    'nonce-read-agreed',
    'broadcast-reached-network',
    'sweep-within-excess',
    'one-sweep-in-flight',
    'sweep-to-cold-only',
    'sweep-by-holder',
  ]);
  for (const i of INVARIANTS) expect(i.description.length).toBeGreaterThan(20);
});

test('a clean run violates nothing', () => {
  expect(checkInvariants(clean())).toEqual([]);
});

test('one-transaction-per-key fails when one key has two transactions on chain', () => {
  const o = clean();
  const f = o.final!;
  o.finish({
    ...f,
    chain: chainWith([...f.chain.history, { nonce: 2, value: BigInt(requestValue(0)), hash: '0xh2' }]),
    nextNonce: 3,
  });
  expect(failing(o)).toEqual(['one-transaction-per-key']);
  expect(checkInvariants(o)[0].detail).toContain('key 0 has 2 transactions accepted by the chain (nonces 0, 2)');
});

test('every-202-resolves fails on a transaction left signed, and on one quarantined without a reason', () => {
  const o = clean();
  const f = o.final!;
  o.finish({ ...f, transactions: [tx('t0', { nonce: 0, txHash: '0xh0' }), tx('t1', { status: 'signed', nonce: 1 })] });
  expect(failing(o)).toEqual(['every-202-resolves']);
  o.finish({ ...f, transactions: [tx('t0', { nonce: 0, txHash: '0xh0' }), tx('t1', { status: 'quarantined' })] });
  expect(checkInvariants(o)).toEqual([
    { invariant: 'every-202-resolves', detail: 'key 1: t1 is quarantined without a reason' },
  ]);
  o.finish({
    ...f,
    transactions: [
      tx('t0', { nonce: 0, txHash: '0xh0' }),
      tx('t1', { status: 'quarantined', quarantineReason: 'why' }),
    ],
  });
  expect(checkInvariants(o)).toEqual([]);
});

test('every-202-resolves fails on a broadcast transaction the chain cannot confirm (a gap below it)', () => {
  const o = clean();
  const f = o.final!;
  o.finish({
    ...f,
    chain: chainWith([{ nonce: 1, value: BigInt(requestValue(1)), hash: '0xh1' }]),
    transactions: [tx('t1', { nonce: 1, txHash: '0xh1' })],
  });
  o.accepted.delete(0);
  expect(failing(o)).toEqual(['every-202-resolves', 'no-stale-nonce-gap']);
});

test('no-stale-nonce-gap fails when a handed-out nonce is empty on chain', () => {
  const o = clean();
  o.finish({ ...o.final!, nextNonce: 3 });
  expect(checkInvariants(o)).toEqual([
    {
      invariant: 'no-stale-nonce-gap',
      detail: 'nonces 2 of 0xabc are empty on chain after the bound (handed out up to 2)',
    },
  ]);
});

test('reports-are-true fails when a step reported "nothing was changed" after its own move applied', () => {
  const o = clean();
  const report = {
    step: 'failover a -> b',
    epochBefore: 1,
    leaseNow: { region: 'b', epoch: 2, by: 'drill', reason: 'r' },
  };
  o.onNothingChangedReport({ ...report, ownMoveApplied: false });
  expect(checkInvariants(o)).toEqual([]);
  o.onNothingChangedReport({ ...report, ownMoveApplied: true });
  expect(failing(o)).toEqual(['reports-are-true']);
});

test('every-alarm-decided fails on a transition answered only "duplicate", not on one decided or dead-lettered', () => {
  const decided = clean();
  decided.onAlarmDelivered('t-decided');
  decided.onAlarmDelivered('t-decided');
  decided.onRemediationDecided('t-decided');
  decided.onRemediationAnswered('t-decided', 'fail-over');
  decided.onRemediationAnswered('t-decided', 'duplicate');
  decided.onAlarmDelivered('t-dlq');
  decided.onAlarmDeadLettered('t-dlq');
  expect(checkInvariants(decided)).toEqual([]);
  const skipped = clean();
  skipped.onAlarmDelivered('t-skipped');
  skipped.onRemediationAnswered('t-skipped', 'duplicate');
  expect(checkInvariants(skipped)).toEqual([
    {
      invariant: 'every-alarm-decided',
      detail:
        'alarm transition t-skipped was delivered 1 time(s) and never decided (answers: duplicate): an automatic failover was silently skipped',
    },
  ]);
});

test('one-signer-per-epoch fails on an allocation by a region that does not hold the epoch', () => {
  const o = clean();
  const lease = (epoch: number, region: string, extra: Record<string, unknown> = {}) => ({
    pk: `LEASE#${ADDRESS}`,
    sk: 'LEASE',
    epoch,
    activeRegion: region,
    nextNonce: 0,
    ...extra,
  });
  o.onWrite({
    replica: 'global',
    key: 'l',
    before: lease(2, 'us-west-2'),
    after: lease(2, 'us-west-2', { alloc_t9: 0 }),
    actorRegion: 'us-west-2',
    command: 'UpdateItemCommand',
  });
  expect(checkInvariants(o)).toEqual([]);
  o.onWrite({
    replica: 'global',
    key: 'l',
    before: lease(2, 'us-west-2'),
    after: lease(2, 'us-west-2', { alloc_t8: 1 }),
    actorRegion: 'us-east-2',
    command: 'UpdateItemCommand',
  });
  expect(failing(o)).toEqual(['one-signer-per-epoch', 'one-signer-per-epoch']);
  expect(checkInvariants(o)[0].detail).toBe('us-east-2 allocated nonce 1 in global at epoch 2, held by us-west-2');
});

test('intake-fenced fails under MREC on a nonce or a signature for what another epoch or region accepted, unless kept or released then', () => {
  const o = new Observations('MREC');
  const base = clean().final!;
  o.finish(base);
  const item = (fields: Record<string, unknown>) => ({
    pk: 'WALLET#w',
    sk: 'TX#t5',
    txId: 't5',
    intakeRegion: 'us-east-2',
    intakeEpoch: 1,
    ...fields,
  });
  const write = (before: Record<string, unknown>, after: Record<string, unknown>) =>
    o.onWrite({
      replica: 'us-west-2',
      key: 'k',
      before,
      after,
      actorRegion: 'us-west-2',
      command: 'UpdateItemCommand',
    });
  // Kept by reconciliation in epoch 2: its nonce and signature in epoch 2 pass
  write(
    item({ status: 'queued', keptEpoch: 2 }),
    item({ status: 'nonce-assigned', keptEpoch: 2, nonceEpoch: 2, nonceRegion: 'us-west-2' }),
  );
  write(
    item({ status: 'nonce-assigned', keptEpoch: 2, nonceEpoch: 2, nonceRegion: 'us-west-2' }),
    item({
      status: 'signed',
      keptEpoch: 2,
      nonceEpoch: 2,
      nonceRegion: 'us-west-2',
      signedEpoch: 2,
      signedRegion: 'us-west-2',
    }),
  );
  expect(checkInvariants(o)).toEqual([]);
  // Neither kept nor released: the nonce assignment in epoch 3 breaks it
  write(
    item({ status: 'queued', keptEpoch: 2 }),
    item({ status: 'nonce-assigned', nonceEpoch: 3, nonceRegion: 'us-west-2' }),
  );
  expect(checkInvariants(o)).toEqual([
    {
      invariant: 'intake-fenced',
      detail:
        'us-west-2 assigned a nonce to t5 in epoch 3 (us-west-2), accepted by us-east-2 in epoch 1, neither kept nor released in epoch 3',
    },
  ]);
  // The same events under MRSC break nothing (one linearizable ledger)
  const mrsc = new Observations('MRSC');
  mrsc.finish(base);
  mrsc.onWrite({
    replica: 'global',
    key: 'k',
    before: item({ status: 'queued' }),
    after: item({ status: 'nonce-assigned', nonceEpoch: 3, nonceRegion: 'us-west-2' }),
    actorRegion: 'us-west-2',
    command: 'UpdateItemCommand',
  });
  expect(checkInvariants(mrsc)).toEqual([]);
});

describe('within-spending-policy', () => {
  const signed = (o: Observations, txId: string, valueWei: string, replica = 'us-east-2') =>
    o.signedSpends.push({ txId, walletId: 'w-torture', to: RECIPIENT, valueWei, replica });
  test('holds for signatures within the velocity limit, a signature seen in two replicas counted once', () => {
    const o = clean();
    o.policy = torturePolicy(3); // 2500 wei per 1h
    signed(o, 't0', '1000');
    signed(o, 't1', '1001');
    signed(o, 't1', '1001', 'us-west-2');
    expect(failing(o)).toEqual([]);
  });
  test('fails when the signed transactions add up to more than the velocity limit', () => {
    const o = clean();
    o.policy = torturePolicy(3);
    signed(o, 't0', '1000');
    signed(o, 't1', '1001');
    signed(o, 't2', '1002');
    expect(checkInvariants(o)).toEqual([
      expect.objectContaining({
        invariant: 'within-spending-policy',
        detail: expect.stringContaining(
          '3 signed transactions move 3003 wei within 1h, above the velocity limit of 2500 wei',
        ),
      }),
    ]);
  });
  test('fails a signature above the per-transaction limit', () => {
    const o = clean();
    o.policy = torturePolicy(3);
    signed(o, 't0', '5001');
    expect(failing(o)).toContain('within-spending-policy');
  });
  test('fails any signature of a deposit-only wallet', () => {
    const o = clean();
    o.policy = torturePolicy(3);
    o.signedSpends.push({ txId: 'x', walletId: 'w-other', to: RECIPIENT, valueWei: '1', replica: 'us-east-2' });
    expect(checkInvariants(o)).toEqual([
      expect.objectContaining({ invariant: 'within-spending-policy', detail: expect.stringContaining('deposit-only') }),
    ]);
  });
});

describe('nonce-read-agreed', () => {
  test('holds on answers at or above the pending count when read', () => {
    const o = clean();
    o.onNonceRead({ region: 'us-west-2', source: 'rpc-pool', answer: 2, truth: 2, at: 100 });
    o.onNonceRead({ region: 'us-west-2', source: 'rpc-pool', answer: 3, truth: 2, at: 200 });
    expect(checkInvariants(o)).toEqual([]);
  });
  test('fails on a nonce below what the network counted when the read began', () => {
    const o = clean();
    o.onNonceRead({ region: 'us-west-2', source: 'first-provider', answer: 1, truth: 2, at: 300 });
    expect(checkInvariants(o)).toEqual([
      {
        invariant: 'nonce-read-agreed',
        detail:
          "reconciliation in us-west-2 acted on nonce 1 from first-provider at 300 ms, but the network's pending count was already 2",
      },
    ]);
  });
});

describe('broadcast-reached-network', () => {
  const record = { txId: 't1', txHash: '0xh1', nonce: 1, by: 'us-east-2', at: 500 };
  test('holds when the network had every transaction recorded broadcast', () => {
    const o = clean();
    o.onBroadcastRecorded({ ...record, networkHasIt: true });
    expect(checkInvariants(o)).toEqual([]);
  });
  test('fails once per transaction recorded broadcast that the network did not have', () => {
    const o = clean();
    o.onBroadcastRecorded({ ...record, networkHasIt: false });
    o.onBroadcastRecorded({ ...record, by: 'us-west-2', networkHasIt: false });
    expect(checkInvariants(o)).toEqual([
      {
        invariant: 'broadcast-reached-network',
        detail:
          't1 (nonce 1, 0xh1) was recorded broadcast by us-east-2 at 500 ms, but the network did not have it: a provider swallowed the send and nothing else delivered it',
      },
    ]);
  });
});

describe('the sweep invariants', () => {
  const CEILING = 1_000_000n;
  // The run began with 1,100,000 wei on chain, t0 mined, t1 unmined (it takes its value + 21000 x 1 wei
  // when mined): the excess then is 100,000 - t1's cost.
  const t1Cost = BigInt(requestValue(1)) + 21_000n;
  const EXCESS = 1_100_000n - t1Cost - CEILING;

  /** A run that swept `amount` (nonce 2, sweep-1's transaction s1) to `to`. */
  function swept(amount: bigint, to = COLD_ADDRESS, consistency: 'MRSC' | 'MREC' = 'MRSC'): Observations {
    const o = new Observations(consistency);
    o.onApiAnswer(0, 'us-east-2', 202, 't0');
    o.onApiAnswer(1, 'us-east-2', 202, 't1');
    o.policy = torturePolicy(3, true);
    o.sweep = { walletId: SWEEP_WALLET, coldAddress: COLD_ADDRESS, ceilingWei: CEILING };
    o.leaseHistory.set('global', new Map([[1, 'us-east-2']]));
    o.intakeOpened.set('global', new Set([1]));
    o.sweepDecisions.set('sweep-1', {
      region: 'us-east-2',
      at: 100,
      balanceWei: 1_100_000n,
      unmined: ['t1'],
      minedHashes: new Set(['0xh0']),
    });
    o.sweepClaims.push({
      replica: 'global',
      sweepId: 'sweep-1',
      amountWei: amount,
      to,
      epoch: 1,
      region: 'us-east-2',
      by: 'us-east-2',
      intakeOpen: true,
    });
    o.sweepSubmits.push({ replica: 'global', sweepId: 'sweep-1', epoch: 1, by: 'us-east-2' });
    o.sweepOpenings.push({ replica: 'global', txId: 's1', openBeside: [] });
    o.signedSpends.push({ txId: 's1', walletId: SWEEP_WALLET, to, valueWei: String(amount), replica: 'global' });
    o.finish({
      chain: chainWith([
        { nonce: 0, value: BigInt(requestValue(0)), hash: '0xh0' },
        { nonce: 1, value: BigInt(requestValue(1)), hash: '0xh1' },
        { nonce: 2, value: amount, hash: '0xs1', to },
      ]),
      address: ADDRESS,
      recipient: RECIPIENT,
      transactions: [
        tx('t0', { nonce: 0, txHash: '0xh0' }),
        tx('t1', { nonce: 1, txHash: '0xh1' }),
        tx('s1', {
          nonce: 2,
          txHash: '0xs1',
          walletId: SWEEP_WALLET,
          idempotencyKey: 'sweep:sweep-1',
          request: { value: String(amount) } as never,
        }),
      ],
      nextNonce: 3,
      settled: true,
      kmsLog: [],
    });
    return o;
  }

  test('hold for one sweep of exactly the excess to the cold address, by the holder', () => {
    expect(checkInvariants(swept(EXCESS))).toEqual([]);
  });

  test('sweep-within-excess fails a sweep one wei above the excess when its run began', () => {
    expect(checkInvariants(swept(EXCESS + 1n))).toEqual([
      {
        invariant: 'sweep-within-excess',
        detail: `sweep sweep-1 (us-east-2, run began at 100 ms) names ${EXCESS + 1n} wei, above the excess then: balance 1100000 - in flight ${t1Cost} (t1 ${t1Cost}) - ceiling 1000000 = ${EXCESS} wei`,
      },
    ]);
  });

  test('sweep-within-excess counts only what reached the chain after the run began', () => {
    // t0 was mined before (already out of the balance); tq never reached the chain (fenced): neither counts.
    const o = swept(EXCESS);
    o.sweepDecisions.set('sweep-1', { ...o.sweepDecisions.get('sweep-1')!, unmined: ['t0', 't1', 'tq'] });
    expect(checkInvariants(o)).toEqual([]);
    // ...but a transaction mined after the run began does: without t1 unmined then, the excess was larger.
    o.sweepDecisions.set('sweep-1', {
      ...o.sweepDecisions.get('sweep-1')!,
      unmined: [],
      balanceWei: 1_100_000n - t1Cost,
    });
    expect(checkInvariants(o)).toEqual([]);
    o.sweepDecisions.set('sweep-1', { ...o.sweepDecisions.get('sweep-1')!, balanceWei: 1_100_000n - t1Cost - 1n });
    expect(failing(o)).toEqual(['sweep-within-excess']);
  });

  test('sweep-within-excess judges what a signer signed: a stale claim no signer signed moves nothing', () => {
    // MREC seed 1052: the old holder, cut off, claimed above the excess it could not see; its signer was
    // stopped and the fence quarantined the sweep. Unsigned, the same over-excess claim passes...
    const o = swept(EXCESS + 1n);
    o.signedSpends.length = 0;
    const final = o.final!;
    o.finish({
      ...final,
      transactions: final.transactions.map((t) =>
        t.txId === 's1' ? { ...t, txHash: undefined, nonce: undefined, status: 'quarantined' } : t,
      ),
    });
    expect(failing(o)).not.toContain('sweep-within-excess');
    // ...and once a signer signs it, it fails.
    o.signedSpends.push({
      txId: 's1',
      walletId: SWEEP_WALLET,
      to: COLD_ADDRESS,
      valueWei: String(EXCESS + 1n),
      replica: 'global',
    });
    expect(failing(o)).toContain('sweep-within-excess');
  });

  test('sweep-within-excess fails a claim no sweeper run decided', () => {
    const o = swept(EXCESS);
    o.sweepDecisions.clear();
    expect(checkInvariants(o)).toEqual([
      { invariant: 'sweep-within-excess', detail: 'sweep sweep-1 was claimed by no sweeper run the harness started' },
    ]);
  });

  test('one-sweep-in-flight fails a sweep transaction created beside an open one, and two mined sweeps', () => {
    const o = swept(EXCESS);
    o.sweepOpenings.push({ replica: 'global', txId: 's2', openBeside: ['s1'] });
    expect(checkInvariants(o)).toEqual([
      {
        invariant: 'one-sweep-in-flight',
        detail: 'sweep transaction s2 was created in global while s1 was still open',
      },
    ]);
    const final = o.final!;
    final.chain.slots.get(ADDRESS)!.set(3, { ...final.chain.slots.get(ADDRESS)!.get(2)!, hash: '0xs2', nonce: 3 });
    final.chain.history.push({ ...final.chain.slots.get(ADDRESS)!.get(2)!, hash: '0xs2', nonce: 3 });
    o.finish({
      ...final,
      transactions: [
        ...final.transactions,
        tx('s2', { nonce: 3, txHash: '0xs2', walletId: SWEEP_WALLET, request: { value: '5' } as never }),
      ],
      nextNonce: 4,
    });
    expect(checkInvariants(o)).toContainEqual({
      invariant: 'one-sweep-in-flight',
      detail: `2 sweeps were mined for one excess: s1 (${EXCESS} wei), s2 (5 wei)`,
    });
  });

  test('sweep-to-cold-only fails a sweep claimed, signed and mined to another address', () => {
    const other = '0x9999999999999999999999999999999999999999';
    expect(checkInvariants(swept(EXCESS, other)).filter((v) => v.invariant === 'sweep-to-cold-only')).toEqual([
      {
        invariant: 'sweep-to-cold-only',
        detail: `sweep sweep-1 was claimed to ${other}, not the cold address ${COLD_ADDRESS}`,
      },
      {
        invariant: 'sweep-to-cold-only',
        detail: `s1 of cold-only wallet ${SWEEP_WALLET} was signed to ${other}, not the cold address ${COLD_ADDRESS}`,
      },
      {
        invariant: 'sweep-to-cold-only',
        detail: `sweep s1 reached the chain to ${other}, not the cold address ${COLD_ADDRESS}`,
      },
    ]);
  });

  test('sweep-by-holder fails a claim or a submission by a region that did not hold the epoch', () => {
    const o = swept(EXCESS);
    o.sweepClaims.push({ ...o.sweepClaims[0], sweepId: 'sweep-2', region: 'us-west-2', by: 'us-west-2' });
    o.sweepSubmits.push({ replica: 'global', sweepId: 'sweep-2', epoch: 1, by: 'us-west-2' });
    o.sweepDecisions.set('sweep-2', o.sweepDecisions.get('sweep-1')!);
    expect(checkInvariants(o).filter((v) => v.invariant === 'sweep-by-holder')).toEqual([
      {
        invariant: 'sweep-by-holder',
        detail: 'sweep sweep-2 was claimed in global by us-west-2 for us-west-2 at epoch 1, held by us-east-2',
      },
      {
        invariant: 'sweep-by-holder',
        detail: 'sweep sweep-2 was marked submitted in global by us-west-2 at epoch 1, held by us-east-2',
      },
    ]);
  });

  test('sweep-by-holder fails, under MREC only, a claim before its epoch was reconciled', () => {
    const unreconciled = (mode: 'MRSC' | 'MREC') => {
      const o = swept(EXCESS, COLD_ADDRESS, mode);
      o.sweepClaims[0] = { ...o.sweepClaims[0], intakeOpen: false };
      return checkInvariants(o);
    };
    expect(unreconciled('MRSC')).toEqual([]);
    expect(unreconciled('MREC')).toEqual([
      {
        invariant: 'sweep-by-holder',
        detail: 'sweep sweep-1 was claimed in global at epoch 1 before that epoch was reconciled (its intake not open)',
      },
    ]);
  });
});
