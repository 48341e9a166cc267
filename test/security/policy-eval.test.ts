import { evaluateKeyPolicy, KeyRequest, Statement } from '../../lib/security/policy-eval';

/**
 * The condition operators the cold key's policies rely on (issue 21): the MFA checks are only as good
 * as the evaluator that tests them, so each operator has a case on each side of its boundary and for
 * an absent key.
 */
const ROLE = 'arn:aws:iam::111111111111:role/example-wallet-cold-signer';
const policyWith = (effect: 'Allow' | 'Deny', condition: Statement['Condition']) => ({
  Statement: [
    ...(effect === 'Deny'
      ? [{ Effect: 'Allow' as const, Principal: { AWS: 'arn:aws:iam::111111111111:root' }, Action: 'kms:Sign' }]
      : []),
    { Effect: effect, Principal: '*' as const, Action: 'kms:Sign', Condition: condition },
  ],
});
const sign = (context?: Record<string, string>): KeyRequest => ({ principalArn: ROLE, action: 'kms:Sign', context });

describe('policy-eval condition operators', () => {
  test.each<[string, Record<string, string> | undefined, string]>([
    ['age above the bound is denied', { 'aws:MultiFactorAuthAge': '3601' }, 'explicit-deny'],
    ['age at the bound is not', { 'aws:MultiFactorAuthAge': '3600' }, 'allow'],
    ['age below the bound is not', { 'aws:MultiFactorAuthAge': '5' }, 'allow'],
    ['an absent key does not match NumericGreaterThan', undefined, 'allow'],
  ])('NumericGreaterThan (Deny when aws:MultiFactorAuthAge > 3600): %s', (_name, context, expected) => {
    const policy = policyWith('Deny', { NumericGreaterThan: { 'aws:MultiFactorAuthAge': '3600' } });
    expect(evaluateKeyPolicy(policy, sign(context))).toBe(expected);
  });

  test.each<[string, Record<string, string> | undefined, string]>([
    ['below the bound allows', { 'aws:MultiFactorAuthAge': '3599' }, 'allow'],
    ['at the bound does not', { 'aws:MultiFactorAuthAge': '3600' }, 'implicit-deny'],
    ['an absent key does not', undefined, 'implicit-deny'],
  ])('NumericLessThan (Allow when aws:MultiFactorAuthAge < 3600): %s', (_name, context, expected) => {
    const policy = policyWith('Allow', { NumericLessThan: { 'aws:MultiFactorAuthAge': '3600' } });
    expect(evaluateKeyPolicy(policy, sign(context))).toBe(expected);
  });

  test.each<[string, Record<string, string> | undefined, string, string]>([
    ['BoolIfExists false denies MFA false', { 'aws:MultiFactorAuthPresent': 'false' }, 'BoolIfExists', 'explicit-deny'],
    ['BoolIfExists false denies an absent key (long-term credentials)', undefined, 'BoolIfExists', 'explicit-deny'],
    ['BoolIfExists false lets MFA true through', { 'aws:MultiFactorAuthPresent': 'true' }, 'BoolIfExists', 'allow'],
    ['Bool false denies MFA false', { 'aws:MultiFactorAuthPresent': 'false' }, 'Bool', 'explicit-deny'],
    ['Bool false does NOT deny an absent key (why the cold key uses BoolIfExists)', undefined, 'Bool', 'allow'],
  ])('%s', (_name, context, operator, expected) => {
    const policy = policyWith('Deny', { [operator]: { 'aws:MultiFactorAuthPresent': 'false' } });
    expect(evaluateKeyPolicy(policy, sign(context))).toBe(expected);
  });

  test('fails loudly on an operator it does not model', () => {
    const policy = policyWith('Allow', { NumericGreaterThanEquals: { 'aws:MultiFactorAuthAge': '1' } });
    expect(() => evaluateKeyPolicy(policy, sign({ 'aws:MultiFactorAuthAge': '2' }))).toThrow(
      /condition operator NumericGreaterThanEquals is not modelled/,
    );
  });
});
