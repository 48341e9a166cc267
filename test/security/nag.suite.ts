import { Stack, Validations } from 'aws-cdk-lib';
import { BURN_RATE_ALERTS, SLO_NAMES } from '../../lib/slo/definitions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { buildTestWallet, newTestApp, TestWallet } from '../helpers/app';
import {
  acknowledgements,
  nagFindings,
  RawFinding,
  readValidationReport,
  reportFindings,
  staleAcknowledgements,
  unacknowledgedFindings,
  ValidationReport,
} from '../helpers/nag';

/**
 * One synth of the whole app with every validation plugin registered, as `cdk synth` runs it (all
 * cdk-nag packs, the Wallet pack and cfn-guard), read through its validation report; plus the raw
 * findings an acknowledgement hides, to prove no acknowledgement is stale.
 */
const GUARD = 'cdk-validator-cfnguard';
let full: TestWallet;
let synthError: unknown;
let report: ValidationReport;
let acks: ReturnType<typeof acknowledgements>;
let raw: RawFinding[];
beforeAll(() => {
  full = buildTestWallet(undefined, { validation: true });
  try {
    report = readValidationReport(full.app.synth().directory);
  } catch (err) {
    synthError = err;
  }
  acks = acknowledgements(full.app);

  // cfn-guard's acknowledged findings are in the report (suppressedViolations). cdk-nag packs drop
  // acknowledged findings themselves, so theirs come from a build where acknowledge() records nothing.
  const silenced = jest.spyOn(Validations.prototype, 'acknowledge').mockImplementation(() => undefined);
  let rawWallet: TestWallet;
  try {
    rawWallet = buildTestWallet();
  } finally {
    silenced.mockRestore();
  }
  // Synth first: tags (which some wallet rules read) are applied by aspects during synthesis.
  rawWallet.app.synth();
  raw = [
    ...(report === undefined ? [] : reportFindings(report, GUARD)),
    ...nagFindings(rawWallet.app).map((f) => ({ id: f.rule, path: f.path })),
  ];
});

test('a full synth with every validation plugin (all nag packs and cfn-guard) succeeds with all reports clean', () => {
  expect(synthError).toBeUndefined();
  // cdk-nag packs appear in the report only when they have findings; every report present must be
  // a success, and cfn-guard always reports.
  expect(report.pluginReports.filter((r) => r.conclusion !== 'success' || r.violations.length > 0)).toEqual([]);
  expect(report.pluginReports.map((r) => r.pluginName)).toContain(GUARD);
});

test('the whole app has no unacknowledged finding in any registered pack', () => {
  expect(nagFindings(full.app)).toEqual([]);
});

test('fails (proves the check can fail): an unencrypted, non-TLS queue without a DLQ is caught', () => {
  // Prepare: a deliberately non-compliant resource in its own app
  const app = newTestApp();
  const stack = new Stack(app, 'NonCompliant', { env: { account: '111111111111', region: 'us-east-2' } });
  new sqs.Queue(stack, 'Plain', { encryption: sqs.QueueEncryption.UNENCRYPTED });
  app.synth();
  // Act
  const rules = nagFindings(app).map((f) => f.rule);
  // Assess
  expect(rules).toEqual(
    expect.arrayContaining(['AwsSolutions-SQS3', 'AwsSolutions-SQS4', 'Serverless-SQSRedrivePolicy']),
  );
});

/** Acknowledgements every wallet Lambda function carries (see lib/constructs/wallet-function.ts). */
const FUNCTION_ACKS = [
  'HIPAA.Security-LambdaDLQ',
  'HIPAA.Security-LambdaInsideVPC',
  'NIST.800.53.R5-LambdaDLQ',
  'NIST.800.53.R5-LambdaInsideVPC',
  'PCI.DSS.321-LambdaInsideVPC',
  'Serverless-LambdaDLQ',
  'cdk-validator-cfnguard::lambda_inside_vpc_check',
];
/** Log groups and queues encrypted with the data key from the keys stacks (Fn::GetStackOutput). */
const CROSS_STACK_LOG_KEY = ['cdk-validator-cfnguard::cloudwatch_log_group_encrypted_check'];
const CROSS_STACK_QUEUE_KEY = 'cdk-validator-cfnguard::sqs_queue_encrypted_check';

