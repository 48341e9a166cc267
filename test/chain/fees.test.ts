import {
  effectiveCap,
  type FeeHistory,
  type FeePolicy,
  feePolicy,
  firstFees,
  gweiToWei,
  marketFees,
  replacementFees,
  replacementMinimum,
} from '../../lib/chain/fees';
import { CHAIN_FEE_DEFAULTS } from '../../lib/contract/chain-settings';

const GWEI = 10n ** 9n;
const policy: FeePolicy = {
  priorityFeePerGas: 1n * GWEI,
  capPerGas: 100n * GWEI,
  bumpPercent: 10,
  baseFeeMultiplier: 2,
};
/** Five blocks, next base fee 10 gwei, tips 1..3 gwei (median 2). */
const calm: FeeHistory = {
  baseFeePerGas: [8n, 9n, 9n, 10n, 10n, 10n].map((g) => g * GWEI),
  reward: [[1n], [2n], [3n], [2n], [1n]].map((r) => r.map((g) => g * GWEI)),
};

describe('fees: the settings in wei', () => {
  it('converts decimal gwei exactly, to the wei', () => {
    expect(gweiToWei('1.5')).toBe(1_500_000_000n);
    expect(gweiToWei('100')).toBe(100n * GWEI);
    expect(gweiToWei('0.000000001')).toBe(1n);
  });

  it('refuses gwei it cannot represent exactly, naming the value', () => {
    expect(() => gweiToWei('0.0000000001')).toThrow(/at most 9 decimals; got "0.0000000001"/);
    expect(() => gweiToWei('1e9')).toThrow(/got "1e9"/);
    expect(() => gweiToWei('-1')).toThrow(/got "-1"/);
  });

  it('maps the chain settings (defaults: 1.5 gwei tip, 100 gwei cap, 10% bump)', () => {
    expect(feePolicy(CHAIN_FEE_DEFAULTS)).toEqual({
      priorityFeePerGas: 1_500_000_000n,
      capPerGas: 100n * GWEI,
      bumpPercent: 10,
      baseFeeMultiplier: 2,
    });
  });

  it('the cap in force is the lower of the chain cap and the client ceiling', () => {
    expect(effectiveCap(policy)).toBe(100n * GWEI);
    expect(effectiveCap(policy, { maxFeePerGas: 30n * GWEI })).toBe(30n * GWEI);
    expect(effectiveCap(policy, { maxFeePerGas: 500n * GWEI })).toBe(100n * GWEI);
  });
});

describe('fees: the first signature', () => {
  it('takes the next block base fee x multiplier + the tip (recent median above the chain floor)', () => {
    expect(marketFees(calm, policy)).toEqual({ nextBaseFee: 10n * GWEI, tip: 2n * GWEI, maxFeePerGas: 22n * GWEI });
    expect(firstFees(calm, policy)).toEqual({
      fees: { maxFeePerGas: 22n * GWEI, maxPriorityFeePerGas: 2n * GWEI },
      belowMarket: false,
      cap: 100n * GWEI,
    });
  });

  it('never tips below the per-chain priority fee', () => {
    const quiet: FeeHistory = { baseFeePerGas: [10n * GWEI, 10n * GWEI], reward: [[1n]] };
    expect(firstFees(quiet, { ...policy, priorityFeePerGas: 3n * GWEI }).fees.maxPriorityFeePerGas).toBe(3n * GWEI);
  });

  it('holds the fee cap at the cap in force in a fee spike, and says it is below the market', () => {
    const spike: FeeHistory = { baseFeePerGas: [10n * GWEI, 80n * GWEI], reward: [[2n * GWEI]] };
    const first = firstFees(spike, policy, { maxFeePerGas: 60n * GWEI });
    expect(first.fees.maxFeePerGas).toBe(60n * GWEI);
    expect(first.belowMarket).toBe(true);
    expect(first.cap).toBe(60n * GWEI);
  });

  it("honours the client's priority ceiling, and never tips above the fee cap", () => {
    expect(firstFees(calm, policy, { maxPriorityFeePerGas: 1n }).fees.maxPriorityFeePerGas).toBe(1n);
    const tiny = firstFees(calm, { ...policy, capPerGas: 1n * GWEI });
    expect(tiny.fees.maxPriorityFeePerGas).toBeLessThanOrEqual(tiny.fees.maxFeePerGas);
  });

  it('refuses a fee history without base fees', () => {
    expect(() => firstFees({ baseFeePerGas: [] }, policy)).toThrow(/no baseFeePerGas/);
  });
});

