import { WalletConfig } from '../config/schema';
import { computeRtoBudget, rtoBudgetProblem } from '../failover/rto-budget';

// The config-to-budget mapping sits beside the stacks (not in lib/app.ts) so that checking it loads
// no CDK code: test/failover/rto-budget.test.ts imports it alone.

/** Fails the synth, before any stack is built, when the DNS failover path cannot meet the RTO target. */
export function assertRtoBudget(config: WalletConfig): void {
  const input = {
    intervalSeconds: config.dns.healthCheck.intervalSeconds,
    failureThreshold: config.dns.healthCheck.failureThreshold,
    ttlSeconds: config.dns.recordTtlSeconds,
    rtoTargetSeconds: config.targets.rtoSeconds,
    ttlIsSetting: config.dns.recordType === 'CNAME',
  };
  const problem = rtoBudgetProblem(computeRtoBudget(input), input);
  if (problem !== undefined) throw new Error(problem);
}