/** The acknowledgements of one region's RegionalWallet (lib/constructs/regional-wallet.ts and its parts). */
function regionalWorkload(stack: 'primary' | 'standby', region: string): Record<string, string[]> {
  const at = `example-wallet-${stack}/Wallet`;
  const ownLogs = (fn: string) =>
    `AwsSolutions-IAM5[Resource::arn:aws:logs:${region}:111111111111:log-group:/aws/lambda/example-wallet-${fn}:*]`;
  const acks: Record<string, string[]> = {
    [`${at}/Api/AccessLogs`]: CROSS_STACK_LOG_KEY,
    [`${at}/Api/AccountLogging/Role/Policy`]: [
      `AwsSolutions-IAM5[Resource::arn:aws:logs:${region}:111111111111:log-group:*]`,
    ],
    [`${at}/Api/ExecutionLogs`]: CROSS_STACK_LOG_KEY,
    [`${at}/Api/RestApi/Default/health/GET`]: ['AwsSolutions-APIG4', 'AwsSolutions-COG4'],
    [`${at}/Api/RestApi/Default/health/deep/GET`]: ['AwsSolutions-APIG4', 'AwsSolutions-COG4'],
    [`${at}/Api/RestApi/Default/v1/wallets/{walletId}/transactions/POST`]: ['AwsSolutions-COG4'],
    [`${at}/Api/RestApi/Default/v1/wallets/{walletId}/transactions/{txId}/GET`]: ['AwsSolutions-COG4'],
    // The approval routes (docs/runbooks/approvals.md): IAM-authorized like the transaction routes.
    [`${at}/Api/RestApi/Default/v1/wallets/{walletId}/approvals/GET`]: ['AwsSolutions-COG4'],
    [`${at}/Api/RestApi/Default/v1/wallets/{walletId}/approvals/{txId}/GET`]: ['AwsSolutions-COG4'],
    [`${at}/Api/RestApi/Default/v1/wallets/{walletId}/approvals/{txId}/POST`]: ['AwsSolutions-COG4'],
    [`${at}/Api/RestApi/DeploymentStage.live`]: [
      'HIPAA.Security-APIGWCacheEnabledAndEncrypted',
      'HIPAA.Security-APIGWSSLEnabled',
      'NIST.800.53.R5-APIGWCacheEnabledAndEncrypted',
      'NIST.800.53.R5-APIGWSSLEnabled',
      'PCI.DSS.321-APIGWCacheEnabledAndEncrypted',
      'PCI.DSS.321-APIGWSSLEnabled',
    ],
    [`${at}/SignerEventSource`]: ['Serverless-LambdaEventSourceMappingDestination'],
    [`${at}/SigningQueue/DeadLetterQueue`]: [
      'Serverless-SQSRedrivePolicy',
      'cdk-validator-cfnguard::sqs_dlq_check',
      CROSS_STACK_QUEUE_KEY,
    ],
    [`${at}/SigningQueue/Queue`]: [CROSS_STACK_QUEUE_KEY],
    [`${at}/WebAcl/LogGroup`]: CROSS_STACK_LOG_KEY,
  };
  for (const fn of ['Api', 'Health', 'Signer']) {
    acks[`${at}/${fn}Function/Function`] = FUNCTION_ACKS;
    acks[`${at}/${fn}Function/LogGroup`] = CROSS_STACK_LOG_KEY;
    acks[`${at}/${fn}Function/Role/Policy`] = [
      'AwsSolutions-IAM5[Resource::*]',
      ownLogs(fn.toLowerCase()),
      // The FIS Lambda extension reads its fault configurations (primary only: the experiments target it).
      ...(stack === 'primary' ? [`AwsSolutions-IAM5[Resource::<${FIS_BUCKET}.Arn>/FisConfigs/*]`] : []),
    ].sort();
  }
  return acks;
}

