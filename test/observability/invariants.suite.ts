import { CANARY_KINDS, canaryName } from '../../lib/contract/canary';
import { remediationRoleName } from '../../lib/contract/names';
import { exampleWallet, TestWallet } from '../helpers/app';
import { actionCovers, FoundStatement, iamStatements } from '../helpers/iam-invariants';
import { REGIONS } from '../helpers/workload';

/**
 * Invariants of issue 5 over the whole synthesized app (every stack): they hold for any config, so
 * each is written as a walk over templates, with a "fails" case proving the walk can fail.
 */
type Resource = { Type: string; Properties?: Record<string, unknown>; DependsOn?: unknown };
type Templates = Record<string, { Resources: Record<string, Resource> }>;

let wallet: TestWallet;
let templates: Templates;
beforeAll(() => {
  wallet = exampleWallet();
  templates = Object.fromEntries(
    (Object.keys(wallet.stacks) as Array<keyof typeof wallet.stacks>).map((s) => [s, wallet.template(s).toJSON()]),
  ) as Templates;
});

const ofType = (t: Templates, type: string) =>
  Object.entries(t).flatMap(([stack, { Resources }]) =>
    Object.entries(Resources)
      .filter(([, r]) => r.Type === type)
      .map(([id, r]) => ({ stack, id, r })),
  );
const refersTo = (value: unknown, id: string): boolean =>
  JSON.stringify(value) === JSON.stringify({ Ref: id }) ||
  JSON.stringify(value) === JSON.stringify({ 'Fn::GetAtt': [id, 'Arn'] });
/** Also inside an expression (the event source mapping names `<name>:live` by splitting the alias ARN). */
const refersToId = (value: unknown, id: string): boolean =>
  refersTo(value, id) || (JSON.stringify(value) ?? '').includes(JSON.stringify({ Ref: id }));

// ---------------------------------------------------------------------------------------------
// Every region has its canaries, and every canary its alarm.

/** Canary names per stack. */
function canariesByStack(t: Templates): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const { stack, r } of ofType(t, 'AWS::Synthetics::Canary')) (out[stack] ??= []).push(String(r.Properties?.Name));
  for (const names of Object.values(out)) names.sort();
  return out;
}

/** Canaries (stack/id) without a SuccessPercent alarm naming them in their own stack. */
function canariesWithoutAlarm(t: Templates): string[] {
  return ofType(t, 'AWS::Synthetics::Canary')
    .filter(({ stack, id, r }) => {
      const alarms = Object.values(t[stack].Resources).filter((a) => a.Type === 'AWS::CloudWatch::Alarm');
      return !alarms.some((a) => {
        const p = a.Properties ?? {};
        const dims = (p.Dimensions as Array<{ Name: string; Value: unknown }> | undefined) ?? [];
        return (
          p.Namespace === 'CloudWatchSynthetics' &&
          p.MetricName === 'SuccessPercent' &&
          dims.some((d) => d.Name === 'CanaryName' && (refersTo(d.Value, id) || d.Value === r.Properties?.Name))
        );
      });
    })
    .map(({ stack, id }) => `${stack}/${id}`);
}

test('every workload region runs the three canaries, and nothing else does', () => {
  const expected = [...CANARY_KINDS].map((k) => canaryName('example', k)).sort();
  expect(canariesByStack(templates)).toEqual(Object.fromEntries(REGIONS.map((c) => [c.stack, expected])));
});

test('every canary has an alarm on its SuccessPercent, in its own region', () => {
  expect(ofType(templates, 'AWS::Synthetics::Canary')).toHaveLength(6);
  expect(canariesWithoutAlarm(templates)).toEqual([]);
});

// ---------------------------------------------------------------------------------------------
// Every alarm has an action: it notifies an SNS topic of its own stack on ALARM and on OK.

function alarmsWithoutActions(t: Templates): string[] {
  const alarms = [...ofType(t, 'AWS::CloudWatch::Alarm'), ...ofType(t, 'AWS::CloudWatch::CompositeAlarm')];
  const notifiesTopic = (stack: string, p: Record<string, unknown>) => {
    const topics = Object.entries(t[stack].Resources)
      .filter(([, x]) => x.Type === 'AWS::SNS::Topic')
      .map(([id]) => id);
    const notifies = (actions: unknown) =>
      Array.isArray(actions) && actions.length > 0 && actions.every((a) => topics.some((topic) => refersTo(a, topic)));
    return p.ActionsEnabled !== false && notifies(p.AlarmActions) && notifies(p.OKActions);
  };
  // A burn-rate window alarm takes no action itself: its composite (long AND short window) notifies
  // (lib/constructs/slo-alarms.ts). It counts as notifying only if such a composite in its stack does.
  const componentOfNotifyingComposite = (stack: string, id: string, p: Record<string, unknown>) =>
    p.AlarmActions === undefined &&
    p.OKActions === undefined &&
    alarms.some(
      (c) =>
        c.stack === stack &&
        c.r.Type === 'AWS::CloudWatch::CompositeAlarm' &&
        JSON.stringify(c.r.Properties?.AlarmRule).includes(JSON.stringify({ 'Fn::GetAtt': [id, 'Arn'] })) &&
        notifiesTopic(stack, c.r.Properties ?? {}),
    );
  return alarms
    .filter(({ stack, id, r }) => {
      const p = r.Properties ?? {};
      return !notifiesTopic(stack, p) && !componentOfNotifyingComposite(stack, id, p);
    })
    .map(({ stack, id }) => `${stack}/${id}`);
}

