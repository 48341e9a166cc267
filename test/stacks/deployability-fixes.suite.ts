import { switchAlarmFingerprint } from '../../lib/failover/switch-alarm';
import { CANARY_RUNTIME } from '../../lib/contract/canary';
import { failoverSwitchStaleAlarmName, SWITCH_REPUBLISH } from '../../lib/contract/failover-switch';
import { exampleWallet, TestWallet } from '../helpers/app';

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

/** Fine-grained assertions for the findings of issue 13 (the first real deploy). */
describe('deployability fixes (example config)', () => {
  let wallet: TestWallet;
  beforeAll(() => {
    wallet = exampleWallet();
  });
  const of = (stack: 'primary' | 'standby' | 'dns' | 'keys', type: string) =>
    wallet.template(stack).findResources(type) as Resources;

  test.each(['primary', 'standby'] as const)(
    'finding 3: the %s REST API itself carries the enhanced TLS policy and STRICT access mode',
    (stack) => {
      const apis = Object.values(of(stack, 'AWS::ApiGateway::RestApi'));
      expect(apis).toHaveLength(1);
      expect(apis[0].Properties).toMatchObject({
        SecurityPolicy: 'SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09',
        EndpointAccessMode: 'STRICT',
      });
      for (const d of Object.values(of(stack, 'AWS::ApiGateway::DomainName'))) {
        expect(d.Properties.SecurityPolicy).toBe(apis[0].Properties.SecurityPolicy);
      }
    },
  );

  test('finding 1: every key with rotation on delegates the rotation actions to IAM', () => {
    const keys = Object.values(of('keys', 'AWS::KMS::Key')).filter((k) => k.Properties.EnableKeyRotation === true);
    expect(keys.length).toBeGreaterThanOrEqual(2);
    for (const k of keys) {
      const admin = (k.Properties.KeyPolicy as { Statement: Array<{ Sid: string; Action: string[] }> }).Statement.find(
        (s) => s.Sid === 'KeyAdministrationThroughIam',
      );
      expect(admin?.Action).toEqual(expect.arrayContaining(['kms:EnableKeyRotation', 'kms:DisableKeyRotation']));
    }
  });

  test('finding 10: the MRSC ledger has no DynamoDB stream (nothing reads it; MRSC does not need one)', () => {
    const [table] = Object.values(of('primary', 'AWS::DynamoDB::GlobalTable'));
    expect(table.Properties.MultiRegionConsistency).toBe('STRONG');
    expect(table.Properties.StreamSpecification).toBeUndefined();
  });

  test('finding 11: every canary runs the contract runtime syn-nodejs-5.4', () => {
    for (const stack of ['primary', 'standby'] as const) {
      for (const c of Object.values(of(stack, 'AWS::Synthetics::Canary')))
        expect(c.Properties.RuntimeVersion).toBe(CANARY_RUNTIME);
    }
    expect(CANARY_RUNTIME).toBe('syn-nodejs-5.4');
  });

  test('finding 6: the switch health check id carries the alarm digest, which changes with the alarm definition', () => {
    const ids = Object.keys(of('dns', 'AWS::Route53::HealthCheck'));
    expect(ids.some((id) => id.startsWith(`HealthChecksFailoverSwitch${switchAlarmFingerprint('example')}`))).toBe(
      true,
    );
    expect(switchAlarmFingerprint('example')).toBe(switchAlarmFingerprint('example'));
    expect(switchAlarmFingerprint('other')).not.toBe(switchAlarmFingerprint('example'));
  });

  test('finding 5: the standby re-publishes on a schedule and alarms on a stale thrown switch (missing data breaching)', () => {
    // Schedules in the standby: the switch re-publisher's, the chain watcher's every minute (issue 16)
    // and the sweeper's (issue 21, spending.cold.checkEvery of the example: rate(5 minutes)).
    const rules = Object.values(of('standby', 'AWS::Events::Rule')).filter(
      (r) => r.Properties.ScheduleExpression !== undefined,
    );
    const republisher = rules.filter((r) => JSON.stringify(r.Properties.Targets).includes('SwitchRepublisher'));
    expect(republisher.map((r) => r.Properties.ScheduleExpression)).toEqual([
      `rate(${SWITCH_REPUBLISH.scheduleMinutes} minutes)`,
    ]);
    expect(rules.map((r) => r.Properties.ScheduleExpression).sort()).toEqual(
      [`rate(${SWITCH_REPUBLISH.scheduleMinutes} minutes)`, 'rate(1 minute)', 'rate(5 minutes)'].sort(),
    );
    const stale = Object.values(of('standby', 'AWS::CloudWatch::Alarm')).find(
      (a) => a.Properties.AlarmName === failoverSwitchStaleAlarmName('example'),
    );
    expect(stale?.Properties).toMatchObject({
      Namespace: 'Wallet/Failover',
      MetricName: 'FailoverSwitchThrownAgeSeconds',
      Threshold: SWITCH_REPUBLISH.staleAfterSeconds,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'breaching',
    });
    expect((stale?.Properties.AlarmActions as unknown[]).length).toBe(1);
    // The re-publisher may publish only in the switch namespace.
    const policies = Object.values(of('standby', 'AWS::IAM::ManagedPolicy')).filter((p) =>
      JSON.stringify(p.Properties.Roles ?? []).includes('SwitchRepublisher'),
    );
    const statements = policies.flatMap(
      (p) => (p.Properties.PolicyDocument as { Statement: Array<Record<string, unknown>> }).Statement,
    );
    const put = statements.find((s) => s.Action === 'cloudwatch:PutMetricData');
    expect(put?.Condition).toEqual({ StringEquals: { 'cloudwatch:namespace': 'Wallet/Failover' } });
    expect(JSON.stringify(statements)).not.toMatch(/kms:Sign|route53:|dynamodb:/);
  });
});