const FIS_BUCKET = 'FaultExperimentsBucket3262637E';

/** Burn-rate window alarms take no action: their composite (long AND short) notifies (lib/constructs/slo-alarms.ts). */
function sloWindows(stack: 'primary' | 'standby'): Record<string, string[]> {
  const acks: Record<string, string[]> = {};
  const pascal = (s: string) =>
    s
      .split('-')
      .map((w) => w[0].toUpperCase() + w.slice(1))
      .join('');
  for (const slo of SLO_NAMES) {
    for (const alert of BURN_RATE_ALERTS) {
      for (const w of ['Long', 'Short']) {
        acks[`example-wallet-${stack}/Slo/${pascal(slo)}${pascal(alert.name)}${w}`] = [
          'HIPAA.Security-CloudWatchAlarmAction',
          'NIST.800.53.R5-CloudWatchAlarmAction',
          'cdk-validator-cfnguard::cloudwatch_alarm_action_check',
        ];
      }
    }
  }
  return acks;
}

/** The acknowledgements of the FIS experiments of the example config (MRSC: the primary's three). */
function faultExperiments(): Record<string, string[]> {
  const at = 'example-wallet-primary/FaultExperiments';
  const acks: Record<string, string[]> = {
    // Fault configurations and reports, like the canary artifacts (lib/constructs/fault-experiments.ts).
    [`${at}/Bucket`]: [
      'AwsSolutions-S1',
      'HIPAA.Security-S3BucketLoggingEnabled',
      'HIPAA.Security-S3BucketReplicationEnabled',
      'NIST.800.53.R5-S3BucketLoggingEnabled',
      'NIST.800.53.R5-S3BucketReplicationEnabled',
      'PCI.DSS.321-S3BucketLoggingEnabled',
      'PCI.DSS.321-S3BucketReplicationEnabled',
      'cdk-validator-cfnguard::s3_bucket_logging_enabled_check',
      'cdk-validator-cfnguard::s3_bucket_object_lock_enabled_check',
    ],
  };
  // tag:GetResources and cloudwatch:GetMetricWidgetImage take no resource; objects named by FIS at run time.
  for (const [id, name] of [
    ['ApiLatency', 'api-latency'],
    ['PrimaryDown', 'primary-down'],
    ['SignerFailing', 'signer-failing'],
  ]) {
    acks[`${at}/${id}Role/Policy`] = [
      'AwsSolutions-IAM5[Resource::*]',
      `AwsSolutions-IAM5[Resource::<${FIS_BUCKET}.Arn>/FisConfigs/*]`,
      `AwsSolutions-IAM5[Resource::<${FIS_BUCKET}.Arn>/experiment-reports/${name}/*]`,
    ];
  }
  return acks;
}

