import { APPROVAL_REASONS, type RuntimeSpendingPolicy, type WalletPolicy } from '../../../../lib/contract/policy';
import { evaluatePolicy, type PolicyContext, spentInWindow } from '../../../../lambda/shared/policy/engine';

const NOW = new Date('2026-06-01T12:00:00.000Z');
const TO = '0x1111111111111111111111111111111111111111';
const COLD = '0xc01dc01dc01dc01dc01dc01dc01dc01dc01dc01d';
const HOUR = 3600_000;

const allowed: WalletPolicy = {
  outgoing: 'allowed',
  perTransactionWei: '1000',
  velocity: [
    { window: '1h', windowSeconds: 3600, limitWei: '2500' },
    { window: '24h', windowSeconds: 86400, limitWei: '4000' },
  ],
  destinations: 'any',
  unlistedDestination: 'refuse',
};

function policy(p: Partial<WalletPolicy> = {}, extra: Partial<RuntimeSpendingPolicy> = {}): RuntimeSpendingPolicy {
  return {
    version: 'test',
    default: { outgoing: 'deposit-only', velocity: [], destinations: 'any', unlistedDestination: 'refuse' },
    wallets: { w1: { ...allowed, ...p } },
    allowlistTimeLockHours: 48,
    ...extra,
  };
}

function ctx(over: Partial<PolicyContext> = {}): PolicyContext {
  return {
    policy: policy(),
    walletId: 'w1',
    txId: 'tx-new',
    request: { to: TO, value: '500' },
    now: NOW,
    spends: [],
    ...over,
  };
}

const spend = (txId: string, amountWei: string, agoMs: number) => ({ txId, amountWei, at: NOW.getTime() - agoMs });

