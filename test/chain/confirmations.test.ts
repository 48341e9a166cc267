import {
  ChainObservation,
  ConfirmationInputError,
  confirmationsAt,
  nextStep,
  ObservedReceipt,
  TrackedTransaction,
} from '../../lib/chain/confirmations';

/** The pure confirmation rules (lib/chain/confirmations.ts): one next step per observation. */
const H = (n: number) => `0x${n.toString(16).padStart(64, '0')}`;
const A = { index: 0, txHash: H(0xa), signedRaw: '0x02aa', signedAt: '2026-01-01T00:00:00.000Z' };
const B = { index: 1, txHash: H(0xb), signedRaw: '0x02bb', signedAt: '2026-01-01T00:01:00.000Z' };
const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const settings = { confirmations: 3, resubmitAfterSeconds: 60 };

function chain(o: {
  head?: number;
  receipts?: Record<string, ObservedReceipt>;
  blocks?: Record<number, string | undefined>;
  known?: boolean;
}): ChainObservation {
  return {
    head: BigInt(o.head ?? 10),
    receipts: new Map(Object.entries(o.receipts ?? {}).map(([h, r]) => [h.toLowerCase(), r])),
    canonicalHashes: new Map(Object.entries(o.blocks ?? {}).map(([n, h]) => [BigInt(n), h])),
    known: o.known ?? true,
  };
}
const receipt = (n: number, hash: string): ObservedReceipt => ({
  blockNumber: BigInt(n),
  blockHash: hash,
  status: 'success',
});
const tx = (o: Partial<TrackedTransaction>): TrackedTransaction => ({
  txId: 't-1',
  status: 'broadcast',
  variants: [A],
  ...o,
});
const minedAt8 = { txHash: A.txHash, blockNumber: 8n, blockHash: H(0x808) };

describe('mined', () => {
  it('marks the variant with a receipt in a canonical block mined, with its block, and the others replaced', () => {
    const step = nextStep(
      tx({ variants: [A, B] }),
      chain({ receipts: { [A.txHash]: receipt(8, H(0x808)) }, blocks: { 8: H(0x808) } }),
      settings,
      T0,
    );
    expect(step).toEqual({
      kind: 'mined',
      variant: A,
      blockNumber: 8n,
      blockHash: H(0x808),
      receiptStatus: 'success',
      replaced: [B.txHash],
    });
  });

  it('names the later variant when that one is mined', () => {
    const step = nextStep(
      tx({ variants: [A, B] }),
      chain({ receipts: { [B.txHash]: receipt(9, H(0x909)) }, blocks: { 9: H(0x909) } }),
      settings,
      T0,
    );
    expect(step.kind === 'mined' && [step.variant.txHash, step.replaced]).toEqual([B.txHash, [A.txHash]]);
  });

  it('ignores a receipt whose block is not canonical (a lagging provider): not mined', () => {
    const step = nextStep(
      tx({}),
      chain({ receipts: { [A.txHash]: receipt(8, H(0xdead)) }, blocks: { 8: H(0x808) } }),
      settings,
      T0 + 1000,
    );
    expect(step.kind).toBe('nothing');
  });

  it('marks a signed (never marked broadcast) transaction mined when the chain has it', () => {
    const step = nextStep(
      tx({ status: 'signed' }),
      chain({ receipts: { [A.txHash]: receipt(8, H(0x808)) }, blocks: { 8: H(0x808) } }),
      settings,
      T0,
    );
    expect(step.kind).toBe('mined');
  });

  it('records a reverted receipt as mined (its nonce is used)', () => {
    const step = nextStep(
      tx({}),
      chain({ receipts: { [A.txHash]: { ...receipt(8, H(0x808)), status: 'reverted' } }, blocks: { 8: H(0x808) } }),
      settings,
      T0,
    );
    expect(step.kind === 'mined' && step.receiptStatus).toBe('reverted');
  });
});