/** The acknowledgements of one region's RegionalObservability (canaries, remediation; lib/constructs/). */
function regionalObservability(stack: 'primary' | 'standby', region: string, peer: string): Record<string, string[]> {
  const at = `example-wallet-${stack}/Observability`;
  const iam5 = (resource: string) => `AwsSolutions-IAM5[Resource::${resource}]`;
  const canaryLogs = iam5(`arn:aws:logs:${region}:111111111111:log-group:/aws/lambda/cwsyn-*`);
  const canaryRole = (kind: string) => [
    iam5('*'),
    iam5(`<ObservabilityCanariesArtifactsA4BCFC37.Arn>/${kind}/*`),
    canaryLogs,
  ];
  const routes = (apiRegion: string, apiId: string) => `arn:aws:execute-api:${apiRegion}:111111111111:${apiId}/live`;
  const alarms = (r: string) => iam5(`arn:aws:cloudwatch:${r}:111111111111:alarm:example-wallet-*`);
  return {
    [`${at}/Canaries/Artifacts`]: [
      'AwsSolutions-S1',
      'HIPAA.Security-S3BucketLoggingEnabled',
      'HIPAA.Security-S3BucketReplicationEnabled',
      'NIST.800.53.R5-S3BucketLoggingEnabled',
      'NIST.800.53.R5-S3BucketReplicationEnabled',
      'PCI.DSS.321-S3BucketLoggingEnabled',
      'PCI.DSS.321-S3BucketReplicationEnabled',
      'cdk-validator-cfnguard::s3_bucket_logging_enabled_check',
      'cdk-validator-cfnguard::s3_bucket_object_lock_enabled_check',
    ],
    [`${at}/Canaries/DeepHealthRole/Policy`]: canaryRole('deep-health'),
    [`${at}/Canaries/PublicNameRole/Policy`]: canaryRole('public-name'),
    // Own API by id (only the status route's transaction id is a wildcard); the peer's API by region.
    [`${at}/Canaries/TransactionRole/Policy`]: [
      ...canaryRole('transaction'),
      iam5(`${routes(peer, '*')}/GET/v1/wallets/canary-test-wallet/transactions/*`),
      iam5(`${routes(peer, '*')}/POST/v1/wallets/canary-test-wallet/transactions`),
      iam5(`${routes(region, '<WalletApiRestApiD5E7FBF3>')}/GET/v1/wallets/canary-test-wallet/transactions/*`),
    ].sort(),
    [`${at}/Remediation/DeadLetterQueue`]: [
      'AwsSolutions-SQS3',
      'Serverless-SQSRedrivePolicy',
      'cdk-validator-cfnguard::sqs_dlq_check',
      CROSS_STACK_QUEUE_KEY,
    ],
    [`${at}/Remediation/Function/Function`]: FUNCTION_ACKS,
    [`${at}/Remediation/Function/LogGroup`]: CROSS_STACK_LOG_KEY,
    // DescribeAlarms on this environment's alarms: the standby reads the primary's and us-east-1's too.
    [`${at}/Remediation/Function/Role/Policy`]: [
      iam5('*'),
      ...(stack === 'standby' ? ['us-east-1', peer, region].map(alarms) : [alarms(region)]),
      iam5(`arn:aws:logs:${region}:111111111111:log-group:/aws/lambda/example-wallet-remediation:*`),
    ].sort(),
  };
}

/**
 * The status page's acknowledgements in one wallet region (lib/stacks/status-stack.ts): the functions
 * (the wallet's Lambda reasons), dead-letter queues, the buckets' SSE-S3 and no Object Lock, and the
 * updater's prefixes of the two status buckets.
 */
