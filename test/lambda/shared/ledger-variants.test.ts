import type { TransactionRecord } from '../../../lambda/shared/ledger';
import { trackedVariants, type ChainTransaction } from '../../../lambda/shared/ledger-chain';
import { variantsOf } from '../../../lambda/shared/ledger-variants';

/**
 * The one reading of a transaction's variants (lambda/shared/ledger-variants.ts variantsOf), which the
 * signer's bump path, the watcher, the API and wallet-ops share, and the watcher's timer rule on top
 * of it (ledger-chain.ts trackedVariants).
 */
const H = (c: string) => `0x${c.repeat(64)}`;
const base: TransactionRecord = {
  walletId: 'w-1',
  txId: 't-1',
  address: '0x1111111111111111111111111111111111111111',
  status: 'broadcast',
  request: {
    to: '0x7777777777777777777777777777777777777777',
    value: '1',
    gasLimit: '21000',
    maxFeePerGas: '900',
    maxPriorityFeePerGas: '90',
    chainId: 1,
  },
  requestHash: 'h',
  idempotencyKey: 'k',
  intakeRegion: 'us-east-2',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:05:00.000Z',
};

describe('variantsOf', () => {
  test('a first signature only: one variant with the fees it was signed at', () => {
    const tx = {
      ...base,
      txHash: H('a'),
      signedRaw: '0x02',
      digest: H('d'),
      signedMaxFeePerGas: '500',
      signedMaxPriorityFeePerGas: '50',
      signedAt: '2026-01-01T00:01:00.000Z',
    };
    expect(variantsOf(tx)).toEqual([
      {
        index: 0,
        txHash: H('a'),
        signedRaw: '0x02',
        digest: H('d'),
        maxFeePerGas: '500',
        maxPriorityFeePerGas: '50',
        signedAt: '2026-01-01T00:01:00.000Z',
      },
    ]);
  });

  test("without signed fees (signed before fees were pinned), the request's own fees", () => {
    const [v] = variantsOf({ ...base, txHash: H('a'), signedRaw: '0x02' });
    expect([v.maxFeePerGas, v.maxPriorityFeePerGas, v.signedAt]).toEqual(['900', '90', base.updatedAt]);
  });

  test('stored variants, oldest first by index whatever their stored order', () => {
    const v = (index: number, c: string) => ({
      index,
      txHash: H(c),
      signedRaw: '0x02',
      digest: H(c),
      maxFeePerGas: String(100 * (index + 1)),
      maxPriorityFeePerGas: '1',
      signedAt: `2026-01-01T00:0${index}:00.000Z`,
    });
    const tx = { ...base, txHash: H('c'), signedRaw: '0x02', variants: [v(2, 'c'), v(0, 'a'), v(1, 'b')] };
    expect(variantsOf(tx as TransactionRecord).map((x) => x.index)).toEqual([0, 1, 2]);
  });

  test('nothing signed: no variant', () => {
    expect(variantsOf(base)).toEqual([]);
  });
});

describe('trackedVariants (the watcher)', () => {
  test("a first signature's resubmit timer starts at its broadcast, not its signing", () => {
    const tx: ChainTransaction = {
      ...base,
      txHash: H('a'),
      signedRaw: '0x02',
      signedAt: '2026-01-01T00:01:00.000Z',
      broadcastAt: '2026-01-01T00:04:00.000Z',
    };
    expect(trackedVariants(tx)).toEqual([
      { index: 0, txHash: H('a'), signedRaw: '0x02', signedAt: '2026-01-01T00:04:00.000Z' },
    ]);
  });

  test('stored variants keep their own signing times', () => {
    const tx = {
      ...base,
      txHash: H('b'),
      signedRaw: '0x02',
      broadcastAt: '2026-01-01T00:09:00.000Z',
      variants: [
        { index: 0, txHash: H('a'), signedRaw: '0x02', maxFeePerGas: '1', maxPriorityFeePerGas: '1', signedAt: 'A' },
        { index: 1, txHash: H('b'), signedRaw: '0x02', maxFeePerGas: '2', maxPriorityFeePerGas: '2', signedAt: 'B' },
      ],
    } as ChainTransaction;
    expect(trackedVariants(tx).map((v) => v.signedAt)).toEqual(['A', 'B']);
  });
});
