import { RegionRole } from './names';

/**
 * The synthetic canaries' contract, between the workload (which runs one canary per region) and the
 * drill CLI (which reads their metrics, data plane only). The drill depends on exactly this:
 *
 * - each region runs a canary named {@link canaryName}; its Synthetics `SuccessPercent` says whether
 *   the region's own API (`<region>.<api>.<zone>`) works: "standby canaries green";
 * - after each run the canary also calls the PUBLIC name (`<api>.<zone>`) and publishes
 *   {@link CANARY_SERVED_BY_SELF}: 1 when the answer came from the canary's own region (the `/health`
 *   body names the region), else 0. "Standby canary green" after a failover is the first 1 from the
 *   standby's canary.
 */
export const canaryName = (envName: string, role: RegionRole): string => `${envName}-${role}`;

/** AWS-published Synthetics metric: percent of successful runs, dimension `CanaryName`. */
export const SYNTHETICS_SUCCESS = { namespace: 'CloudWatchSynthetics', metricName: 'SuccessPercent' } as const;

/** Custom metric each canary publishes in its own region after calling the public name. */
export const CANARY_SERVED_BY_SELF = {
  namespace: 'Wallet/Canary',
  metricName: 'PublicNameServedBySelf',
  dimensions: (envName: string, region: string) => [
    { Name: 'Environment', Value: envName },
    { Name: 'Region', Value: region },
  ],
} as const;