describe('spending policy engine', () => {
  test('a request within every limit is allowed', () => {
    expect(evaluatePolicy(ctx())).toEqual({ kind: 'allow' });
  });

  describe('deposit-only', () => {
    test('fails a withdrawal from a wallet without an override (the default is deposit-only)', () => {
      const d = evaluatePolicy(ctx({ walletId: 'w-other' }));
      expect(d).toMatchObject({ kind: 'refuse', rule: 'deposit-only', limit: 'no outgoing transfers' });
    });
    test('fails a zero-value withdrawal too', () => {
      const d = evaluatePolicy(ctx({ walletId: 'w-other', request: { to: TO, value: '0' } }));
      expect(d.kind).toBe('refuse');
    });
    test('an override named like an Object.prototype key does not apply to other wallets', () => {
      const d = evaluatePolicy(ctx({ walletId: 'constructor' }));
      expect(d).toMatchObject({ kind: 'refuse', rule: 'deposit-only' });
    });
  });

  describe('per-transaction', () => {
    test('allows exactly the limit', () => {
      expect(evaluatePolicy(ctx({ request: { to: TO, value: '1000' } }))).toEqual({ kind: 'allow' });
    });
    test('fails one wei above the limit, naming the limit', () => {
      const d = evaluatePolicy(ctx({ request: { to: TO, value: '1001' } }));
      expect(d).toMatchObject({ kind: 'refuse', rule: 'per-transaction', limit: '1000 wei per transaction' });
      expect(d.kind === 'refuse' && d.message).toContain('1001 wei');
    });
  });

  describe('velocity', () => {
    test('counts spends inside the window and allows up to the limit', () => {
      const d = evaluatePolicy(
        ctx({ request: { to: TO, value: '500' }, spends: [spend('a', '1000', 10), spend('b', '1000', HOUR - 1)] }),
      );
      expect(d).toEqual({ kind: 'allow' });
    });
    test('fails when the window plus this request exceed the limit', () => {
      const d = evaluatePolicy(
        ctx({ request: { to: TO, value: '501' }, spends: [spend('a', '1000', 10), spend('b', '1000', 20)] }),
      );
      expect(d).toMatchObject({ kind: 'refuse', rule: 'velocity', limit: '2500 wei per 1h' });
      expect(d.kind === 'refuse' && d.message).toContain('has sent 2000 wei in the last 1h');
    });
    test('a spend older than the window no longer counts for it, but does for the longer window', () => {
      const old = [spend('a', '1000', HOUR), spend('b', '1000', 2 * HOUR), spend('c', '1000', 3 * HOUR)];
      expect(evaluatePolicy(ctx({ request: { to: TO, value: '1000' }, spends: old }))).toEqual({ kind: 'allow' });
      const d = evaluatePolicy(
        ctx({ request: { to: TO, value: '1000' }, spends: [...old, spend('d', '500', 5 * HOUR)] }),
      );
      expect(d).toMatchObject({ kind: 'refuse', rule: 'velocity', limit: '4000 wei per 24h' });
    });
    test('a request whose own spend is already committed (a redelivery) is not counted twice', () => {
      const spends = [spend('a', '1000', 10), spend('tx-new', '1000', 5)];
      expect(evaluatePolicy(ctx({ request: { to: TO, value: '1000' }, spends }))).toEqual({ kind: 'allow' });
      const other = evaluatePolicy(ctx({ txId: 'tx-other', request: { to: TO, value: '1000' }, spends }));
      expect(other).toMatchObject({ kind: 'refuse', rule: 'velocity' });
    });
    test("fails beyond a region's share of the budget (MREC split)", () => {
      const half = { numerator: 1n, denominator: 2n };
      expect(
        evaluatePolicy(ctx({ request: { to: TO, value: '1000' }, spends: [spend('a', '250', 1)], budgetShare: half })),
      ).toEqual({ kind: 'allow' });
      const d = evaluatePolicy(
        ctx({ request: { to: TO, value: '1000' }, spends: [spend('a', '251', 1)], budgetShare: half }),
      );
      expect(d).toMatchObject({ kind: 'refuse', rule: 'velocity', limit: '2500 wei per 1h' });
      expect(d.kind === 'refuse' && d.message).toContain("this region's share: 1250 wei");
    });
    test('spentInWindow excludes the edge of the window and the given txId', () => {
      const s = [spend('a', '1', HOUR), spend('b', '2', HOUR - 1), spend('c', '4', 0)];
      expect(spentInWindow(s, NOW.getTime(), 3600)).toBe(6n);
      expect(spentInWindow(s, NOW.getTime(), 3600, 'c')).toBe(2n);
    });
  });

  describe('share of the hot balance', () => {
    const p = policy({ shareOfHotBalancePercent: 12.5, perTransactionWei: undefined, velocity: [] });
    test('allows up to the share', () => {
      expect(evaluatePolicy(ctx({ policy: p, request: { to: TO, value: '125' }, hotBalanceWei: 1000n }))).toEqual({
        kind: 'allow',
      });
    });
    test('fails above the share, naming it', () => {
      const d = evaluatePolicy(ctx({ policy: p, request: { to: TO, value: '126' }, hotBalanceWei: 1000n }));
      expect(d).toMatchObject({ kind: 'refuse', rule: 'share-of-balance', limit: '12.5% of the hot balance' });
      expect(d.kind === 'refuse' && d.message).toContain('at most 125 wei');
    });
    test('fails closed when the balance could not be read', () => {
      const d = evaluatePolicy(ctx({ policy: p, request: { to: TO, value: '1' } }));
      expect(d).toMatchObject({ kind: 'refuse', rule: 'share-of-balance' });
      expect(d.kind === 'refuse' && d.message).toContain('could not be read');
    });
  });

  describe('allowlist', () => {
    const entry = (usableAt: string) => ({
      walletId: 'w1',
      address: TO,
      addedAt: '2026-05-01T00:00:00.000Z',
      usableAt,
      addedBy: 'arn:aws:sts::111111111111:assumed-role/Ops/alice',
    });
    const listed = policy({ destinations: 'allowlist' });
    test('allows a destination past its time lock', () => {
      expect(evaluatePolicy(ctx({ policy: listed, destination: entry(NOW.toISOString()) }))).toEqual({ kind: 'allow' });
    });
    test('fails a destination not on the allowlist', () => {
      const d = evaluatePolicy(ctx({ policy: listed }));
      expect(d).toMatchObject({
        kind: 'refuse',
        rule: 'allowlist',
        limit: 'allowlisted destinations past their time lock',
      });
      expect(d.kind === 'refuse' && d.message).toContain('is not on the wallet');
    });
    test('fails a destination still inside its time lock (one ms before usableAt)', () => {
      const d = evaluatePolicy(ctx({ policy: listed, destination: entry(new Date(NOW.getTime() + 1).toISOString()) }));
      expect(d).toMatchObject({ kind: 'refuse', rule: 'allowlist' });
      expect(d.kind === 'refuse' && d.message).toContain('time-locked until');
    });
    test('with unlistedDestination "approval", an unlisted destination needs approval instead', () => {
      const p = policy(
        { destinations: 'allowlist', unlistedDestination: 'approval' },
        { approvals: { thresholdWei: '100000', required: 2, expiresAfterHours: 24 } },
      );
      expect(evaluatePolicy(ctx({ policy: p }))).toEqual({
        kind: 'approval-required',
        reasons: [APPROVAL_REASONS.destinationNotAllowlisted(TO)],
      });
    });
    test('"approval" without an approvals section refuses (fail closed)', () => {
      const p = policy({ destinations: 'allowlist', unlistedDestination: 'approval' });
      expect(evaluatePolicy(ctx({ policy: p }))).toMatchObject({ kind: 'refuse', rule: 'allowlist' });
    });
    test('fails a contract call to a destination that is not a usable allowlisted one', () => {
      const d = evaluatePolicy(ctx({ request: { to: TO, value: '0', data: '0xa9059cbb' } }));
      expect(d).toMatchObject({ kind: 'refuse', rule: 'allowlist' });
      expect(d.kind === 'refuse' && d.message).toContain('call data');
      expect(
        evaluatePolicy(
          ctx({
            policy: listed,
            request: { to: TO, value: '0', data: '0xa9059cbb' },
            destination: entry(NOW.toISOString()),
          }),
        ),
      ).toEqual({ kind: 'allow' });
    });
  });

  describe('approvals threshold', () => {
    const p = policy({}, { approvals: { thresholdWei: '800', required: 2, expiresAfterHours: 24 } });
    test('below the threshold is allowed', () => {
      expect(evaluatePolicy(ctx({ policy: p, request: { to: TO, value: '799' } }))).toEqual({ kind: 'allow' });
    });
    test('at the threshold needs approval', () => {
      expect(evaluatePolicy(ctx({ policy: p, request: { to: TO, value: '800' } }))).toEqual({
        kind: 'approval-required',
        reasons: [APPROVAL_REASONS.aboveThreshold('800')],
      });
    });
    test('a refusal wins over an approval (above the per-transaction limit)', () => {
      expect(evaluatePolicy(ctx({ policy: p, request: { to: TO, value: '1001' } }))).toMatchObject({
        kind: 'refuse',
        rule: 'per-transaction',
      });
    });
  });

  describe('cold-only', () => {
    const p = policy(
      { outgoing: 'cold-only', perTransactionWei: undefined, velocity: [] },
      { coldAddress: COLD, approvals: { thresholdWei: '1', required: 2, expiresAfterHours: 24 } },
    );
    test('allows a transfer to the cold address, without approval (the sweep)', () => {
      expect(
        evaluatePolicy(ctx({ policy: p, request: { to: COLD.toUpperCase().replace('0X', '0x'), value: '999999' } })),
      ).toEqual({ kind: 'allow' });
    });
    test('fails any other destination', () => {
      expect(evaluatePolicy(ctx({ policy: p }))).toMatchObject({
        kind: 'refuse',
        rule: 'cold-only',
        limit: `only to ${COLD}`,
      });
    });
  });
});
