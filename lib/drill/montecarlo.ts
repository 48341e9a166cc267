import { WalletConfig } from '../config/schema';
import {
  FAILOVER_SWITCH_METRIC,
  FAILOVER_SWITCH_NAMESPACE,
  failoverSwitchDimensions,
  FAIL_OVER_VALUE,
} from '../contract/failover-switch';
import {
  DEFAULT_ASSUMPTIONS,
  distribution,
  Distribution,
  falseFailoverProbability,
  FalseFailoverEstimate,
  ModelAssumptions,
  plannedRto,
  unplannedRto,
} from '../failover/timing';
import { settingsFromConfig } from './settings';
import { createRng } from '../failover/random';
import { World } from './sim/world';

/** Settings to try instead of the config's (to compare before deploying). */
export interface SettingsOverride {
  readonly intervalSeconds?: WalletConfig['dns']['healthCheck']['intervalSeconds'];
  readonly failureThreshold?: number;
  readonly ttlSeconds?: number;
}

export interface MonteCarloOptions {
  readonly config: WalletConfig;
  readonly runs: number;
  readonly seed: number;
  readonly override?: SettingsOverride;
  readonly assumptions?: ModelAssumptions;
  /**
   * The primary record's endpoint check follows the lease (`/health?lease=held`, the deployed design).
   * False gives the figures of the design before it (the planned path waits for the switch). @default true
   */
  readonly leaseFollowingCheck?: boolean;
}

export interface PathResult {
  /** Failure (or switch) -> a client's resolver answers with the standby: what users see. */
  readonly rto: Distribution;
  /** Failure (or switch) -> Route 53's authoritative answer changes. */
  readonly detection: Distribution;
  /** Authoritative change -> the client's resolver refreshes (cache age). */
  readonly resolverCache: Distribution;
  /** The model's worst case for this path (lib/drill/model.ts). */
  readonly modelWorstCaseSeconds: number;
  readonly arithmetic: string;
  /** Every run's RTO fits the target. */
  readonly meetsTarget: boolean;
}

export interface MonteCarloResult {
  readonly runs: number;
  readonly seed: number;
  readonly settings: {
    readonly intervalSeconds: number;
    readonly failureThreshold: number;
    readonly ttlSeconds: number;
    readonly checkerRegions: number;
    readonly checkers: number;
  };
  readonly rtoTargetSeconds: number;
  readonly assumptions: ModelAssumptions;
  /** The primary record's endpoint check follows the lease. */
  readonly leaseFollowingCheck: boolean;
  /** The primary region fails; Route 53's endpoint checks detect it. */
  readonly unplanned: PathResult;
  /** An operator (or the drill) moves the lease and throws the failover switch. */
  readonly planned: PathResult;
  /**
   * The price of the detection speed: the chance per month that transient failures of the assumed
   * length and rate ({@link ModelAssumptions.transientFailure}) fail the primary over by themselves.
   */
  readonly falseFailover: FalseFailoverEstimate;
}

/** The config with the override applied (interval, threshold, TTL). */
export function withOverride(config: WalletConfig, override: SettingsOverride = {}): WalletConfig {
  return {
    ...config,
    dns: {
      ...config.dns,
      recordTtlSeconds: override.ttlSeconds ?? config.dns.recordTtlSeconds,
      healthCheck: {
        ...config.dns.healthCheck,
        intervalSeconds: override.intervalSeconds ?? config.dns.healthCheck.intervalSeconds,
        failureThreshold: override.failureThreshold ?? config.dns.healthCheck.failureThreshold,
      },
    },
  };
}

interface RunResult {
  readonly detection: number;
  readonly rto: number;
}

const MINUTE = 60_000;

/**
 * One simulated incident: a fresh world (random checker phases, jitter, resolver cache age, alarm
 * evaluation and propagation delays), then the primary fails (unplanned) or, planned, the lease moves
 * (written in the standby, as the drill writes it) and the switch is thrown at the same moment, a
 * random moment within the alarm period.
 */
