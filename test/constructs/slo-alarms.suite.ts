import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { SloAlarms } from '../../lib/constructs/slo-alarms';
import { BURN_RATE_ALERTS, SLO_NAMES, sloSpecs } from '../../lib/slo/definitions';
import { exampleWallet, newTestApp, TestWallet } from '../helpers/app';
import { CfnResourceJson, REGIONS, resources } from '../helpers/workload';

let wallet: TestWallet;
beforeAll(() => {
  wallet = exampleWallet();
});

type Query = {
  Id: string;
  Expression?: string;
  MetricStat?: { Metric: { MetricName: string; Dimensions: unknown[] }; Period: number; Stat: string };
  ReturnData?: boolean;
};

function alarmNamed(t: Template, name: string): CfnResourceJson {
  const found = Object.values(resources(t)).filter((r) => r.Properties?.AlarmName === name);
  if (found.length !== 1) throw new Error(`expected one alarm named ${name}, found ${found.length}`);
  return found[0];
}

describe.each(REGIONS)('the $stack region ($region)', (c) => {
  let t: Template;
  beforeAll(() => {
    t = wallet.template(c.stack);
  });
  const name = (slo: string, suffix: string) => `example-wallet-${c.region}-slo-${slo}-${suffix}`;
  const cases = SLO_NAMES.flatMap((slo) =>
    BURN_RATE_ALERTS.flatMap((a) =>
      (['long', 'short'] as const).map((w) => ({ slo, alert: a.name, burnRate: a.burnRate, window: a[w] })),
    ),
  );

  test.each(cases)(
    '$slo $alert: the $window.name window burns at $burnRate x or more (one period of the whole window)',
    ({ slo, alert, burnRate, window }) => {
      const alarm = alarmNamed(t, name(slo, `${alert}-${window.name}`));
      expect(alarm.Properties.Threshold).toBe(burnRate);
      expect(alarm.Properties.ComparisonOperator).toBe('GreaterThanOrEqualToThreshold');
      expect([alarm.Properties.EvaluationPeriods, alarm.Properties.DatapointsToAlarm]).toEqual([1, 1]);
      expect(alarm.Properties.TreatMissingData).toBe('notBreaching');
      expect(alarm.Properties.AlarmActions).toBeUndefined();
      const queries = alarm.Properties.Metrics as Query[];
      const expr = queries.find((q) => q.ReturnData !== false && q.Expression !== undefined)!.Expression!;
      const spec = sloSpecs({ latencyThresholdMs: 2000, signBoundMs: 30000 }).find((s) => s.name === slo)!;
      const min = Math.max(1, Math.ceil((spec.minEventsPerHour * window.seconds) / 3600));
      // The minimum-traffic guard and the budget are in the expression.
      expect(expr).toMatch(new RegExp(`^IF\\(total >= ${min}, .*\\/ ${+(1 - spec.objective).toFixed(10)}, 0\\)$`));
      for (const q of queries.filter((q) => q.MetricStat !== undefined))
        expect(q.MetricStat!.Period).toBe(window.seconds);
    },
  );

  test.each(SLO_NAMES.flatMap((slo) => BURN_RATE_ALERTS.map((a) => ({ slo, a }))))(
    '$slo $a.name: the composite needs both windows and notifies on ALARM and OK',
    ({ slo, a }) => {
      const composite = alarmNamed(t, name(slo, a.name));
      expect(composite.Type).toBe('AWS::CloudWatch::CompositeAlarm');
      const idOf = (n: string) => Object.entries(resources(t)).find(([, r]) => r.Properties?.AlarmName === n)![0];
      const arn = (w: string) => ({ 'Fn::GetAtt': [idOf(name(slo, `${a.name}-${w}`)), 'Arn'] });
      expect(composite.Properties.AlarmRule).toEqual({
        'Fn::Join': ['', ['(ALARM("', arn(a.long.name), '") AND ALARM("', arn(a.short.name), '"))']],
      });
      expect(composite.Properties.AlarmActions).toHaveLength(1);
      expect(composite.Properties.OKActions).toEqual(composite.Properties.AlarmActions);
    },
  );

  test('API SLOs read API Gateway with this API and stage; intake reads the POST transactions method', () => {
    const metrics = (n: string) =>
      (alarmNamed(t, n).Properties.Metrics as Query[]).filter((q) => q.MetricStat).map((q) => q.MetricStat!);
    const intake = metrics(name('intake-availability', 'page-fast-1h'));
    expect(intake.map((m) => m.Metric.MetricName).sort()).toEqual(['5XXError', 'Count']);
    expect(intake[0].Metric.Dimensions).toEqual(
      expect.arrayContaining([
        { Name: 'ApiName', Value: 'example-wallet' },
        { Name: 'Method', Value: 'POST' },
        { Name: 'Resource', Value: '/v1/wallets/{walletId}/transactions' },
        { Name: 'Stage', Value: { Ref: expect.stringMatching(/^WalletApiRestApiDeploymentStagelive/) } },
      ]),
    );
    const latency = metrics(name('api-latency', 'page-fast-5m'));
    expect(latency.map((m) => m.Stat).sort()).toEqual(['PR(:2000)', 'SampleCount']);
    const sign = metrics(name('time-to-sign', 'ticket-3d'));
    expect(sign.map((m) => [m.Metric.MetricName, m.Stat]).sort()).toEqual([
      ['CanarySignLatency', 'PR(:30000)'],
      ['CanarySignLatency', 'SampleCount'],
    ]);
    expect(sign[0].Metric.Dimensions).toEqual(
      expect.arrayContaining([
        { Name: 'Environment', Value: 'example' },
        { Name: 'Vantage', Value: c.region },
      ]),
    );
  });

  test('an error-budget dashboard per region', () => {
    const dashboards = Object.values(resources(t)).filter(
      (r) =>
        r.Type === 'AWS::CloudWatch::Dashboard' &&
        r.Properties.DashboardName === `example-wallet-${c.region}-error-budget`,
    );
    expect(dashboards).toHaveLength(1);
    const body = JSON.stringify(dashboards[0].Properties.DashboardBody);
    for (const slo of SLO_NAMES) expect(body).toContain(`${slo}: error budget remaining (30 d)`);
  });
});

describe('bad props', () => {
  const build = (alerts: typeof BURN_RATE_ALERTS) => () => {
    const stack = new Stack(newTestApp(), 'S', { env: { account: '111111111111', region: 'us-east-2' } });
    new SloAlarms(stack, 'Slo', {
      envName: 'example',
      slos: sloSpecs({ latencyThresholdMs: 2000, signBoundMs: 30000 }),
      apiName: 'example-wallet',
      stageName: 'live',
      topic: new sns.Topic(stack, 'T'),
      alerts,
    });
  };

  test('fails on a missing window, naming the alert and the fix', () => {
    const noShort = BURN_RATE_ALERTS.map((a) => (a.name === 'ticket' ? { ...a, short: undefined as never } : a));
    expect(build(noShort)).toThrow(
      /alerts: the ticket alert needs a long and a short window[\s\S]*Fix: use the multi-window policy/,
    );
  });

  test('fails on a missing alert and on a window CloudWatch cannot evaluate, all at once', () => {
    const bad = BURN_RATE_ALERTS.filter((a) => a.name !== 'page-fast').map((a) =>
      a.name === 'ticket' ? { ...a, long: { name: '30d', seconds: 2592000 } } : a,
    );
    expect(build(bad)).toThrow(/2 invalid props[\s\S]*page-fast alert is missing[\s\S]*window 30d is 2592000 s/);
  });
});
