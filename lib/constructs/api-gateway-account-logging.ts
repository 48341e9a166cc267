import { ArnFormat, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { acknowledge } from '../security/nag';
import { ManagedPolicyRole } from './managed-policy-role';

/** What API Gateway does with its CloudWatch role (the actions of the AWS managed policy AmazonAPIGatewayPushToCloudWatchLogs). */
export const API_GATEWAY_LOGS_ACTIONS = [
  'logs:CreateLogGroup',
  'logs:CreateLogStream',
  'logs:DescribeLogGroups',
  'logs:DescribeLogStreams',
  'logs:PutLogEvents',
  'logs:GetLogEvents',
  'logs:FilterLogEvents',
] as const;

/**
 * API Gateway's account-level CloudWatch Logs role in one region (`AWS::ApiGateway::Account`).
 * Without it a stage with execution or access logging fails to deploy ("CloudWatch Logs role ARN
 * must be set in account settings"). The setting belongs to the account and region, not to one
 * API: deploying this replaces any role set before, and the role and setting are retained when the
 * stack is deleted so other APIs in the region keep logging.
 *
 * Instead of the AWS managed policy (`AwsSolutions-IAM4`), the role has the same actions in a
 * customer-managed policy, scoped to this account's log groups in this region.
 */
export class ApiGatewayAccountLogging extends Construct {
  public readonly role: ManagedPolicyRole;
  public readonly account: apigw.CfnAccount;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const stack = Stack.of(this);
    this.role = new ManagedPolicyRole(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com'),
      description: `API Gateway writes execution and access logs of REST APIs in ${stack.region} to CloudWatch Logs`,
    });
    const logGroups = stack.formatArn({
      service: 'logs',
      resource: 'log-group',
      resourceName: '*',
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'WriteApiGatewayLogs',
        actions: [...API_GATEWAY_LOGS_ACTIONS],
        resources: [logGroups],
      }),
    );
    this.account = new apigw.CfnAccount(this, 'Account', { cloudWatchRoleArn: this.role.roleArn });
    // The setting is applied once the role can write (the role itself is a GetAtt dependency).
    this.account.node.addDependency(this.role.policy);
    for (const resource of [this.role, this.role.policy, this.account])
      resource.applyRemovalPolicy(RemovalPolicy.RETAIN);

    acknowledge(
      this.role.policy,
      `AwsSolutions-IAM5[Resource::${logGroups}]`,
      "API Gateway's CloudWatch role is one per account and region, shared by every REST API there; API Gateway " +
        'creates execution log groups named after each API id and stage. Scoped to log groups of this account and ' +
        'region, narrower than the AWS managed policy it replaces (Resource "*").',
    );
  }
}