describe('confirmed', () => {
  it.each([
    [8, 9, 'nothing', 2],
    [8, 10, 'confirmed', 3],
    [8, 20, 'confirmed', 13],
  ])('mined in block %s with the head at %s: %s (%s confirmations)', (mined, head, kind, confirmations) => {
    const step = nextStep(
      tx({ status: 'mined', mined: { ...minedAt8, blockNumber: BigInt(mined) } }),
      chain({ head, receipts: { [A.txHash]: receipt(mined, H(0x808)) }, blocks: { [mined]: H(0x808) } }),
      settings,
      T0,
    );
    expect(step.kind).toBe(kind);
    expect('confirmations' in step && step.confirmations).toBe(confirmations);
  });

  it('counts the block holding it as the first confirmation', () => {
    expect(confirmationsAt(8n, 8n)).toBe(1);
    expect(confirmationsAt(8n, 7n)).toBe(0);
  });
});

describe('reorged', () => {
  it('goes back when the recorded block is no longer canonical, rebroadcasting the mined variant unchanged', () => {
    const step = nextStep(
      tx({ status: 'mined', variants: [A, B], mined: minedAt8 }),
      chain({ head: 12, blocks: { 8: H(0x8888) } }),
      settings,
      T0,
    );
    expect(step).toEqual({ kind: 'reorged', was: minedAt8, rebroadcast: A });
  });

  it('goes back when the chain is now shorter than the recorded block', () => {
    const step = nextStep(
      tx({ status: 'mined', mined: minedAt8 }),
      chain({ head: 7, blocks: { 8: undefined } }),
      settings,
      T0,
    );
    expect(step.kind).toBe('reorged');
  });

  it('records the new block when a canonical receipt puts it in another block, even if the old block hash is still served', () => {
    // The old block hash is still canonical at 8 but a newer receipt puts it in another (canonical) block.
    const step = nextStep(
      tx({ status: 'mined', mined: minedAt8 }),
      chain({ head: 12, receipts: { [A.txHash]: receipt(9, H(0x909)) }, blocks: { 8: H(0x808), 9: H(0x909) } }),
      settings,
      T0,
    );
    expect(step).toMatchObject({ kind: 'mined', blockNumber: 9n, moved: minedAt8 });
  });

  it('records the new block when the reorg already mined it elsewhere', () => {
    const step = nextStep(
      tx({ status: 'mined', mined: minedAt8 }),
      chain({ head: 12, receipts: { [A.txHash]: receipt(10, H(0x1010)) }, blocks: { 8: H(0x8888), 10: H(0x1010) } }),
      settings,
      T0,
    );
    expect(step).toMatchObject({ kind: 'mined', blockNumber: 10n, blockHash: H(0x1010), moved: minedAt8 });
  });
});

