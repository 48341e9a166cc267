import { Template } from 'aws-cdk-lib/assertions';
import { TestWallet } from './app';

/** A resource of a synthesized template. */
export interface CfnResourceJson {
  Type: string;
  Properties: Record<string, unknown>;
  DependsOn?: string[];
  DeletionPolicy?: string;
  UpdatePolicy?: Record<string, unknown>;
}

/** The two regional workload stacks, and the keys stack holding each one's copy of the keys. */
export const REGIONS = [
  { stack: 'primary', keysStack: 'keys', keysStackName: 'example-wallet-keys', region: 'us-east-2', peer: 'us-west-2' },
  {
    stack: 'standby',
    keysStack: 'keysReplica',
    keysStackName: 'example-wallet-keys-replica',
    region: 'us-west-2',
    peer: 'us-east-2',
  },
] as const;
export type RegionCase = (typeof REGIONS)[number];

export function resources(template: Template): Record<string, CfnResourceJson> {
  return template.toJSON().Resources as Record<string, CfnResourceJson>;
}

/** The one resource of a type whose logical id starts with a prefix (or matches a pattern). */
export function resourceNamed(
  template: Template,
  type: string,
  prefix: string | RegExp,
): { id: string; resource: CfnResourceJson } {
  const named = (id: string) => (typeof prefix === 'string' ? id.startsWith(prefix) : prefix.test(id));
  const matches = Object.entries(resources(template)).filter(([id, r]) => r.Type === type && named(id));
  if (matches.length !== 1) {
    throw new Error(
      `expected one ${type} starting with ${prefix}, found ${matches.map(([id]) => id).join(', ') || 'none'}`,
    );
  }
  return { id: matches[0][0], resource: matches[0][1] };
}

/** The statements of the customer-managed policy attached to a role (by the role's logical id prefix). */
export function roleStatements(template: Template, rolePrefix: string): Array<Record<string, unknown>> {
  const role = resourceNamed(template, 'AWS::IAM::Role', rolePrefix);
  const policies = Object.values(resources(template)).filter(
    (r) =>
      r.Type === 'AWS::IAM::ManagedPolicy' && JSON.stringify(r.Properties.Roles) === JSON.stringify([{ Ref: role.id }]),
  );
  if (policies.length !== 1) throw new Error(`expected one managed policy on ${role.id}, found ${policies.length}`);
  return (policies[0].Properties.PolicyDocument as { Statement: Array<Record<string, unknown>> }).Statement;
}

/**
 * How a regional stack refers to its region's copy of a wallet key: the Fn::GetStackOutput of the
 * keys stack output whose value is that key's ARN (weak cross-stack reference).
 */
export function keyArnRef(wallet: TestWallet, c: RegionCase, purpose: 'signing' | 'data'): unknown {
  const keysTemplate = wallet.template(c.keysStack).toJSON() as {
    Resources: Record<string, CfnResourceJson>;
    Outputs: Record<string, { Value: unknown }>;
  };
  const keyIds = Object.entries(keysTemplate.Resources)
    .filter(
      ([, r]) =>
        (r.Type === 'AWS::KMS::Key' || r.Type === 'AWS::KMS::ReplicaKey') &&
        (r.Properties.Tags as Array<{ Key: string; Value: string }>).some(
          (t) => t.Key === 'wallet:key-purpose' && t.Value === purpose,
        ),
    )
    .map(([id]) => id);
  if (keyIds.length !== 1) throw new Error(`expected one ${purpose} key in ${c.keysStack}, found ${keyIds}`);
  const outputs = Object.entries(keysTemplate.Outputs).filter(
    ([name, o]) =>
      name.startsWith('PublishOutput') &&
      JSON.stringify(o.Value) === JSON.stringify({ 'Fn::GetAtt': [keyIds[0], 'Arn'] }),
  );
  if (outputs.length !== 1)
    throw new Error(`expected one published ARN output of ${keyIds[0]}, found ${outputs.length}`);
  return { 'Fn::GetStackOutput': { StackName: c.keysStackName, Region: c.region, OutputName: outputs[0][0] } };
}
