import { CANARY_DIMENSIONS, CANARY_METRICS } from '../../../lib/contract/canary';
import { DEEP_HEALTH_PATH } from '../../../lib/contract/health';
import { DeepHealthConfig } from '../shared/config';
import { CanaryFailure } from '../shared/failure';
import { checkHealth, CheckDeps, HealthAnswer, userAgent } from '../shared/health-check';
import { MetricSink } from '../shared/metrics';
import { CanaryLog, StepRunner } from '../shared/synthetics';

export interface DeepHealthDeps extends CheckDeps {
  readonly metrics: MetricSink;
  readonly log: CanaryLog;
  readonly step: StepRunner;
}

export interface PeerProbe {
  readonly region: string;
  readonly ok: boolean;
  readonly failure?: string;
}

export interface DeepHealthResult {
  readonly own: HealthAnswer;
  readonly peer?: PeerProbe;
}

async function probePeer(config: DeepHealthConfig, deps: DeepHealthDeps): Promise<PeerProbe | undefined> {
  if (config.peer === undefined) return undefined;
  const { baseUrl, region } = config.peer;
  let probe: PeerProbe;
  try {
    await checkHealth(
      {
        url: `${baseUrl}${DEEP_HEALTH_PATH}`,
        expectedRegions: [region],
        maxLatencyMs: config.maxLatencyMs,
        timeoutMs: config.requestTimeoutMs,
        userAgent: userAgent('deep-health-peer', config),
      },
      deps,
    );
    probe = { region, ok: true };
  } catch (err) {
    probe = { region, ok: false, failure: err instanceof Error ? err.message : String(err) };
  }
  deps.log('peer-deep-health', { vantage: config.vantageRegion, target: region, ok: probe.ok, failure: probe.failure });
  try {
    await deps.metrics.put([
      {
        name: CANARY_METRICS.peerDeepHealth,
        value: probe.ok ? 1 : 0,
        unit: 'None',
        dimensions: {
          [CANARY_DIMENSIONS.environment]: config.envName,
          [CANARY_DIMENSIONS.vantage]: config.vantageRegion,
          [CANARY_DIMENSIONS.target]: region,
        },
      },
    ]);
  } catch (err) {
    // A lost data point leaves the peer alarm without data (INSUFFICIENT_DATA), never in ALARM.
    deps.log('metric-publish-failed', { metric: CANARY_METRICS.peerDeepHealth, error: String(err) });
  }
  return probe;
}

/**
 * The deep-health canary: its own region's `/health/deep` on the regional name must answer 2xx,
 * with the health contract, from its own region, within the latency bound. It also probes the
 * peer region's `/health/deep` and publishes the result as evidence for the peer's remediation;
 * the probe never fails this canary (this canary is about its own region).
 */
export async function runDeepHealth(config: DeepHealthConfig, deps: DeepHealthDeps): Promise<DeepHealthResult> {
  let own: HealthAnswer | undefined;
  let ownError: unknown;
  try {
    own = await deps.step(`deep-health-${config.expectedRegions[0]}`, () =>
      checkHealth(
        {
          url: `${config.baseUrl}${DEEP_HEALTH_PATH}`,
          expectedRegions: config.expectedRegions,
          maxLatencyMs: config.maxLatencyMs,
          timeoutMs: config.requestTimeoutMs,
          userAgent: userAgent('deep-health', config),
        },
        deps,
      ),
    );
  } catch (err) {
    ownError = err;
  }
  const peer = await probePeer(config, deps);
  if (own === undefined) {
    deps.log('deep-health-failed', { region: config.expectedRegions[0], error: String(ownError) });
    throw ownError instanceof Error ? ownError : new CanaryFailure('connection', String(ownError));
  }
  deps.log('deep-health-ok', { region: own.region, latencyMs: own.latencyMs });
  return { own, ...(peer !== undefined ? { peer } : {}) };
}