test('every alarm of every stack notifies a topic of its own stack on ALARM and on OK', () => {
  expect(ofType(templates, 'AWS::CloudWatch::Alarm').length).toBeGreaterThan(34);
  expect(alarmsWithoutActions(templates)).toEqual([]);
});

// ---------------------------------------------------------------------------------------------
// Every Lambda function that can be invoked asynchronously keeps its failed events.

/** Principals that invoke Lambda synchronously (the caller receives the error and owns the retry). */
const SYNCHRONOUS_INVOKERS = ['apigateway.amazonaws.com'];

interface FunctionInvocation {
  readonly where: string;
  readonly name: unknown;
  /** Who may invoke it asynchronously: Lambda permissions for other principals, EventBridge targets, SNS subscriptions. */
  readonly asyncInvokers: string[];
  /** Synchronous invokers: API Gateway permissions and SQS event source mappings (a poller invokes synchronously). */
  readonly syncInvokers: string[];
  readonly keepsFailedEvents: boolean;
}

function functionInvocations(t: Templates): FunctionInvocation[] {
  return ofType(t, 'AWS::Lambda::Function').map(({ stack, id, r }) => {
    const resources = Object.entries(t[stack].Resources);
    const asyncInvokers: string[] = [];
    const syncInvokers: string[] = [];
    // Callers invoke the function's aliases (the live alias, lib/constructs/wallet-function.ts): a
    // reference to one of them is a reference to the function.
    const targets = [
      id,
      ...resources
        .filter(([, a]) => a.Type === 'AWS::Lambda::Alias' && refersTo(a.Properties?.FunctionName, id))
        .map(([aliasId]) => aliasId),
    ];
    const invokes = (value: unknown) => targets.some((x) => refersToId(value, x));
    for (const [otherId, other] of resources) {
      const p = other.Properties ?? {};
      // CodeDeploy invokes a lifecycle hook asynchronously, by the name in an alias's update policy.
      const update = (other as { UpdatePolicy?: { CodeDeployLambdaAliasUpdate?: Record<string, unknown> } })
        .UpdatePolicy;
      if (refersToId(update?.CodeDeployLambdaAliasUpdate?.BeforeAllowTrafficHook, id)) {
        asyncInvokers.push(`${otherId} (CodeDeploy pre-traffic hook)`);
      }
      if (other.Type === 'AWS::Lambda::Permission' && invokes(p.FunctionName)) {
        (SYNCHRONOUS_INVOKERS.includes(String(p.Principal)) ? syncInvokers : asyncInvokers).push(
          `${otherId} (${String(p.Principal)})`,
        );
      }
      if (other.Type === 'AWS::Events::Rule') {
        for (const target of (p.Targets as Array<{ Arn: unknown }> | undefined) ?? []) {
          if (invokes(target.Arn)) asyncInvokers.push(`${otherId} (rule target)`);
        }
      }
      if (other.Type === 'AWS::SNS::Subscription' && p.Protocol === 'lambda' && invokes(p.Endpoint)) {
        asyncInvokers.push(`${otherId} (SNS)`);
      }
      if (other.Type === 'AWS::Lambda::EventSourceMapping' && invokes(p.FunctionName)) {
        syncInvokers.push(`${otherId} (event source mapping)`);
      }
    }
    const onFailure = resources.some(
      ([, x]) =>
        x.Type === 'AWS::Lambda::EventInvokeConfig' &&
        refersTo(x.Properties?.FunctionName, id) &&
        (x.Properties?.DestinationConfig as { OnFailure?: { Destination?: unknown } } | undefined)?.OnFailure
          ?.Destination !== undefined,
    );
    const dlq = (r.Properties?.DeadLetterConfig as { TargetArn?: unknown } | undefined)?.TargetArn !== undefined;
    return {
      where: `${stack}/${id}`,
      name: r.Properties?.FunctionName,
      asyncInvokers,
      syncInvokers,
      keepsFailedEvents: onFailure || dlq,
    };
  });
}

