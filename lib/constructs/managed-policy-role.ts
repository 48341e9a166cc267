import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

/** Props of {@link ManagedPolicyRole}. */
export interface ManagedPolicyRoleProps {
  /** The service or principal that assumes the role. */
  readonly assumedBy: iam.IPrincipal;
  /**
   * A fixed role name, for roles a key policy names by `aws:PrincipalArn`.
   * @default - a name CloudFormation generates
   */
  readonly roleName?: string;
  /** What the role is for (shown in IAM and on its policy). */
  readonly description: string;
}

/**
 * An IAM role whose every permission lives in ONE customer-managed policy attached to it: no
 * inline policy (NIST 800-53, PCI DSS and HIPAA `IAMNoInlinePolicy`), no AWS managed policy
 * (`AwsSolutions-IAM4`). Grants made through CDK (`grant*`, `addToRolePolicy`, tracing) land in
 * the same managed policy, so nothing is silently dropped and nothing escapes review.
 *
 * The policy names the role in its `Roles` property and is a child of the role, so a Lambda
 * function using the role (which depends on the role construct) is created only after its
 * permissions exist; an SQS event source mapping needs them at creation.
 */
export class ManagedPolicyRole extends iam.Role {
  /** The customer-managed policy holding every statement of this role. */
  public readonly policy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: ManagedPolicyRoleProps) {
    super(scope, id, { assumedBy: props.assumedBy, roleName: props.roleName, description: props.description });
    this.policy = new iam.ManagedPolicy(this, 'Policy', { description: props.description, roles: [this] });
  }

  public override addToPrincipalPolicy(statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult {
    this.policy.addStatements(statement);
    return { statementAdded: true, policyDependable: this.policy };
  }
}
