import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';
import { FailoverOutputs } from '../../lib/constructs/failover-outputs';
import { RESILIENCE_OUTPUTS } from '../../lib/contract/resilience';
import { computeRtoBudget } from '../../lib/failover/rto-budget';

function build() {
  const s = new Stack(new App(), 'S', { env: { account: '111111111111', region: 'us-east-1' } });
  const check = (id: string) => route53.HealthCheck.fromHealthCheckId(s, id, `hc-${id}`);
  // Nested one level deeper than the stack, to prove the keys do not follow the construct path.
  new FailoverOutputs(new Construct(s, 'Deep'), 'Outputs', {
    rtoBudget: computeRtoBudget({ intervalSeconds: 10, failureThreshold: 3, ttlSeconds: 60, rtoTargetSeconds: 300 }),
    rtoTargetSeconds: 300,
    rpoTargetSeconds: 0,
    healthChecks: { primary: check('primary'), secondary: check('secondary'), failoverSwitch: check('switch') },
  });
  return Template.fromStack(s).toJSON().Outputs as Record<string, { Value: string; Description?: string }>;
}

test('every output key is the contract key, wherever the construct sits', () => {
  expect(Object.keys(build()).sort()).toEqual(
    [
      RESILIENCE_OUTPUTS.rtoBudget,
      RESILIENCE_OUTPUTS.rtoTarget,
      RESILIENCE_OUTPUTS.rpoTarget,
      RESILIENCE_OUTPUTS.dnsCache,
      'PrimaryHealthCheckId',
      'SecondaryHealthCheckId',
      'FailoverSwitchHealthCheckId',
    ].sort(),
  );
});

test('values: the RTO budget and targets, the DNS cache bound, and the health-check ids', () => {
  const budget = computeRtoBudget({ intervalSeconds: 10, failureThreshold: 3, ttlSeconds: 60, rtoTargetSeconds: 300 });
  const outputs = build();
  expect(outputs[RESILIENCE_OUTPUTS.rtoBudget].Value).toBe(String(budget.worstCaseSeconds));
  expect(outputs[RESILIENCE_OUTPUTS.rtoTarget].Value).toBe('300');
  expect(outputs[RESILIENCE_OUTPUTS.rpoTarget].Value).toBe('0');
  expect(outputs[RESILIENCE_OUTPUTS.dnsCache].Value).toBe(String(budget.dnsCacheSeconds));
  expect(outputs.PrimaryHealthCheckId.Value).toBe('hc-primary');
  expect(outputs.SecondaryHealthCheckId.Value).toBe('hc-secondary');
  expect(outputs.FailoverSwitchHealthCheckId.Value).toBe('hc-switch');
});