export function simulateOnce(
  config: WalletConfig,
  path: 'unplanned' | 'planned',
  seed: number,
  assumptions: ModelAssumptions = DEFAULT_ASSUMPTIONS,
  leaseFollowingCheck = true,
): RunResult {
  const rng = createRng(seed ^ 0x5eed);
  const interval = config.dns.healthCheck.intervalSeconds * 1000;
  const ttl = config.dns.recordTtlSeconds * 1000;
  const startMs = Date.UTC(2030, 0, 1) + Math.floor(rng.uniform(0, 3600)) * 1000;
  const world = new World({
    config,
    seed,
    startMs,
    warmUpSeconds: Math.max(120, (2 * (ttl + interval * config.dns.healthCheck.failureThreshold)) / 1000),
    assumptions,
    leaseFollowingCheck,
  });
  let at: number;
  if (path === 'unplanned') {
    at = startMs + rng.uniform(0, interval);
    world.at(at, () => world.setEndpointUp('primary', false));
  } else {
    at = startMs + rng.uniform(0, MINUTE);
    world.at(at, () => world.writeLease('standby', 'standby'));
    world.at(at, () =>
      world.handle('cloudwatch', config.regions.standby, 'PutMetricDataCommand', {
        Namespace: FAILOVER_SWITCH_NAMESPACE,
        MetricData: [
          {
            MetricName: FAILOVER_SWITCH_METRIC,
            Dimensions: failoverSwitchDimensions(config.envName),
            Value: FAIL_OVER_VALUE,
            Timestamp: new Date(at),
          },
        ],
      }),
    );
  }
  const answered = () => world.answerChanges.find((c) => c.at >= at && c.role === 'standby');
  const resolved = () =>
    ttl === 0 ? answered() : world.clientResolverChanges().find((c) => c.at >= at && c.role === 'standby');
  const cap = at + 60 * MINUTE;
  world.events.runUntil(cap, () => resolved() !== undefined);
  const a = answered();
  const r = resolved();
  if (a === undefined || r === undefined) {
    throw new Error(`simulateOnce: no cut-over within 60 minutes (seed ${seed}, ${path}); the model is inconsistent`);
  }
  return { detection: (a.at - at) / 1000, rto: (r.at - at) / 1000 };
}

/** Monte Carlo over the simulated model: RTO percentiles for a config (and optional overrides). */
export function monteCarlo(options: MonteCarloOptions): MonteCarloResult {
  if (!Number.isInteger(options.runs) || options.runs < 1) {
    throw new Error(`monteCarlo: runs must be a whole number of at least 1; received ${options.runs}`);
  }
  const config = withOverride(options.config, options.override);
  const assumptions = options.assumptions ?? DEFAULT_ASSUMPTIONS;
  const leaseFollowingCheck = options.leaseFollowingCheck ?? true;
  const settings = { ...settingsFromConfig(config), leaseFollowingCheck };
  const target = config.targets.rtoSeconds;
  const run = (path: 'unplanned' | 'planned'): PathResult => {
    const results: RunResult[] = [];
    for (let i = 0; i < options.runs; i++) {
      results.push(
        simulateOnce(
          config,
          path,
          (options.seed * 1_000_003 + i * 7919 + (path === 'planned' ? 1 : 0)) >>> 0,
          assumptions,
          leaseFollowingCheck,
        ),
      );
    }
    const rto = distribution(results.map((r) => r.rto));
    const estimate = path === 'unplanned' ? unplannedRto(settings, assumptions) : plannedRto(settings, assumptions);
    return {
      rto,
      detection: distribution(results.map((r) => r.detection)),
      resolverCache: distribution(results.map((r) => r.rto - r.detection)),
      modelWorstCaseSeconds: estimate.worstSeconds,
      arithmetic: estimate.arithmetic,
      meetsTarget: rto.max <= target,
    };
  };
  return {
    runs: options.runs,
    seed: options.seed,
    settings: {
      intervalSeconds: settings.intervalSeconds,
      failureThreshold: settings.failureThreshold,
      ttlSeconds: settings.ttlSeconds,
      checkerRegions: settings.checkerRegions,
      checkers: settings.checkerRegions * assumptions.checkersPerRegion,
    },
    rtoTargetSeconds: target,
    assumptions,
    leaseFollowingCheck,
    unplanned: run('unplanned'),
    planned: run('planned'),
    falseFailover: falseFailoverProbability(
      {
        intervalSeconds: settings.intervalSeconds,
        failureThreshold: settings.failureThreshold,
        checkers: settings.checkerRegions * assumptions.checkersPerRegion,
      },
      assumptions.transientFailure,
    ),
  };
}
