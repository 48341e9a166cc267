import { runOne } from '../../torture/campaign';
import { COLD_ADDRESS, runSchedule, SWEEP_WALLET } from '../../torture/run';
import { checkInvariants } from '../../torture/invariants';
import { generateSchedule, SWEEP_CEILING_WEI } from '../../torture/schedule';

/**
 * The sweeper under torture (lambda/sweeper through the harness, torture/run.ts): a schedule's sweeper
 * runs sweep exactly the excess the truth allows, to the cold address, once; and each planted sweep
 * bug (torture/bugs.ts) is found at a named seed by the invariant it breaks, at a seed that holds
 * without it.
 */
jest.setTimeout(120_000);

test('MRSC seed 4: a duplicated run and a withdrawal in flight; one sweep of exactly the excess reaches the cold address', async () => {
  const schedule = generateSchedule(4, 'MRSC');
  expect(schedule.sweeps?.some((s) => s.copies === 2)).toBe(true);
  const result = await runSchedule(schedule);
  const o = result.observations;
  expect(checkInvariants(o)).toEqual([]);
  const final = o.final!;
  const sweeps = final.transactions.filter((t) => t.walletId === SWEEP_WALLET);
  expect(sweeps).toHaveLength(1);
  const mined = final.chain.minedAt(final.address, Number.POSITIVE_INFINITY).find((a) => a.hash === sweeps[0].txHash);
  expect(mined?.to).toBe(COLD_ADDRESS);
  // The excess when its run began: the balance above the ceiling less the withdrawal then unmined (its value + 21000 x its fee cap).
  const [claim] = o.sweepClaims;
  const decision = o.sweepDecisions.get(claim.sweepId)!;
  const inFlight = final.transactions
    .filter((t) => decision.unmined.includes(t.txId))
    .reduce((sum, t) => sum + BigInt(t.request.value) + 21_000n * BigInt(t.request.maxFeePerGas), 0n);
  expect(inFlight).toBeGreaterThan(0n);
  expect(mined?.value).toBe(decision.balanceWei - inFlight - SWEEP_CEILING_WEI);
});

test.each([
  ['sweep-ignores-in-flight', 'MRSC', 1, 'sweep-within-excess', 'above the excess then'],
  ['sweep-ignores-in-flight', 'MREC', 1, 'sweep-within-excess', 'above the excess then'],
  ['sweep-without-cas', 'MRSC', 4, 'one-sweep-in-flight', 'was still open'],
  ['sweep-without-cas', 'MREC', 4, 'one-sweep-in-flight', 'was still open'],
  ['sweep-before-reconcile', 'MREC', 14, 'sweep-by-holder', 'before that epoch was reconciled'],
] as const)(
  '%s is found under %s at seed %i (%s), which holds without it',
  async (bug, mode, seed, invariant, detail) => {
    expect((await runOne(seed, mode)).violations).toEqual([]);
    const found = await runOne(seed, mode, bug);
    expect(found.violations).toContainEqual({ invariant, detail: expect.stringContaining(detail) });
  },
);
