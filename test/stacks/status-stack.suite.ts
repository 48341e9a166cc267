/* eslint-disable @typescript-eslint/no-explicit-any -- synthesized template JSON is untyped; each access is asserted */
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { StatusDistribution } from '../../lib/constructs/status-distribution';
import { StatusBucket } from '../../lib/constructs/status-bucket';
import { statusBucketName, statusBucketRegionalDomain } from '../../lib/contract/status';
import { exampleWallet, newTestApp, TestWallet } from '../helpers/app';

/**
 * The status page's stacks: the origin group names a bucket in EACH wallet region (neither is a
 * single point the page depends on), CloudFront reads only the public prefix, only the updaters
 * write, and the updaters can do nothing else.
 */
let wallet: TestWallet;
let edge: Template;
let primary: Template;
let standby: Template;
beforeAll(() => {
  wallet = exampleWallet();
  edge = wallet.template('statusEdge');
  primary = wallet.template('statusPrimary');
  standby = wallet.template('statusStandby');
});

const PRIMARY = 'us-east-2';
const STANDBY = 'us-west-2';
const bucket = (region: string) => statusBucketName('example', '111111111111', region);

test('invariant: the origin group fails over between buckets in the two wallet regions, both through OAC', () => {
  const [dist] = Object.values(edge.findResources('AWS::CloudFront::Distribution')) as Array<{
    Properties: { DistributionConfig: Record<string, any> };
  }>;
  const config = dist.Properties.DistributionConfig;
  const groups = config.OriginGroups.Items as Array<{
    Id: string;
    Members: { Items: Array<{ OriginId: string }> };
    FailoverCriteria: { StatusCodes: { Items: number[] } };
  }>;
  expect(groups).toHaveLength(1);
  expect(config.DefaultCacheBehavior.TargetOriginId).toBe(groups[0].Id);
  const members = groups[0].Members.Items.map((m) => config.Origins.find((o: { Id: string }) => o.Id === m.OriginId));
  expect(members.map((o: { DomainName: string }) => o.DomainName)).toEqual([
    statusBucketRegionalDomain(bucket(PRIMARY), PRIMARY),
    statusBucketRegionalDomain(bucket(STANDBY), STANDBY),
  ]);
  const regions = members.map(
    (o: { DomainName: string }) => /\.s3\.([a-z0-9-]+)\.amazonaws\.com$/.exec(o.DomainName)![1],
  );
  expect(new Set(regions).size).toBe(2);
  for (const o of members) {
    expect(o.OriginAccessControlId).toBeDefined();
    expect(o.OriginPath).toBe('/site');
    expect(o.S3OriginConfig).toEqual({ OriginAccessIdentity: '' });
  }
  expect(groups[0].FailoverCriteria.StatusCodes.Items).toEqual(expect.arrayContaining([500, 502, 503, 504, 403, 404]));
  expect(config.ViewerCertificate).toMatchObject({
    MinimumProtocolVersion: 'TLSv1.2_2021',
    SslSupportMethod: 'sni-only',
  });
});

test('status.<zone> has its own DNS-validated certificate in us-east-1, and A and AAAA aliases', () => {
  expect(wallet.stacks.statusEdge.region).toBe('us-east-1');
  edge.hasResourceProperties('AWS::CertificateManager::Certificate', {
    DomainName: 'status.wallet.example.com',
    ValidationMethod: 'DNS',
  });
  for (const type of ['A', 'AAAA']) {
    edge.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: 'status.wallet.example.com.',
      Type: type,
      HostedZoneId: 'Z0123456789EXAMPLE01',
    });
  }
});

test.each([
  ['primary', () => primary, PRIMARY],
  ['standby', () => standby, STANDBY],
])(
  '%s status bucket: versioned, encrypted, TLS only, no public access, CloudFront reads only site/*',
  (_r, t, region) => {
    t().hasResourceProperties('AWS::S3::Bucket', {
      BucketName: bucket(region),
      VersioningConfiguration: { Status: 'Enabled' },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
    });
    const [policy] = Object.values(t().findResources('AWS::S3::BucketPolicy')).filter((p) =>
      JSON.stringify(p).includes('CloudFrontReadsTheSiteOnly'),
    ) as Array<{ Properties: { PolicyDocument: { Statement: Array<Record<string, any>> } } }>;
    const statements = policy.Properties.PolicyDocument.Statement;
    const tls = statements.find((s) => s.Condition?.Bool?.['aws:SecureTransport'] === 'false');
    expect(tls?.Effect).toBe('Deny');
    const cf = statements.find((s) => s.Sid === 'CloudFrontReadsTheSiteOnly')!;
    expect(cf.Action).toBe('s3:GetObject');
    expect(JSON.stringify(cf.Resource)).toContain('/site/*');
    expect(JSON.stringify(cf.Resource)).not.toContain('/state/');
    expect(cf.Condition).toEqual({ ArnLike: { 'AWS:SourceArn': 'arn:aws:cloudfront::111111111111:distribution/*' } });
    const deny = statements.find((s) => s.Sid === 'OnlyStatusUpdatersWrite')!;
    expect(deny.Effect).toBe('Deny');
    expect(deny.Condition.ArnNotEquals['aws:PrincipalArn']).toEqual([
      `arn:aws:iam::111111111111:role/example-wallet-status-updater-${PRIMARY}`,
      `arn:aws:iam::111111111111:role/example-wallet-status-updater-${STANDBY}`,
      // status.operatorRoleArns of the example config (the drill's incident, wallet-status)
      'arn:aws:iam::111111111111:role/WalletOperator',
      'arn:aws:iam::111111111111:role/WalletBreakGlass',
    ]);
  },
);

