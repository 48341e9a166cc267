import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { list, namedRule, NOT_APPLICABLE, props } from './util';

/** One property combination CloudFormation or the service refuses, with the doc that says so. */
export interface RefusedValues {
  readonly id: string;
  readonly resourceType: string;
  /** Problems in the resolved properties (empty when the resource is fine). */
  readonly problems: (properties: Record<string, unknown>) => string[];
  readonly doc: string;
}

/**
 * The table: add the next refusal here (one row, a failing test in test/security/deployability.suite.ts).
 */
export const REFUSED_VALUES: readonly RefusedValues[] = [
  {
    id: 'S3LifecycleDeleteMarkerWithDays',
    resourceType: 'AWS::S3::Bucket',
    problems: (p) =>
      list((p.LifecycleConfiguration as { Rules?: Array<Record<string, unknown>> } | undefined)?.Rules)
        .filter(
          (r) =>
            r.ExpiredObjectDeleteMarker !== undefined &&
            (r.ExpirationInDays !== undefined || r.ExpirationDate !== undefined),
        )
        .map((r) => `rule ${String(r.Id ?? '(no id)')}`),
    doc:
      'S3 API LifecycleExpiration: ExpiredObjectDeleteMarker "cannot be specified with Days or Date in a Lifecycle ' +
      'Expiration Policy" (https://docs.aws.amazon.com/AmazonS3/latest/API/API_LifecycleExpiration.html)',
  },
  {
    id: 'ApiEnhancedPolicyNeedsAccessMode',
    resourceType: 'AWS::ApiGateway::RestApi',
    problems: (p) =>
      typeof p.SecurityPolicy === 'string' &&
      p.SecurityPolicy.startsWith('SecurityPolicy_') &&
      p.EndpointAccessMode === undefined
        ? ['enhanced SecurityPolicy without EndpointAccessMode']
        : [],
    doc:
      'API Gateway "Choose a security policy": "When you use an enhanced security policy, you must also set the endpoint ' +
      'access mode" (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-custom-domain-tls-version.html)',
  },
  {
    id: 'ApiEnhancedPolicyNeedsAccessMode',
    resourceType: 'AWS::ApiGateway::DomainName',
    problems: (p) =>
      typeof p.SecurityPolicy === 'string' &&
      p.SecurityPolicy.startsWith('SecurityPolicy_') &&
      p.EndpointAccessMode === undefined
        ? ['enhanced SecurityPolicy without EndpointAccessMode']
        : [],
    doc: 'as above, for custom domain names',
  },
];

/**
 * No resource carries a property combination CloudFormation or the service refuses (REFUSED_VALUES):
 * offline synth and tests accept them, the first deploy does not. Findings name the row:
 * `Wallet-ServiceRefusesValues[S3LifecycleDeleteMarkerWithDays]`.
 */
export default namedRule('ServiceRefusesValues', (node: CfnResource): NagRuleResult => {
  const rows = REFUSED_VALUES.filter((r) => r.resourceType === node.cfnResourceType);
  if (rows.length === 0) return NOT_APPLICABLE;
  const p = props(node);
  const findings = rows.filter((r) => r.problems(p).length > 0).map((r) => r.id);
  return findings.length > 0 ? [...new Set(findings)] : NagRuleCompliance.COMPLIANT;
});