describe('not mined', () => {
  it('broadcasts a signed transaction nobody marked broadcast (latest variant)', () => {
    expect(nextStep(tx({ status: 'signed', variants: [A, B] }), chain({ known: false }), settings, T0)).toEqual({
      kind: 'broadcast',
      rebroadcast: B,
    });
  });

  it('rebroadcasts the stored raw when no provider knows any variant (dropped)', () => {
    expect(nextStep(tx({}), chain({ known: false }), settings, T0 + 1000)).toEqual({ kind: 'dropped', rebroadcast: A });
  });

  it('quarantines (superseded) when a foreign transaction used the nonce confirmations deep: never rebroadcast or bumped', () => {
    const foreign = H(0xf0);
    expect(nextStep(tx({}), { ...chain({ known: false }), supersededBy: foreign }, settings, T0 + 1000)).toEqual({
      kind: 'superseded',
      by: foreign,
    });
    expect(
      nextStep(tx({ variants: [A, B] }), { ...chain({}), supersededBy: foreign }, settings, T0 + 3_600_000).kind,
    ).toBe('superseded');
  });

  it('fails to call it superseded when the holder is one of its own variants (a lagging receipt): dropped as before', () => {
    expect(
      nextStep(
        tx({ variants: [A, B] }),
        { ...chain({ known: false }), supersededBy: A.txHash.toUpperCase() },
        settings,
        T0,
      ),
    ).toEqual({ kind: 'dropped', rebroadcast: B });
  });

  it('a canonical receipt of its own wins over a holder report (mined, not superseded)', () => {
    const step = nextStep(
      tx({}),
      { ...chain({ receipts: { [A.txHash]: receipt(8, H(0x808)) }, blocks: { 8: H(0x808) } }), supersededBy: H(0xf0) },
      settings,
      T0,
    );
    expect(step.kind).toBe('mined');
  });

  it('waits while known and younger than resubmitAfterSeconds', () => {
    expect(nextStep(tx({}), chain({}), settings, T0 + 59_000).kind).toBe('nothing');
  });

  it('asks a bump of the latest variant once it waited resubmitAfterSeconds', () => {
    expect(nextStep(tx({ variants: [A, B] }), chain({}), settings, Date.parse(B.signedAt) + 60_000)).toEqual({
      kind: 'resubmit',
      fromTxHash: B.txHash,
      waitedSeconds: 60,
    });
  });

  it('does not ask again within resubmitAfterSeconds of the bump it asked for that variant', () => {
    const asked = { fromTxHash: A.txHash, at: new Date(T0 + 70_000).toISOString() };
    expect(nextStep(tx({ bumpRequested: asked }), chain({}), settings, T0 + 100_000).kind).toBe('nothing');
    expect(nextStep(tx({ bumpRequested: asked }), chain({}), settings, T0 + 130_000).kind).toBe('resubmit');
  });

  it('a bump asked for an older variant does not delay the latest', () => {
    const asked = { fromTxHash: A.txHash, at: new Date(Date.parse(B.signedAt) + 50_000).toISOString() };
    const step = nextStep(
      tx({ variants: [A, B], bumpRequested: asked }),
      chain({}),
      settings,
      Date.parse(B.signedAt) + 60_000,
    );
    expect(step.kind).toBe('resubmit');
  });

  it('never bumps a stuck transaction (the signer reached the cap)', () => {
    expect(nextStep(tx({ status: 'stuck' }), chain({}), settings, T0 + 3_600_000).kind).toBe('nothing');
  });
});

describe('fails on input it must not guess at', () => {
  it('fails naming every problem at once', () => {
    const bad = tx({ status: 'mined', variants: [{ index: 0, txHash: '0x12', signedRaw: 'zz' }] });
    expect(() => nextStep(bad, chain({}), { confirmations: 0, resubmitAfterSeconds: 0 }, T0)).toThrow(
      ConfirmationInputError,
    );
    try {
      nextStep(bad, chain({}), { confirmations: 0, resubmitAfterSeconds: 0 }, T0);
    } catch (err) {
      expect((err as ConfirmationInputError).problems).toEqual([
        'variants[0].txHash is not a 32-byte hash: 0x12',
        'variants[0].signedRaw is not hex',
        'status is mined but no mined block is recorded',
        'confirmations must be a whole number >= 1; received 0',
        'resubmitAfterSeconds must be > 0; received 0',
      ]);
    }
  });

  it('fails on a status it does not track and on no variant', () => {
    expect(() => nextStep(tx({ status: 'queued', variants: [] }), chain({}), settings, T0)).toThrow(
      /status must be one of signed, broadcast, mined, stuck; received "queued"; it has no signed variant/,
    );
  });

  it('fails when the mined hash is none of its variants', () => {
    expect(() =>
      nextStep(tx({ status: 'mined', mined: { ...minedAt8, txHash: H(0xc) } }), chain({}), settings, T0),
    ).toThrow(/the mined hash 0x0+c is none of its variants/);
  });
});
