import { exampleWallet, TestWallet } from '../helpers/app';

type Resource = { Type: string; Properties?: Record<string, unknown> };

let wallet: TestWallet;
let resources: Array<{ stack: string; id: string; r: Resource }>;
beforeAll(() => {
  wallet = exampleWallet();
  resources = (Object.keys(wallet.stacks) as Array<keyof typeof wallet.stacks>).flatMap((stack) =>
    Object.entries(wallet.template(stack).toJSON().Resources as Record<string, Resource>).map(([id, r]) => ({
      stack,
      id,
      r,
    })),
  );
});

const ofType = (type: string) => resources.filter((x) => x.r.Type === type);
const where = (x: { stack: string; id: string }) => `${x.stack}/${x.id}`;

test('every SQS queue is encrypted with a customer-managed KMS key', () => {
  const queues = ofType('AWS::SQS::Queue');
  expect(queues.length).toBeGreaterThan(0);
  expect(queues.filter((q) => q.r.Properties?.KmsMasterKeyId === undefined).map(where)).toEqual([]);
});

test('every SNS topic is encrypted with a customer-managed KMS key', () => {
  const topics = ofType('AWS::SNS::Topic');
  expect(topics.length).toBeGreaterThan(0);
  expect(topics.filter((t) => t.r.Properties?.KmsMasterKeyId === undefined).map(where)).toEqual([]);
});

test('every log group is KMS-encrypted and has a retention', () => {
  const groups = ofType('AWS::Logs::LogGroup');
  expect(
    groups
      .filter((g) => g.r.Properties?.KmsKeyId === undefined || g.r.Properties?.RetentionInDays === undefined)
      .map(where),
  ).toEqual([]);
});

test('every CloudWatch alarm and composite alarm has an alarm action', () => {
  const alarms = [...ofType('AWS::CloudWatch::Alarm'), ...ofType('AWS::CloudWatch::CompositeAlarm')];
  expect(alarms.length).toBeGreaterThan(0);
  const hasActions = (r: (typeof alarms)[number]['r']) =>
    ((r.Properties?.AlarmActions as unknown[] | undefined) ?? []).length > 0;
  // A burn-rate window alarm (lib/constructs/slo-alarms.ts) acts through its composite, which must have actions.
  const viaComposite = (a: (typeof alarms)[number]) =>
    alarms.some(
      (c) =>
        c.stack === a.stack &&
        c.r.Type === 'AWS::CloudWatch::CompositeAlarm' &&
        hasActions(c.r) &&
        JSON.stringify(c.r.Properties?.AlarmRule).includes(JSON.stringify({ 'Fn::GetAtt': [a.id, 'Arn'] })),
    );
  expect(alarms.filter((a) => !hasActions(a.r) && !viaComposite(a)).map(where)).toEqual([]);
});
