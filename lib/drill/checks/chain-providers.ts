import { configuredChainProviders, configuredMinHealthyStandby } from '../chain-config';
import { PreCheck, readFailed } from './check';

const id = 'chain-providers';

/**
 * Issue 16: never move the lease into a region that cannot reach the chain. Reads the chain
 * watcher's HealthyProviders metric in the region taking over (the same metric its
 * `chain-no-healthy-provider` alarm watches). Applies only where `chain.providers` is configured.
 * - blocker: no healthy provider, no data (the watcher there is not reporting: no evidence is not
 *   health), or the metric cannot be read;
 * - warning: into the standby with fewer than `chain.health.minHealthyStandby` (a nonce read needs two).
 */
const chainProviders: PreCheck = {
  id,
  explanation:
    "The region taking over has at least one healthy RPC provider (the chain watcher's HealthyProviders there); fewer than chain.health.minHealthyStandby in the standby is a warning.",
  run: ({ status, config, to, toRegion }) => {
    const configured = configuredChainProviders(config);
    if (configured === 0) return undefined;
    const title = `${to} can reach the chain (healthy RPC providers)`;
    const fix = `check the providers' health in ${toRegion} (the dashboard's chain row, the chain watcher's logs) before moving the lease there`;
    const reading = status.chainProviders?.[to];
    if (reading === undefined || !reading.ok) {
      return {
        id,
        title,
        ok: false,
        level: 'blocker',
        detail:
          reading === undefined
            ? 'could not read the chain providers: this target does not read the chain watcher metrics'
            : readFailed(`the chain providers in ${toRegion}`, reading),
        fix,
      };
    }
    const healthy = reading.value.healthyProviders;
    if (healthy === undefined) {
      return {
        id,
        title,
        ok: false,
        level: 'blocker',
        detail: `no HealthyProviders data in ${toRegion} in the last 10 minutes: the chain watcher there is not reporting`,
        fix,
      };
    }
    if (healthy < 1) {
      return {
        id,
        title,
        ok: false,
        level: 'blocker',
        detail: `no healthy RPC provider in ${toRegion} (0 of ${configured}): a failover there could sign but not broadcast`,
        fix,
      };
    }
    const min = configuredMinHealthyStandby(config);
    if (to === 'standby' && healthy < min) {
      return {
        id,
        title,
        ok: false,
        level: 'warning',
        detail: `${healthy} of ${configured} RPC providers healthy in ${toRegion}, fewer than chain.health.minHealthyStandby (${min})`,
        fix,
      };
    }
    return {
      id,
      title,
      ok: true,
      level: 'blocker',
      detail: `${healthy} of ${configured} RPC providers healthy in ${toRegion}`,
    };
  },
};
export default chainProviders;
