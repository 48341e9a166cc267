import { CANARY_DIMENSIONS, CANARY_METRICS } from '../../../lib/contract/canary';
import { HEALTH_PATH } from '../../../lib/contract/health';
import { CommonCanaryConfig } from '../shared/config';
import { checkHealth, CheckDeps, HealthAnswer, userAgent } from '../shared/health-check';
import { MetricSink } from '../shared/metrics';
import { CanaryLog, StepRunner } from '../shared/synthetics';

export interface PublicNameDeps extends CheckDeps {
  readonly metrics: MetricSink;
  readonly log: CanaryLog;
  readonly step: StepRunner;
}

/**
 * The public-name canary: the failover name (`api.<zone>`), as users reach it, must answer
 * `/health` correctly from one of the pair's regions within the bound. It records WHICH region
 * answered: a log line and the metric PublicNameAnswer (dimension AnsweredBy), so dashboards show
 * when traffic moved.
 */
export async function runPublicName(config: CommonCanaryConfig, deps: PublicNameDeps): Promise<HealthAnswer> {
  const answer = await deps.step('public-name-health', () =>
    checkHealth(
      {
        url: `${config.baseUrl}${HEALTH_PATH}`,
        expectedRegions: config.expectedRegions,
        maxLatencyMs: config.maxLatencyMs,
        timeoutMs: config.requestTimeoutMs,
        userAgent: userAgent('public-name', config),
      },
      deps,
    ),
  );
  deps.log('public-name-answered', {
    vantage: config.vantageRegion,
    answeredBy: answer.region,
    latencyMs: answer.latencyMs,
  });
  try {
    await deps.metrics.put([
      {
        name: CANARY_METRICS.publicNameAnswer,
        value: 1,
        unit: 'Count',
        dimensions: {
          [CANARY_DIMENSIONS.environment]: config.envName,
          [CANARY_DIMENSIONS.vantage]: config.vantageRegion,
          [CANARY_DIMENSIONS.answeredBy]: answer.region,
        },
      },
    ]);
  } catch (err) {
    // The answer was correct; a lost data point only leaves a gap on the dashboard.
    deps.log('metric-publish-failed', { metric: CANARY_METRICS.publicNameAnswer, error: String(err) });
  }
  return answer;
}