/** Functions an asynchronous source can invoke without an on-failure destination or DLQ. */
const losesFailedEvents = (fns: FunctionInvocation[]) =>
  fns.filter((f) => f.asyncInvokers.length > 0 && !f.keepsFailedEvents).map((f) => f.where);

test('every function an asynchronous source can invoke has an on-failure destination or a dead-letter queue', () => {
  const fns = functionInvocations(templates);
  expect(fns.filter((f) => f.asyncInvokers.length > 0).map((f) => f.name)).toEqual([
    'example-wallet-remediation',
    'example-wallet-chain-watcher',
    'example-wallet-sweeper',
    'example-wallet-signer-deploy-check',
    'example-wallet-remediation',
    'example-wallet-switch-republisher',
    'example-wallet-chain-watcher',
    'example-wallet-sweeper',
    'example-wallet-signer-deploy-check',
    'example-wallet-status-updater',
    'example-wallet-status-updater',
  ]);
  expect(losesFailedEvents(fns)).toEqual([]);
});

test('every other function is synchronous-only (API Gateway proxy or SQS poller): its caller sees every failure', () => {
  // A new function appears here and must be classified: asynchronous ones need a failure path.
  const syncOnly = functionInvocations(templates).filter((f) => f.asyncInvokers.length === 0);
  expect(syncOnly.map((f) => [f.name, f.syncInvokers.length > 0]).sort()).toEqual(
    [
      ['example-wallet-api', true],
      ['example-wallet-api', true],
      ['example-wallet-health', true],
      ['example-wallet-health', true],
      ['example-wallet-signer', true],
      ['example-wallet-signer', true],
      ['example-wallet-status-webhooks', true],
      ['example-wallet-status-webhooks', true],
    ].sort(),
  );
});

// ---------------------------------------------------------------------------------------------
// The remediation role can never sign, change a key or IAM, or touch Route 53's control plane.

/** Actions the remediation role must not have, whatever the resource: signing, key, IAM and Route 53 changes. */
const FORBIDDEN_FOR_REMEDIATION = [
  'kms:Sign',
  'kms:PutKeyPolicy',
  'kms:CreateGrant',
  'kms:ScheduleKeyDeletion',
  'kms:DisableKey',
  'kms:UpdatePrimaryRegion',
  'kms:ReplicateKey',
  'kms:CreateKey',
  'kms:ImportKeyMaterial',
  'iam:PutRolePolicy',
  'iam:AttachRolePolicy',
  'iam:CreatePolicyVersion',
  'iam:UpdateAssumeRolePolicy',
  'iam:PassRole',
  'iam:CreateRole',
  'sts:AssumeRole',
  'route53:ChangeResourceRecordSets',
  'route53:UpdateHealthCheck',
  'route53:CreateHealthCheck',
  'route53:DeleteHealthCheck',
  'route53-recovery-cluster:UpdateRoutingControlState',
];

function forbiddenGrants(statements: FoundStatement[], roles: string[]): string[] {
  const problems: string[] = [];
  for (const s of statements.filter((x) => x.roles.some((r) => roles.includes(r)) && x.statement.Effect === 'Allow')) {
    if (s.statement.NotAction !== undefined) problems.push(`${s.where}: Allow with NotAction`);
    const actions = [s.statement.Action ?? []].flat();
    for (const forbidden of FORBIDDEN_FOR_REMEDIATION) {
      const by = actions.find((a) => actionCovers(a, forbidden));
      if (by !== undefined) problems.push(`${s.where}: ${by} grants ${forbidden}`);
    }
    for (const action of actions) {
      if (/^(iam|route53|route53domains|organizations):/i.test(action)) problems.push(`${s.where}: ${action}`);
    }
  }
  return problems;
}

/** The logical ids of the remediation roles, by their fixed names. */
function remediationRoles(t: Templates): string[] {
  const names = REGIONS.map((c) => remediationRoleName('example', c.region));
  return ofType(t, 'AWS::IAM::Role')
    .filter(({ r }) => names.includes(String(r.Properties?.RoleName)))
    .map(({ id }) => id);
}

test('the remediation role of each region has no kms:Sign, no key-policy or IAM change, no Route 53 mutation', () => {
  const roles = remediationRoles(templates);
  expect(roles).toHaveLength(2);
  const statements = iamStatements(templates);
  expect(statements.filter((s) => s.roles.some((r) => roles.includes(r))).length).toBeGreaterThan(15);
  expect(forbiddenGrants(statements, roles)).toEqual([]);
});

