import { keyPolicySummaries, renderReview } from '../../lib/security/review';

/** The security review's key-policy section (lib/security/review.ts): the keys that sign, in full. */
const key = (purpose: string, statements: unknown[], type = 'AWS::KMS::Key') => ({
  Type: type,
  Properties: {
    Tags: [{ Key: 'wallet:key-purpose', Value: purpose }],
    KeyPolicy: { Version: '2012-10-17', Statement: statements },
  },
});
const templates = [
  {
    stack: 'example-wallet-keys',
    template: {
      Resources: {
        SigningKey1: key('signing', [
          { Sid: 'SignOnlyByNamedSignerRoles', Effect: 'Allow', Action: 'kms:Sign', Principal: { AWS: 'root' } },
        ]),
        ColdKey1: key('cold', [
          {
            Sid: 'DenySignWithoutMfa',
            Effect: 'Deny',
            Action: ['kms:Sign'],
            Principal: { AWS: '*' },
            Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } },
          },
        ]),
        DataKey1: key('data', [{ Sid: 'Data', Effect: 'Allow', Action: 'kms:Decrypt', Principal: { AWS: 'root' } }]),
        Queue: { Type: 'AWS::SQS::Queue', Properties: {} },
        ColdRole: {
          Type: 'AWS::IAM::Role',
          Properties: {
            RoleName: 'example-wallet-cold-signer',
            AssumeRolePolicyDocument: {
              Statement: [
                {
                  Effect: 'Allow',
                  Action: 'sts:AssumeRole',
                  Principal: { AWS: 'arn:aws:iam::111111111111:role/TreasuryOfficers' },
                  Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } },
                },
              ],
            },
          },
        },
        OtherRole: {
          Type: 'AWS::IAM::Role',
          Properties: { RoleName: 'example-wallet-api-role', AssumeRolePolicyDocument: { Statement: [] } },
        },
      },
    },
  },
];

test('lists every copy of the hot and the cold key, statement by statement, and no other key', () => {
  const summaries = keyPolicySummaries(templates);
  expect(summaries.map((k) => [k.purpose, k.logicalId, k.type])).toEqual([
    ['cold', 'ColdKey1', 'AWS::KMS::Key'],
    ['cold', 'ColdRole', 'AWS::IAM::Role trust policy'],
    ['signing', 'SigningKey1', 'AWS::KMS::Key'],
  ]);
  expect(summaries[1].statements[0]).toMatchObject({
    actions: 'sts:AssumeRole',
    condition: '{"Bool":{"aws:MultiFactorAuthPresent":"true"}}',
  });
  expect(summaries[0].statements).toEqual([
    {
      sid: 'DenySignWithoutMfa',
      effect: 'Deny',
      actions: 'kms:Sign',
      principal: '{"AWS":"*"}',
      condition: '{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}',
    },
  ]);
});

test('renders the section only when there are key policies', () => {
  const base = { generatedFrom: '`x.json`', packs: [], acknowledgements: [] };
  expect(renderReview(base)).not.toContain('Key policies');
  const page = renderReview({ ...base, keyPolicies: keyPolicySummaries(templates) });
  expect(page).toContain('## Key policies of the keys that sign');
  expect(page).toContain('### cold: `example-wallet-keys/ColdKey1` (AWS::KMS::Key)');
  expect(page).toContain(
    '| DenySignWithoutMfa | Deny | kms:Sign | `{"AWS":"*"}` | `{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}` |',
  );
  expect(page).not.toContain('DataKey1');
});
