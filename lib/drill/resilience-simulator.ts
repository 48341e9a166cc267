import { WalletConfig } from '../config/schema';
import { ROUTE53_HEALTH_CHECK_REGIONS } from '../config/schema';
import { FAILOVER_SWITCH_ALARM } from '../contract/failover-switch';
import type { FailoverPath, FailoverTimingParams, RtoPercentiles, RtoSimulator } from '../failover/rto-simulator';
import { DEFAULT_ASSUMPTIONS, distribution, ModelAssumptions } from '../failover/timing';
import { simulateOnce } from './montecarlo';

/**
 * The drill's model behind the resilience report's {@link RtoSimulator} interface (issue 9): every
 * run is a full simulated-AWS incident (lib/drill/sim/world.ts), the same model the drill rehearses
 * against. Use it with `runResilienceReport(..., { simulator: drillRtoSimulator() })`.
 *
 * Paths: `unplanned` and `planned` are single world runs; `budget` (a failure the endpoint check
 * does not see, found and then switched) adds an unplanned run's detection to a planned run's RTO,
 * so it counts propagation twice: a conservative composition, stated in the assumptions.
 */
export function drillRtoSimulator(assumptions: ModelAssumptions = DEFAULT_ASSUMPTIONS): RtoSimulator {
  const a = assumptions;
  return {
    name: 'drill simulated AWS (lib/drill/sim/world.ts)',
    assumptions: [
      `${a.checkersPerRegion} health checkers per checker region with random phases and up to ±${a.checkJitterSeconds} s jitter per request; each flips after the failure threshold; Route 53 follows the 18% rule`,
      `the switch alarm (Maximum, ${FAILOVER_SWITCH_ALARM.periodSeconds} s, 1 period) is evaluated ${a.alarmEvaluationDelaySeconds.min}-${a.alarmEvaluationDelaySeconds.max} s after each period closes; Route 53 follows its metric with LastKnownStatus`,
      `${a.propagationSeconds.min}-${a.propagationSeconds.max} s for a health-status change to reach Route 53's answers`,
      "a client's resolver re-fetches when its cached answer expires (random cache age per run)",
      'planned path: the lease moves (written in the standby) as the switch is thrown; with the primary check on /health?lease=held the primary record fails on whichever Route 53 sees first; the lease is read strongly consistently (MRSC; MREC adds the replication lag)',
      "budget path: an unplanned run's detection plus a switch-only planned run's RTO (propagation counted twice)",
    ],
    allowanceSeconds(p, path) {
      const endpoint = 2 * a.checkJitterSeconds;
      const switchDelay = a.alarmEvaluationDelaySeconds.max;
      const prop = a.propagationSeconds.max;
      if (path === 'unplanned') return endpoint + prop;
      if (path === 'planned') {
        if (p.leaseFollowingCheck !== true) return switchDelay + prop;
        // The earlier of the two paths, each with its own allowance, beyond the earlier of the two bare worst cases.
        const e = p.intervalSeconds * p.failureThreshold;
        const sw = p.switchPeriodSeconds * p.switchEvaluationPeriods;
        return Math.min(e + endpoint, sw + switchDelay) - Math.min(e, sw) + prop;
      }
      return endpoint + switchDelay + 2 * prop;
    },
    simulate(p: FailoverTimingParams, path: FailoverPath, runs: number, seed: number): RtoPercentiles {
      if (!Number.isInteger(runs) || runs < 1) {
        throw new Error(`runs must be a whole number of 1 or more; received ${runs}`);
      }
      const config = configFor(p);
      const values: number[] = [];
      for (let i = 0; i < runs; i++) {
        const s = (seed * 1_000_003 + i * 7919) >>> 0;
        if (path === 'budget') {
          // Found by canaries, so the switch alone moves it (the lease-following check saw nothing wrong).
          const found = simulateOnce(config, 'unplanned', s, a).detection;
          values.push(found + simulateOnce(config, 'planned', s ^ 0x9e3779b9, a, false).rto);
        } else {
          values.push(simulateOnce(config, path, s, a, p.leaseFollowingCheck === true).rto);
        }
      }
      const d = distribution(values);
      return { runs, seed, min: d.min, p50: d.p50, p95: d.p95, p99: d.p99, max: d.max };
    },
  };
}

/** A minimal environment with these timing settings (everything else is irrelevant to timing). */
function configFor(p: FailoverTimingParams): WalletConfig {
  const problems: string[] = [];
  if (p.switchPeriodSeconds !== FAILOVER_SWITCH_ALARM.periodSeconds || p.switchEvaluationPeriods !== 1) {
    problems.push(
      `the simulated switch alarm is the contract's (${FAILOVER_SWITCH_ALARM.periodSeconds} s, 1 period); received ${p.switchPeriodSeconds} s x ${p.switchEvaluationPeriods}`,
    );
  }
  if (p.intervalSeconds !== 10 && p.intervalSeconds !== 30) {
    problems.push(`intervalSeconds must be 10 or 30; received ${p.intervalSeconds}`);
  }
  if (p.checkerRegions < 1 || p.checkerRegions > ROUTE53_HEALTH_CHECK_REGIONS.length) {
    problems.push(`checkerRegions must be 1-${ROUTE53_HEALTH_CHECK_REGIONS.length}; received ${p.checkerRegions}`);
  }
  if (problems.length > 0) throw new Error(`drillRtoSimulator: ${problems.join('; ')}.`);
  const canaryMinutes = Math.max(1, Math.round((p.canaryPeriodSeconds ?? 60) / 60));
  return {
    envName: 'model',
    account: '000000000000',
    regions: { primary: 'us-east-2', standby: 'us-west-2', witness: 'us-east-1' },
    dns: {
      zoneId: 'ZMODEL0000',
      zoneName: 'model.example.com',
      apiSubdomain: 'api',
      recordTtlSeconds: p.ttlSeconds,
      healthCheck: {
        intervalSeconds: p.intervalSeconds as 10 | 30,
        failureThreshold: p.failureThreshold,
        regions: [...ROUTE53_HEALTH_CHECK_REGIONS.slice(0, p.checkerRegions)],
      },
    },
    targets: { rtoSeconds: 3600, rpoSeconds: 0 },
    data: { consistency: 'MRSC' },
    canary: { schedule: canaryMinutes === 1 ? 'rate(1 minute)' : `rate(${canaryMinutes} minutes)` },
    // The simulated world reads the key set from it (no cold key in the model).
    security: { breakGlassRoleArn: 'arn:aws:iam::000000000000:role/ModelBreakGlass' },
  } as unknown as WalletConfig;
}
