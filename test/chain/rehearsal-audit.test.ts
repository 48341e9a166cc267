import { type MinedTx, percentile, summarize } from '../../lib/chain/rehearsal/audit';

/** The chain audit's safety counts each catch what they are for (each can fail). */
const A = '0xaaaa000000000000000000000000000000000001';
const tx = (nonce: number, value: bigint, recovered = A): MinedTx => ({
  hash: `0x${nonce.toString(16).padStart(64, '0')}`,
  from: A,
  to: '0x5555555555555555555555555555555555555555',
  nonce,
  value,
  blockNumber: BigInt(nonce + 1),
  recovered,
});

test('a clean chain: no gap, no duplicate, nothing unmined', () => {
  const audit = summarize([tx(0, 10n), tx(1, 11n), tx(2, 0n)], [A], [10n, 11n]);
  expect([audit.nonceGaps[A], audit.duplicates, audit.unmined, audit.badSignatures]).toEqual([[], [], [], []]);
});

test('a missing nonce is a gap, a marker mined twice a duplicate, an accepted marker not mined is unmined', () => {
  const audit = summarize([tx(0, 10n), tx(2, 10n), tx(4, 12n)], [A], [10n, 11n, 12n]);
  expect(audit.nonceGaps[A]).toEqual([1, 3]);
  expect(audit.duplicates).toEqual([10n]);
  expect(audit.unmined).toEqual([11n]);
});

test('a transaction whose signature recovers to another address is reported', () => {
  const audit = summarize([tx(0, 10n, '0xbbbb000000000000000000000000000000000002')], [A], [10n]);
  expect(audit.badSignatures).toEqual([tx(0, 10n).hash]);
});

test('percentile is nearest-rank', () => {
  expect([percentile([], 50), percentile([5, 1, 3], 50), percentile([1, 2, 3, 4], 95)]).toEqual([undefined, 3, 4]);
});
