import { ArnFormat, Stack, Token } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { WalletLogGroup } from './wallet-log-group';

/** The window of the rate-based rule: WAF counts each client IP's requests over 5 minutes. */
export const WAF_RATE_WINDOW_SECONDS = 300;

/**
 * AWS managed rule groups, in evaluation order after the IP reputation list and the rate limit.
 * The Common rule set's `SizeRestrictions_BODY` blocks bodies over 8 KB: that is the API's body
 * limit (lib/contract/api.ts MAX_REQUEST_BODY_BYTES), so it stays in block mode.
 */
export const MANAGED_RULE_GROUPS = [
  'AWSManagedRulesAmazonIpReputationList',
  'AWSManagedRulesCommonRuleSet',
  'AWSManagedRulesKnownBadInputsRuleSet',
] as const;

/**
 * Request headers never written to the WAF log: SigV4 signatures and session tokens of the
 * operator's services.
 */
export const WAF_REDACTED_HEADERS = ['authorization', 'x-amz-security-token'] as const;

/** Props of {@link WalletWebAcl}. */
export interface WalletWebAclProps {
  /** The web ACL's name (unique per account and region). */
  readonly name: string;
  /** Requests one client IP may send in 5 minutes before it is blocked (10 to 2,000,000,000). */
  readonly rateLimitPerIp: number;
  /** ARN of the regional resource to protect: the API Gateway stage. */
  readonly resourceArn: string;
  /** Name of the log group; WAF requires the prefix `aws-waf-logs-`. */
  readonly logGroupName: string;
  /** The region's data key; the log group is encrypted with it. */
  readonly logEncryptionKey: kms.IKey;
}

/**
 * A REGIONAL AWS WAF web ACL in front of the regional API: the Amazon IP reputation list, a per-IP
 * rate limit, and the AWS Common and Known-bad-inputs rule groups; every rule emits CloudWatch
 * metrics and sampled requests, and full logs go to a KMS-encrypted `aws-waf-logs-` log group
 * with credentials redacted. The web ACL is associated with the resource it protects.
 */
export class WalletWebAcl extends Construct {
  public readonly webAcl: wafv2.CfnWebACL;
  public readonly logGroup: logs.ILogGroup;
  public readonly association: wafv2.CfnWebACLAssociation;

  constructor(scope: Construct, id: string, props: WalletWebAclProps) {
    super(scope, id);
    validateProps(this, props);
    const visibility = (metricName: string): wafv2.CfnWebACL.VisibilityConfigProperty => ({
      cloudWatchMetricsEnabled: true,
      sampledRequestsEnabled: true,
      metricName: `${props.name}-${metricName}`,
    });
    const managed = (name: (typeof MANAGED_RULE_GROUPS)[number], priority: number): wafv2.CfnWebACL.RuleProperty => ({
      name,
      priority,
      overrideAction: { none: {} },
      statement: { managedRuleGroupStatement: { vendorName: 'AWS', name } },
      visibilityConfig: visibility(name),
    });

    this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      name: props.name,
      description: 'Wallet regional API: IP reputation, per-IP rate limit, AWS common and known-bad-inputs rules',
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: visibility('all'),
      rules: [
        // Known-bad sources first: the cheapest block.
        managed('AWSManagedRulesAmazonIpReputationList', 0),
        {
          name: 'RateLimitPerIp',
          priority: 1,
          action: { block: {} },
          statement: {
            rateBasedStatement: {
              aggregateKeyType: 'IP',
              limit: props.rateLimitPerIp,
              evaluationWindowSec: WAF_RATE_WINDOW_SECONDS,
            },
          },
          visibilityConfig: visibility('RateLimitPerIp'),
        },
        managed('AWSManagedRulesCommonRuleSet', 2),
        managed('AWSManagedRulesKnownBadInputsRuleSet', 3),
      ],
    });

    this.logGroup = new WalletLogGroup(this, 'LogGroup', {
      logGroupName: props.logGroupName,
      encryptionKey: props.logEncryptionKey,
    });
    new wafv2.CfnLoggingConfiguration(this, 'Logging', {
      resourceArn: this.webAcl.attrArn,
      // WAF wants the log group's ARN without the ":*" suffix LogGroup.logGroupArn carries.
      logDestinationConfigs: [
        Stack.of(this).formatArn({
          service: 'logs',
          resource: 'log-group',
          resourceName: props.logGroupName,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ],
      redactedFields: WAF_REDACTED_HEADERS.map((name) => ({ singleHeader: { Name: name } })),
    }).node.addDependency(this.logGroup);

    this.association = new wafv2.CfnWebACLAssociation(this, 'Association', {
      resourceArn: props.resourceArn,
      webAclArn: this.webAcl.attrArn,
    });
  }
}

function validateProps(scope: Construct, props: WalletWebAclProps): void {
  const problems: string[] = [];
  if (!Token.isUnresolved(props.logGroupName) && !props.logGroupName.startsWith('aws-waf-logs-')) {
    problems.push(
      `logGroupName "${props.logGroupName}" does not start with "aws-waf-logs-"; WAF delivers only to such log groups`,
    );
  }
  if (!Number.isInteger(props.rateLimitPerIp) || props.rateLimitPerIp < 10 || props.rateLimitPerIp > 2000000000) {
    problems.push(`rateLimitPerIp is ${props.rateLimitPerIp}; use a whole number from 10 to 2000000000`);
  }
  if (!Token.isUnresolved(props.name) && !/^[\w-]{1,128}$/.test(props.name)) {
    problems.push(`name "${props.name}" is not a web ACL name; use 1-128 letters, digits, hyphens or underscores`);
  }
  if (problems.length > 0) {
    throw new Error(`WalletWebAcl ${scope.node.path}: ${problems.length} problem(s):\n  - ${problems.join('\n  - ')}`);
  }
}