test('no key policy lets the remediation role sign: every signing key denies kms:Sign to all but the signer roles', () => {
  // The hot signing key's two copies (tag wallet:key-purpose = signing). The cold key (also
  // SIGN_VERIFY, purpose cold) denies Sign to all but the ColdSigner role: test/constructs/cold-key.suite.ts.
  const purpose = (r: { Properties?: Record<string, unknown> }) =>
    (r.Properties?.Tags as Array<{ Key: string; Value: string }> | undefined)?.find(
      (t) => t.Key === 'wallet:key-purpose',
    )?.Value;
  const signingKeys = [...ofType(templates, 'AWS::KMS::Key'), ...ofType(templates, 'AWS::KMS::ReplicaKey')].filter(
    ({ r }) => purpose(r) === 'signing',
  );
  expect(signingKeys).toHaveLength(2);
  for (const { r } of signingKeys) {
    const statements = (r.Properties?.KeyPolicy as { Statement: Array<Record<string, unknown>> }).Statement;
    const allowSign = statements.find((s) => s.Sid === 'SignOnlyByNamedSignerRoles');
    expect(JSON.stringify(allowSign)).not.toContain('remediation');
    expect(statements.find((s) => s.Sid === 'DenySignToEveryoneElse')).toMatchObject({
      Effect: 'Deny',
      Action: 'kms:Sign',
    });
  }
});

describe('fails (proves the invariants can fail)', () => {
  test('a region without one of its canaries, and a canary without an alarm, are caught', () => {
    const t = structuredClone(templates);
    const [id] = Object.entries(t.standby.Resources).find(
      ([, r]) => r.Type === 'AWS::Synthetics::Canary' && r.Properties?.Name === 'example-wallet-transaction',
    )!;
    const alarmId = Object.entries(t.primary.Resources).find(
      ([, r]) =>
        r.Type === 'AWS::CloudWatch::Alarm' &&
        r.Properties?.AlarmName === 'example-wallet-us-east-2-canary-deep-health',
    )![0];
    delete t.standby.Resources[id];
    delete t.primary.Resources[alarmId];
    expect(canariesByStack(t).standby).toEqual(['example-wallet-deep-health', 'example-wallet-public-name']);
    expect(canariesWithoutAlarm(t)).toEqual([expect.stringMatching(/^primary\/ObservabilityCanariesDeepHealth/)]);
  });

  test('an actionless alarm and an alarm with only an ALARM action are caught', () => {
    const t = structuredClone(templates);
    const alarms = Object.values(t.primary.Resources).filter((r) => r.Type === 'AWS::CloudWatch::Alarm');
    delete alarms[0].Properties!.AlarmActions;
    delete alarms[1].Properties!.OKActions;
    expect(alarmsWithoutActions(t)).toHaveLength(2);
  });

  test('a burn-rate window alarm whose composite does not notify is caught', () => {
    const t = structuredClone(templates);
    const composite = Object.values(t.primary.Resources).find(
      (r) =>
        r.Type === 'AWS::CloudWatch::CompositeAlarm' &&
        r.Properties?.AlarmName === 'example-wallet-us-east-2-slo-api-availability-page-fast',
    )!;
    delete composite.Properties!.AlarmActions;
    // The composite itself and both of its windows.
    expect(alarmsWithoutActions(t)).toHaveLength(3);
  });

  test('an EventBridge-invoked function without a failure destination is caught', () => {
    const t = structuredClone(templates);
    for (const [id, r] of Object.entries(t.standby.Resources)) {
      if (r.Type === 'AWS::Lambda::EventInvokeConfig') delete t.standby.Resources[id];
    }
    expect(losesFailedEvents(functionInvocations(t))).toEqual([
      expect.stringMatching(/^standby\/ObservabilityRemediationFunction/),
      expect.stringMatching(/^standby\/SwitchRepublisherFunction/),
      expect.stringMatching(/^standby\/ChainWatcherFunction/),
      expect.stringMatching(/^standby\/ChainSweeperFunction/),
      expect.stringMatching(/^standby\/SafeDeploymentSignerCheckFunction/),
    ]);
  });

  test.each([
    ['kms:* (covers kms:Sign)', { Action: 'kms:*', Resource: '*' }, 'kms:* grants kms:Sign'],
    ['a key policy change', { Action: 'kms:PutKeyPolicy', Resource: '*' }, 'kms:PutKeyPolicy grants kms:PutKeyPolicy'],
    ['iam:PassRole', { Action: 'iam:PassRole', Resource: '*' }, 'iam:PassRole'],
    [
      'Route 53 record changes',
      { Action: 'route53:Change*', Resource: '*' },
      'route53:Change* grants route53:ChangeResourceRecordSets',
    ],
    ['NotAction', { NotAction: 's3:*', Resource: '*' }, 'Allow with NotAction'],
  ])('%s on the remediation role is caught', (_name, statement, message) => {
    const found: FoundStatement = {
      where: 'standby/Policy',
      roles: ['Remediation'],
      statement: { Effect: 'Allow', ...statement },
    };
    expect(forbiddenGrants([found], ['Remediation'])).toEqual(
      expect.arrayContaining([expect.stringContaining(message)]),
    );
  });
});