function statusPage(role: 'primary' | 'standby', region: string): Record<string, string[]> {
  const p = `example-wallet-status-${role}`;
  const fn = [
    'HIPAA.Security-LambdaDLQ',
    'HIPAA.Security-LambdaInsideVPC',
    'NIST.800.53.R5-LambdaDLQ',
    'NIST.800.53.R5-LambdaInsideVPC',
    'PCI.DSS.321-LambdaInsideVPC',
    'Serverless-LambdaDLQ',
    'cdk-validator-cfnguard::lambda_inside_vpc_check',
  ];
  const bucket = [
    'HIPAA.Security-S3BucketReplicationEnabled',
    'HIPAA.Security-S3DefaultEncryptionKMS',
    'NIST.800.53.R5-S3BucketReplicationEnabled',
    'NIST.800.53.R5-S3DefaultEncryptionKMS',
    'PCI.DSS.321-S3BucketReplicationEnabled',
    'PCI.DSS.321-S3DefaultEncryptionKMS',
    'cdk-validator-cfnguard::s3_bucket_default_encryption_kms_check',
    'cdk-validator-cfnguard::s3_bucket_object_lock_enabled_check',
    'cdk-validator-cfnguard::s3_event_notifications_enabled_check',
  ];
  const statusObjects = ['us-east-2', 'us-west-2'].flatMap((r) =>
    ['site', 'state'].map(
      (prefix) => `AwsSolutions-IAM5[Resource::arn:aws:s3:::example-wallet-status-111111111111-${r}/${prefix}/*]`,
    ),
  );
  const logs = (name: string) =>
    `AwsSolutions-IAM5[Resource::arn:aws:logs:${region}:111111111111:log-group:/aws/lambda/${name}:*]`;
  const ssmLike = `${p}Subscribers/WebhookQueue`.replace(/[-/]/g, '');
  return {
    [`${p}/Alerts/UndeliveredNotifications`]: [
      'AwsSolutions-SQS3',
      'Serverless-SQSRedrivePolicy',
      'cdk-validator-cfnguard::sqs_dlq_check',
    ],
    [`${p}/Site/AccessLogs`]: [
      ...bucket.slice(0, 7),
      'cdk-validator-cfnguard::s3_bucket_logging_enabled_check',
      ...bucket.slice(7),
    ],
    [`${p}/Site/Bucket`]: bucket,
    [`${p}/Subscribers/DeadLetterQueue`]: ['Serverless-SQSRedrivePolicy', 'cdk-validator-cfnguard::sqs_dlq_check'],
    [`${p}/Subscribers/Sender/Function`]: fn,
    [`${p}/Subscribers/Sender/Live/SqsEventSource:${ssmLike}${role === 'primary' ? '62D0C1D8' : 'E4E716A4'}`]: [
      'Serverless-LambdaEventSourceMappingDestination',
    ],
    [`${p}/Subscribers/Sender/Role/Policy`]: ['AwsSolutions-IAM5[Resource::*]', logs('example-wallet-status-webhooks')],
    [`${p}/Updater/FailureQueue`]: [
      'AwsSolutions-SQS3',
      'Serverless-SQSRedrivePolicy',
      'cdk-validator-cfnguard::sqs_dlq_check',
    ],
    [`${p}/Updater/Updater/Function`]: fn,
    [`${p}/Updater/Updater/Role/Policy`]: [
      'AwsSolutions-IAM5[Resource::*]',
      logs('example-wallet-status-updater'),
      ...statusObjects,
    ],
  };
}

/**
 * Every acknowledged finding, by construct path. Adding an acknowledgement means adding it here,
 * so it shows up in review next to its reason in the code.
 */
