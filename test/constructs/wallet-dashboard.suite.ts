import {
  chainAlarmKinds,
  isChainAlarmKind,
  regionalAlarmName,
  REGIONAL_ALARMS,
  RegionalAlarmKind,
} from '../../lib/contract/alarms';
import { exampleWallet, TestWallet } from '../helpers/app';
import { REGIONS, resourceNamed, resources } from '../helpers/workload';

let wallet: TestWallet;
beforeAll(() => {
  wallet = exampleWallet();
});

interface Widget {
  readonly type: string;
  readonly properties: Record<string, unknown>;
}

/** The dashboard body with its tokens rendered as `<LogicalId>` so it can be read as JSON. */
function widgets(stack: 'primary' | 'standby'): Widget[] {
  const template = wallet.template(stack);
  const body = resourceNamed(template, 'AWS::CloudWatch::Dashboard', 'ObservabilityDashboard').resource.Properties
    .DashboardBody as { 'Fn::Join': [string, unknown[]] };
  const text = body['Fn::Join'][1]
    .map((p) => {
      if (typeof p === 'string') return p;
      const ref = (p as { Ref?: string }).Ref;
      const att = (p as { 'Fn::GetAtt'?: string[] })['Fn::GetAtt'];
      return `<${ref ?? att?.join('.')}>`;
    })
    .join('');
  return (JSON.parse(text) as { widgets: Widget[] }).widgets;
}

describe.each(REGIONS)('the $stack dashboard ($region)', (c) => {
  test('is named per region (dashboards are global to the account)', () => {
    wallet.template(c.stack).hasResourceProperties('AWS::CloudWatch::Dashboard', {
      DashboardName: `example-wallet-${c.region}`,
    });
  });

  test('shows the state of every regional alarm (and, in the standby, the failover switch alarm)', () => {
    const all = resources(wallet.template(c.stack));
    const status = widgets(c.stack).find((w) => w.type === 'alarm');
    const names = (status?.properties.alarms as string[]).map((arn) => {
      const id = /^<(\w+)\.Arn>$/.exec(arn)?.[1];
      return id !== undefined ? String(all[id].Properties.AlarmName) : arn.split(':alarm:')[1];
    });
    expect(names.sort()).toEqual(
      [
        ...(Object.keys(REGIONAL_ALARMS) as RegionalAlarmKind[])
          .filter((k) => !isChainAlarmKind(k) || chainAlarmKinds(c.stack).includes(k))
          .map((k) => regionalAlarmName('example', c.region, k)),
        ...(c.stack === 'standby' ? ['example-wallet-failover-switch'] : []),
      ].sort(),
    );
  });

  test('graphs the failover switch metric of the standby region in both dashboards', () => {
    const graphs = widgets(c.stack).filter((w) => w.type === 'metric');
    const switchGraph = graphs.find((w) => JSON.stringify(w.properties.metrics).includes('"Wallet/Failover"'));
    expect(switchGraph?.properties.metrics).toEqual([
      [
        'Wallet/Failover',
        'FailoverSwitch',
        'Environment',
        'example',
        expect.objectContaining({ region: 'us-west-2', stat: 'Maximum' }),
      ],
    ]);
  });

  test('shows which region answers the public name, and the peer probe', () => {
    const text = JSON.stringify(widgets(c.stack));
    expect(text).toContain('MetricName=\\"PublicNameAnswer\\"');
    expect(text).toContain(`"Wallet/Canary","PeerDeepHealth","Environment","example","Target","${c.peer}"`);
  });

  test('explains where to read the lease holder (it has no metric)', () => {
    const text = widgets(c.stack)
      .filter((w) => w.type === 'text')
      .map((w) => String(w.properties.markdown))
      .join('\n');
    expect(text).toContain('### Lease holder');
    expect(text).toContain(`aws dynamodb get-item --region ${c.region} --table-name example-wallet-ledger`);
    expect(text).toContain('LEASE#<address>');
  });
});

describe.each(REGIONS)('the $stack dashboard chain row ($region)', (c) => {
  const chainWidgets = () =>
    widgets(c.stack).filter((w) => w.type === 'metric' && String(w.properties.title).startsWith('Chain:'));
  const metricsOf = (title: string) =>
    JSON.stringify(chainWidgets().find((w) => String(w.properties.title).startsWith(title))?.properties.metrics);

  test('head lag per configured provider, pending and stuck, replacements, request-to-mined p50/p95', () => {
    expect(chainWidgets().map((w) => w.properties.title)).toEqual([
      'Chain: head lag per provider (blocks)',
      'Chain: pending and stuck transactions',
      'Chain: fee-bump replacements per minute',
      'Chain: request to mined (s)',
    ]);
    const lag = metricsOf('Chain: head lag');
    for (const provider of ['alchemy', 'publicnode']) {
      expect(lag).toContain(`"Provider","${provider}"`);
    }
    expect(lag).toContain('ProviderHeadLagBlocks');
    expect(lag).toContain(`"Region","${c.region}"`);
    expect(metricsOf('Chain: pending')).toMatch(/PendingTransactions[\s\S]*StuckTransactions/);
    expect(metricsOf('Chain: fee-bump')).toContain('Replacements');
    expect(metricsOf('Chain: request to mined')).toMatch(/"stat":"p50"[\s\S]*"stat":"p95"/);
  });
});

describe.each(REGIONS)('the $stack dashboard sweep row ($region)', (c) => {
  const sweepWidgets = () =>
    widgets(c.stack).filter((w) => w.type === 'metric' && String(w.properties.title).startsWith('Sweep:'));

  // 5-minute points (the dashboard's default period, so the widgets name none).
  test("the float's excess, and sweeps started, failed and unreadable balances, of this region's sweeper", () => {
    expect(sweepWidgets().map((w) => [w.properties.title, w.properties.metrics])).toEqual([
      [
        'Sweep: float above its ceiling (wei)',
        [
          [
            'Wallet/Sweep/example',
            'FloatExcessWei',
            'Region',
            c.region,
            { label: 'excess over the ceiling', stat: 'Maximum' },
          ],
        ],
      ],
      [
        'Sweep: sweeps and unreadable balances per 5 min',
        [
          ['SweepsStarted', 'started'],
          ['SweepsFailed', 'failed'],
          ['BalanceUnreadable', 'balance unreadable'],
        ].map(([m, label]) => ['Wallet/Sweep/example', m, 'Region', c.region, { label, stat: 'Sum' }]),
      ],
    ]);
  });
});