test('the updaters may write only the status objects of the two buckets, and nothing of the wallet', () => {
  for (const t of [primary, standby]) {
    const policies = Object.values(t.findResources('AWS::IAM::ManagedPolicy')).filter((p) =>
      JSON.stringify(p).includes('StatusObjects'),
    );
    expect(policies).toHaveLength(1);
    const statements = (policies[0] as { Properties: { PolicyDocument: { Statement: Array<Record<string, any>> } } })
      .Properties.PolicyDocument.Statement;
    const actions = statements.flatMap((s) => [s.Action].flat()).sort();
    expect([...new Set(actions)]).toEqual(
      [
        'cloudwatch:GetMetricData',
        'kms:Decrypt',
        'kms:GenerateDataKey',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        's3:GetObject',
        's3:PutObject',
        'sns:Publish',
        'sqs:SendMessage',
        'xray:PutTelemetryRecords',
        'xray:PutTraceSegments',
      ].sort(),
    );
    const s3Resources = statements.filter((s) => [s.Action].flat().includes('s3:PutObject')).flatMap((s) => s.Resource);
    expect(s3Resources.sort()).toEqual(
      [PRIMARY, STANDBY]
        .flatMap((r) => [`arn:aws:s3:::${bucket(r)}/site/*`, `arn:aws:s3:::${bucket(r)}/state/*`])
        .sort(),
    );
    const kmsStatement = statements.find((s) => s.Sid === 'EncryptNotifications')!;
    expect(kmsStatement.Condition.StringEquals['kms:ViaService']).toEqual([
      expect.stringMatching(/^sns\./),
      expect.stringMatching(/^sqs\./),
    ]);
    expect(JSON.stringify(statements)).not.toMatch(/dynamodb|kms:Sign|route53|iam:/);
  }
});

test('the updater hears the region-impaired and public-name alarms, the switch (standby) and the wallet events', () => {
  const pattern = (t: Template) =>
    (
      Object.values(t.findResources('AWS::Events::Rule')).find((r) => JSON.stringify(r).includes('$or')) as {
        Properties: { EventPattern: any };
      }
    ).Properties.EventPattern;
  expect(pattern(primary).$or[0].detail.alarmName).toEqual([
    'example-wallet-us-east-2-region-impaired',
    'example-wallet-us-east-2-canary-public-name',
  ]);
  expect(pattern(standby).$or[0].detail.alarmName).toEqual([
    'example-wallet-us-west-2-region-impaired',
    'example-wallet-us-west-2-canary-public-name',
    'example-wallet-us-east-2-region-impaired',
    'example-wallet-failover-switch',
  ]);
  expect(pattern(standby).$or[1]).toEqual({
    source: ['wallet.resilience'],
    'detail-type': ['Wallet Signing Lease Moved', 'Wallet Failover Switch Changed', 'Wallet Degraded Mode Changed'],
  });
  primary.hasResourceProperties('AWS::Events::Rule', {
    Targets: [
      Match.objectLike({
        DeadLetterConfig: Match.anyValue(),
        RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 7200 },
      }),
    ],
  });
});

test('undelivered webhook messages: retried 5 times, then dead-lettered and alarmed', () => {
  primary.hasResourceProperties('AWS::SQS::Queue', {
    QueueName: 'example-wallet-status-webhooks',
    RedrivePolicy: { maxReceiveCount: 5, deadLetterTargetArn: Match.anyValue() },
  });
  primary.hasResourceProperties('AWS::CloudWatch::Alarm', {
    AlarmName: 'example-wallet-us-east-2-status-notifications-undelivered',
    Threshold: 1,
    ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    AlarmActions: [Match.anyValue()],
  });
});

test('fails an origin group within one region, a stack outside us-east-1, and a bucket with no writer', () => {
  const app = newTestApp();
  const stack = new Stack(app as App, 'Bad', { env: { account: '111111111111', region: 'eu-west-1' } });
  expect(
    () =>
      new StatusDistribution(stack, 'Edge', {
        domainName: 'status.other.example.com',
        zoneId: 'Z0123456789EXAMPLE01',
        zoneName: 'wallet.example.com',
        primary: { bucketName: 'a', region: PRIMARY },
        secondary: { bucketName: 'b', region: PRIMARY },
      }),
  ).toThrow(
    /3 invalid props[\s\S]*is not us-east-1[\s\S]*secondary.region: is the primary bucket's region[\s\S]*domainName: is not in the zone/,
  );
  expect(
    () =>
      new StatusBucket(stack, 'Bucket', {
        envName: 'x',
        breakGlassRoleArn: 'arn:aws:iam::111111111111:role/B',
        writerRoleArns: [],
      }),
  ).toThrow(/writerRoleArns: is empty/);
});
