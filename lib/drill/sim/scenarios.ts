import { WalletConfig } from '../../config/schema';
import { ScenarioFault } from './world';

/** The situations the simulated target can rehearse. */
export const SCENARIO_NAMES = [
  'planned-drill',
  'primary-down',
  'standby-unhealthy',
  'switch-alarm-missing',
  'replication-lag-high',
] as const;

export type ScenarioName = (typeof SCENARIO_NAMES)[number];

export interface Scenario {
  readonly name: ScenarioName;
  readonly description: string;
  /** What the drill should do in it (documentation and --help). */
  readonly expect: string;
  /** Problems that make the scenario meaningless for a config (empty when it applies). */
  readonly problems: (config: WalletConfig) => string[];
  readonly faults: (config: WalletConfig, startMs: number) => ScenarioFault[];
}

const SECOND = 1000;

export const SCENARIOS: Readonly<Record<ScenarioName, Scenario>> = {
  'planned-drill': {
    name: 'planned-drill',
    description: 'both regions healthy; the operator fails over (or back) on purpose',
    expect: 'pre-checks pass; the drill completes and measures every phase',
    problems: () => [],
    faults: () => [],
  },
  'primary-down': {
    name: 'primary-down',
    description:
      'the primary region went down 45 s before the drill: its /health fails and its AWS API endpoints time out',
    expect:
      'failover proceeds (Route 53 may already answer with the standby); failback is refused; a restore cannot move the lease back',
    problems: () => [],
    faults: (config, startMs) => [
      (world) =>
        world.at(startMs - 45 * SECOND, () => {
          world.setEndpointUp('primary', false);
          world.setRegionReachable(config.regions.primary, false);
        }),
    ],
  },
  'standby-unhealthy': {
    name: 'standby-unhealthy',
    description:
      'the primary is down and the standby fails its health checks too: Route 53 answers with the primary (both unhealthy)',
    expect: 'the drill refuses to fail over (exit 1): there is nowhere safe to go',
    problems: () => [],
    faults: (config, startMs) => [
      (world) =>
        world.at(startMs - 120 * SECOND, () => {
          world.setEndpointUp('primary', false);
          world.setEndpointUp('standby', false);
          world.setRegionReachable(config.regions.primary, false);
        }),
    ],
  },
  'switch-alarm-missing': {
    name: 'switch-alarm-missing',
    description:
      'the failover switch alarm does not exist in the standby region (deleted, or the standby stack not deployed)',
    expect: 'the drill refuses (exit 1): throwing the switch would change nothing',
    problems: () => [],
    faults: () => [(world) => world.setSwitchAlarmExists(false)],
  },
  'replication-lag-high': {
    name: 'replication-lag-high',
    description: 'MREC replication between the regions lags far beyond the RPO target',
    expect: 'the drill refuses (exit 1): failing over now would lose more data than the RPO allows',
    problems: (config) =>
      config.data.consistency === 'MREC'
        ? []
        : [
            `scenario replication-lag-high needs data.consistency "MREC"; this config uses "${config.data.consistency}", which replicates synchronously (RPO 0). Pass --config with an MREC config`,
          ],
    faults: (config) => [
      (world) => world.setReplicationLag(() => Math.max(config.targets.rpoSeconds * 5, 300) * SECOND),
    ],
  },
};