const REVIEWED_ACKNOWLEDGEMENTS: Record<string, string[]> = {
  // Forwarding the failover cues to the standby: an event bus target takes no retry policy (24 h of
  // retries, past the 15-minute event age remediation acts on); failures are alarmed instead.
  'example-wallet-dns/RemediationCues/Rule': ['Serverless-EventBusDLQ'],
  'example-wallet-primary/Observability/RemediationCues/Rule': ['Serverless-EventBusDLQ'],
  'example-wallet-dns/Notifications/UndeliveredNotifications': [
    'AwsSolutions-SQS3',
    'Serverless-SQSRedrivePolicy',
    'cdk-validator-cfnguard::sqs_dlq_check',
  ],
  // The restore role may write only to NEW tables, whose names AWS Backup generates: the name prefix
  // is the tightest bound (lib/constructs/restore-testing.ts).
  'example-wallet-primary/ApiDomain/PublicDomain': ['cdk-validator-cfnguard::api_gw_domain_tls_check'],
  'example-wallet-primary/ApiDomain/RegionalDomain': ['cdk-validator-cfnguard::api_gw_domain_tls_check'],
  'example-wallet-primary/Backup/RestoreTesting/Permissions': [
    'AwsSolutions-IAM5[Resource::arn:aws:dynamodb:us-east-2:111111111111:table/awsbackup-restore-test-*]',
    'AwsSolutions-IAM5[Resource::arn:aws:dynamodb:us-east-2:111111111111:table/example-wallet-restored-*]',
  ],
  'example-wallet-primary/Notifications/UndeliveredNotifications': [
    'AwsSolutions-SQS3',
    'Serverless-SQSRedrivePolicy',
    'cdk-validator-cfnguard::sqs_dlq_check',
    'cdk-validator-cfnguard::sqs_queue_encrypted_check',
  ],
  'example-wallet-standby/ApiDomain/PublicDomain': ['cdk-validator-cfnguard::api_gw_domain_tls_check'],
  'example-wallet-standby/ApiDomain/RegionalDomain': ['cdk-validator-cfnguard::api_gw_domain_tls_check'],
  'example-wallet-standby/Backup/RestoreTesting/Permissions': [
    'AwsSolutions-IAM5[Resource::arn:aws:dynamodb:us-west-2:111111111111:table/awsbackup-restore-test-*]',
    'AwsSolutions-IAM5[Resource::arn:aws:dynamodb:us-west-2:111111111111:table/example-wallet-restored-*]',
  ],
  'example-wallet-standby/Notifications/UndeliveredNotifications': [
    'AwsSolutions-SQS3',
    'Serverless-SQSRedrivePolicy',
    'cdk-validator-cfnguard::sqs_dlq_check',
    'cdk-validator-cfnguard::sqs_queue_encrypted_check',
  ],
  ...regionalWorkload('primary', 'us-east-2'),
  ...regionalWorkload('standby', 'us-west-2'),
  ...regionalObservability('primary', 'us-east-2', 'us-west-2'),
  ...regionalObservability('standby', 'us-west-2', 'us-east-2'),
  // The standby's failover-switch re-publisher: a WalletFunction like the others; GetMetricData and
  // PutMetricData (bound to the switch namespace) support no resource-level permission.
  'example-wallet-standby/SwitchRepublisher/Function/Function': FUNCTION_ACKS,
  'example-wallet-standby/SwitchRepublisher/Function/LogGroup': CROSS_STACK_LOG_KEY,
  'example-wallet-standby/SwitchRepublisher/Function/Role/Policy': [
    'AwsSolutions-IAM5[Resource::*]',
    'AwsSolutions-IAM5[Resource::arn:aws:logs:us-west-2:111111111111:log-group:/aws/lambda/example-wallet-switch-republisher:*]',
  ],
  // Issue 16: the RPC provider secrets (a provider's API key is rotated by putting a new URL in, no
  // rotation Lambda) and the chain watcher, a WalletFunction like the others in each region.
  'example-wallet-primary/Chain/RpcSecrets/Secret0': [
    'AwsSolutions-SMG4',
    'HIPAA.Security-SecretsManagerRotationEnabled',
    'NIST.800.53.R5-SecretsManagerRotationEnabled',
  ],
  ...Object.fromEntries(
    (
      [
        ['primary', 'us-east-2'],
        ['standby', 'us-west-2'],
      ] as const
    ).flatMap(([stack, region]) => [
      [`example-wallet-${stack}/Chain/Watcher/Function/Function`, FUNCTION_ACKS],
      [`example-wallet-${stack}/Chain/Watcher/Function/LogGroup`, CROSS_STACK_LOG_KEY],
      [
        `example-wallet-${stack}/Chain/Watcher/Function/Role/Policy`,
        [
          'AwsSolutions-IAM5[Resource::*]',
          `AwsSolutions-IAM5[Resource::arn:aws:logs:${region}:111111111111:log-group:/aws/lambda/example-wallet-chain-watcher:*]`,
        ],
      ],
      // Issue 21: the sweeper (with spending.cold), a WalletFunction like the watcher.
      [`example-wallet-${stack}/Chain/Sweeper/Function/Function`, FUNCTION_ACKS],
      [`example-wallet-${stack}/Chain/Sweeper/Function/LogGroup`, CROSS_STACK_LOG_KEY],
      [
        `example-wallet-${stack}/Chain/Sweeper/Function/Role/Policy`,
        [
          'AwsSolutions-IAM5[Resource::*]',
          `AwsSolutions-IAM5[Resource::arn:aws:logs:${region}:111111111111:log-group:/aws/lambda/example-wallet-sweeper:*]`,
        ],
      ],
    ]),
  ),
  // The status page: public by design (no geo restriction, no WAF in its path, audit in the buckets).
  'example-wallet-status-edge/Edge/Distribution': [
    'AwsSolutions-CFR1',
    'AwsSolutions-CFR2',
    'AwsSolutions-CFR3',
    'cdk-validator-cfnguard::cloudfront_access_logs_enabled_check',
  ],
  ...statusPage('primary', 'us-east-2'),
  ...statusPage('standby', 'us-west-2'),
  ...signerDeployCheck('primary', 'us-east-2'),
  ...signerDeployCheck('standby', 'us-west-2'),
  ...faultExperiments(),
  ...sloWindows('primary'),
  ...sloWindows('standby'),
};

