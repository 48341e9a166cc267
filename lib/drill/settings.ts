import { rateSeconds, WalletConfig } from '../config/schema';
import { ResilienceSettings } from '../failover/timing';

/** The timing settings of an environment, from its config (the drill's view; the report reads templates). */
export function settingsFromConfig(config: WalletConfig): ResilienceSettings {
  return {
    intervalSeconds: config.dns.healthCheck.intervalSeconds,
    failureThreshold: config.dns.healthCheck.failureThreshold,
    ttlSeconds: config.dns.recordTtlSeconds,
    checkerRegions: config.dns.healthCheck.regions.length,
    canaryPeriodSeconds: rateSeconds(config.canary.schedule),
    consistency: config.data.consistency,
  };
}