describe("fees: replacement (geth's txpool rule: both components >= old x (100 + bump) / 100 and above old)", () => {
  it('computes the threshold with integer division, strictly above the old value', () => {
    expect(replacementMinimum(100n, 10)).toBe(110n);
    expect(replacementMinimum(15n, 10)).toBe(16n); // 16.5 floors to 16, still above 15
    expect(replacementMinimum(5n, 10)).toBe(6n); // 5.5 floors to 5: not above 5, so 6
    expect(replacementMinimum(0n, 10)).toBe(1n);
  });

  it('bumps both components by at least the minimum when the market has not moved', () => {
    const previous = { maxFeePerGas: 22n * GWEI, maxPriorityFeePerGas: 2n * GWEI };
    const d = replacementFees(previous, calm, policy);
    expect(d.kind).toBe('replace');
    if (d.kind !== 'replace') throw new Error('unreachable');
    expect(d.fees.maxPriorityFeePerGas).toBeGreaterThanOrEqual(replacementMinimum(2n * GWEI, 10));
    expect(d.fees.maxFeePerGas).toBeGreaterThanOrEqual(replacementMinimum(22n * GWEI, 10));
    // the market with the bumped tip (2 x 10 + 2.2 = 22.2 gwei) is below geth's minimum: 22 x 1.1 = 24.2 gwei
    expect(d.fees).toEqual({ maxFeePerGas: 24_200_000_000n, maxPriorityFeePerGas: 2_200_000_000n });
  });

  it('follows the market up when it rose more than the bump (a fee spike)', () => {
    const previous = { maxFeePerGas: 22n * GWEI, maxPriorityFeePerGas: 2n * GWEI };
    const spike: FeeHistory = { baseFeePerGas: [10n * GWEI, 40n * GWEI], reward: [[5n * GWEI]] };
    const d = replacementFees(previous, spike, policy);
    expect(d).toEqual({
      kind: 'replace',
      fees: { maxFeePerGas: 85n * GWEI, maxPriorityFeePerGas: 5n * GWEI },
      cap: 100n * GWEI,
    });
  });

  it('holds the fee cap at the cap when the market is above it but the minimum bump fits', () => {
    const previous = { maxFeePerGas: 80n * GWEI, maxPriorityFeePerGas: 2n * GWEI };
    const spike: FeeHistory = { baseFeePerGas: [60n * GWEI], reward: [[2n * GWEI]] };
    const d = replacementFees(previous, spike, policy);
    expect(d).toEqual({
      kind: 'replace',
      fees: { maxFeePerGas: 100n * GWEI, maxPriorityFeePerGas: 2_200_000_000n },
      cap: 100n * GWEI,
    });
  });

  it('reports stuck, with what a node would need, when even the minimum bump breaks the cap', () => {
    const previous = { maxFeePerGas: 95n * GWEI, maxPriorityFeePerGas: 2n * GWEI };
    const d = replacementFees(previous, calm, policy);
    expect(d.kind).toBe('stuck');
    if (d.kind !== 'stuck') throw new Error('unreachable');
    expect(d.needed).toEqual({ maxFeePerGas: 104_500_000_000n, maxPriorityFeePerGas: 2_200_000_000n });
    expect(d.cap).toBe(100n * GWEI);
    expect(d.reason).toMatch(
      /needs maxFeePerGas >= 104500000000 wei \(10% over 95000000000\), above the cap of 100000000000 wei/,
    );
  });

  it("uses the client's lower ceiling as the cap for replacements too", () => {
    const previous = { maxFeePerGas: 22n * GWEI, maxPriorityFeePerGas: 2n * GWEI };
    expect(replacementFees(previous, calm, policy, { maxFeePerGas: 24n * GWEI }).kind).toBe('stuck');
    expect(replacementFees(previous, calm, policy, { maxFeePerGas: 25n * GWEI }).kind).toBe('replace');
  });

  it('a replacement a geth node would refuse is never proposed (every outcome checked against the rule)', () => {
    const histories: FeeHistory[] = [calm, { baseFeePerGas: [1n], reward: [[0n]] }, { baseFeePerGas: [50n * GWEI] }];
    const previousFees = [1n, 7n, 1n * GWEI, 22n * GWEI, 90n * GWEI].flatMap((fee) =>
      [0n, 1n, fee / 2n, fee].map((tip) => ({ maxFeePerGas: fee, maxPriorityFeePerGas: tip })),
    );
    for (const h of histories) {
      for (const previous of previousFees) {
        const d = replacementFees(previous, h, policy);
        if (d.kind === 'stuck') continue;
        // geth list.Add: strictly above and at least the threshold, both components.
        expect(d.fees.maxFeePerGas).toBeGreaterThan(previous.maxFeePerGas);
        expect(d.fees.maxPriorityFeePerGas).toBeGreaterThan(previous.maxPriorityFeePerGas);
        expect(d.fees.maxFeePerGas).toBeGreaterThanOrEqual((previous.maxFeePerGas * 110n) / 100n);
        expect(d.fees.maxPriorityFeePerGas).toBeGreaterThanOrEqual((previous.maxPriorityFeePerGas * 110n) / 100n);
        expect(d.fees.maxPriorityFeePerGas).toBeLessThanOrEqual(d.fees.maxFeePerGas);
        expect(d.fees.maxFeePerGas).toBeLessThanOrEqual(policy.capPerGas);
      }
    }
  });
});