/**
 * The signer's pre-traffic hook (lib/constructs/signer-deploy-check.ts): a WalletFunction (VPC, DLQ
 * and log-group findings as for every wallet function) and its failure queue, itself a dead-letter queue.
 */
function signerDeployCheck(stack: 'primary' | 'standby', region: string): Record<string, string[]> {
  const at = `example-wallet-${stack}/SafeDeployment/SignerCheck`;
  return {
    [`${at}/FailureQueue`]: [
      'AwsSolutions-SQS3',
      'Serverless-SQSRedrivePolicy',
      'cdk-validator-cfnguard::sqs_dlq_check',
      // The data key lives in the keys stack: a cross-stack key the rule cannot see (lib/security/nag.ts).
      'cdk-validator-cfnguard::sqs_queue_encrypted_check',
    ],
    [`${at}/Function/Function`]: [
      'HIPAA.Security-LambdaDLQ',
      'HIPAA.Security-LambdaInsideVPC',
      'NIST.800.53.R5-LambdaDLQ',
      'NIST.800.53.R5-LambdaInsideVPC',
      'PCI.DSS.321-LambdaInsideVPC',
      'Serverless-LambdaDLQ',
      'cdk-validator-cfnguard::lambda_inside_vpc_check',
    ],
    [`${at}/Function/LogGroup`]: ['cdk-validator-cfnguard::cloudwatch_log_group_encrypted_check'],
    [`${at}/Function/Role/Policy`]: [
      'AwsSolutions-IAM5[Resource::*]',
      `AwsSolutions-IAM5[Resource::arn:aws:logs:${region}:111111111111:log-group:/aws/lambda/example-wallet-signer-deploy-check:*]`,
    ],
  };
}

test('acknowledgements are an explicit, reviewed list (adding one must change this test)', () => {
  const byPath: Record<string, string[]> = {};
  for (const a of acks) (byPath[a.path] ??= []).push(a.id);
  for (const ids of Object.values(byPath)) ids.sort();
  expect(byPath).toEqual(REVIEWED_ACKNOWLEDGEMENTS);
  for (const ack of acks) expect(ack.reason.length).toBeGreaterThan(40);
});

test('the raw findings come from cdk-nag and cfn-guard (so the checks below are not vacuous)', () => {
  expect(raw.some((f) => f.id.startsWith(`${GUARD}::`))).toBe(true);
  expect(raw.some((f) => f.id.startsWith('AwsSolutions-'))).toBe(true);
  expect(acks.length).toBeGreaterThan(0);
});

test('every acknowledgement still matches a raw finding at its construct or below (none is stale)', () => {
  expect(staleAcknowledgements(acks, raw).map((a) => `${a.path} ${a.id}`)).toEqual([]);
});

test('every raw finding is acknowledged (the fact the synth checks, seen from the raw side)', () => {
  expect(unacknowledgedFindings(acks, raw)).toEqual([]);
});

test('fails (proves the staleness checks can fail): an acknowledgement with no finding, a finding with none', () => {
  // Prepare: a bogus acknowledgement, and the real ones without the first
  const bogus = { path: 'example-wallet-keys/SigningKey', id: 'AwsSolutions-S1', reason: 'no bucket here' };
  const [dropped, ...rest] = acks;
  // Act + Assess
  expect(staleAcknowledgements([...acks, bogus], raw)).toEqual([bogus]);
  expect(unacknowledgedFindings(rest, raw).length).toBeGreaterThan(0);
  expect(unacknowledgedFindings(rest, raw).every((f) => f.id === dropped.id)).toBe(true);
});
