import { IPolicyValidationPlugin, Validations } from 'aws-cdk-lib';
import {
  AwsSolutionsChecks,
  HIPAASecurityChecks,
  NagPack,
  NIST80053R5Checks,
  PCIDSS321Checks,
  ServerlessChecks,
} from 'cdk-nag';
import { IConstruct } from 'constructs';
import { ControlTowerGuard } from './guard-rules';
import { WalletChecks } from './wallet-checks';

/**
 * The rule packs every synth is checked against. cdk-nag 3 packs are CDK policy-validation
 * plugins: any unacknowledged finding fails `cdk synth`, and the report is written to
 * `cdk.out/validation-report.json`.
 */
export function nagPacks(app: IConstruct): NagPack[] {
  return [
    new AwsSolutionsChecks(app),
    new NIST80053R5Checks(app),
    new PCIDSS321Checks(app),
    new HIPAASecurityChecks(app),
    new ServerlessChecks(app),
    new WalletChecks(app),
  ];
}

/** Registers the rule packs (and any extra validation plugins) on the app. */
export function registerValidation(app: IConstruct, extra: readonly IPolicyValidationPlugin[] = []): void {
  Validations.of(app).addPlugins(...nagPacks(app), new ControlTowerGuard(), ...extra);
}

/**
 * Acknowledges one exact finding id on the narrowest construct that raises it. Every call site
 * must say why the finding does not apply or is accepted; the list is reviewed in
 * test/security/nag.suite.ts (REVIEWED_ACKNOWLEDGEMENTS).
 */
export function acknowledge(scope: IConstruct, id: string, reason: string, owner = DEFAULT_ACK_OWNER): void {
  if (reason.trim().length < 20) {
    throw new Error(
      `acknowledge(${id}) at ${scope.node.path}: give a reason a reviewer can accept; received "${reason}".`,
    );
  }
  Validations.of(scope).acknowledge({ id, reason });
  scope.node.addMetadata(ACK_OWNER_METADATA, { [id]: owner });
}

/** Construct metadata recording who owns each acknowledgement (shown in the security review). */
export const ACK_OWNER_METADATA = 'wallet:acknowledgement-owner';

/** The team that answers for an acknowledgement unless a call site names another. */
export const DEFAULT_ACK_OWNER = 'platform-security';

/**
 * Control Tower's CT.SQS.PR.2 (cfn-guard) accepts a queue's KmsMasterKeyId only as a literal
 * string or a reference to a key in the same template. Our queues use the customer-managed data
 * key from the keys stacks, referenced with Fn::GetStackOutput, so the rule cannot see it;
 * test/security/invariants.suite.ts asserts that every queue names a KMS key.
 */
export function acknowledgeCrossStackQueueKey(queue: IConstruct): void {
  acknowledge(
    queue,
    'cdk-validator-cfnguard::sqs_queue_encrypted_check',
    'Encrypted with the customer-managed data key, whose ARN comes from the keys stack through Fn::GetStackOutput; ' +
      'the Control Tower rule only recognises literal key ids or same-template references. Every queue naming a KMS key is ' +
      'asserted in test/security/invariants.suite.ts.',
  );
}

/**
 * Control Tower's CT.CLOUDWATCH.PR.3 (cfn-guard) accepts a log group's KmsKeyId only as a literal
 * string or a reference to a key in the same template; ours is the data key from the keys stacks,
 * referenced with Fn::GetStackOutput. test/security/invariants.suite.ts asserts that every log group
 * names a KMS key.
 */
export function acknowledgeCrossStackLogGroupKey(logGroup: IConstruct): void {
  acknowledge(
    logGroup,
    'cdk-validator-cfnguard::cloudwatch_log_group_encrypted_check',
    'Encrypted with the customer-managed data key, whose ARN comes from the keys stack through Fn::GetStackOutput; ' +
      'the Control Tower rule only recognises literal key ids or same-template references. Every log group naming a ' +
      'KMS key is asserted in test/security/invariants.suite.ts.',
  );
}

/** The finding-id prefixes of the cdk-nag packs {@link nagPacks} registers. */
export type NagPackPrefix = 'AwsSolutions' | 'NIST.800.53.R5' | 'PCI.DSS.321' | 'HIPAA.Security' | 'Serverless';

/**
 * Acknowledges one rule that several packs share (e.g. `LambdaInsideVPC` in NIST, PCI DSS and
 * HIPAA) on one construct, as `<pack>-<rule>` for each pack named, with one reason.
 */
export function acknowledgeInPacks(
  scope: IConstruct,
  rule: string,
  packs: readonly NagPackPrefix[],
  reason: string,
  owner = DEFAULT_ACK_OWNER,
): void {
  for (const pack of packs) acknowledge(scope, `${pack}-${rule}`, reason, owner);
}
