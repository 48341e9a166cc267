import {
  CreateAliasCommand,
  CreateGrantCommand,
  CreateKeyCommand,
  KeySpec,
  KMSClient,
  PutKeyPolicyCommand,
  ReplicateKeyCommand,
} from '@aws-sdk/client-kms';
import { walletKeyPolicy } from '../../lib/constructs/key-policy';
import { coldKeyAlias, coldSignerRoleArn } from '../../lib/contract/cold-key';
import { signerRoleArn } from '../../lib/contract/names';
import { evaluatePolicy, Statement } from '../../lib/security/policy-eval';
import { VerifyClients, VerifyEnvironment } from '../../lib/verify/checks';
import { COLD_KEY_READ_ACTIONS, coldKeyPolicyCheck } from '../../lib/verify/cold-key-check';
import { MotoServer, sharedMoto } from '../helpers/moto';

/**
 * The `cold-key-policy` verify check at wire level against moto's KMS: a real secp256k1 multi-region
 * key and replica, each copy carrying the key policy the keys stacks deploy (walletKeyPolicy purpose
 * `cold`), read back with DescribeKey, GetKeyPolicy and ListGrants through the SDK. moto stores key
 * policies without evaluating them (the check evaluates them itself, with lib/security/policy-eval.ts).
 * moto quirks met here: ReplicateKey ignores its Policy (each replica's policy is set with PutKeyPolicy
 * in its region, as CloudFormation does with the replica's own KeyPolicy), and moto lists a grant in
 * every region of the key (real KMS keeps grants per copy), so a grant case asserts the primary's line.
 */
const PRIMARY = 'us-east-2';
const STANDBY = 'us-west-2';
const ACCOUNT = '123456789012';

let moto: MotoServer;
const kms: Record<string, KMSClient> = {};

beforeAll(async () => {
  moto = await sharedMoto();
  for (const region of [PRIMARY, STANDBY]) kms[region] = new KMSClient(moto.clientConfig(region));
});

const envFor = (name: string): VerifyEnvironment => ({
  // Names of their own: the moto server is shared by the whole run.
  envName: `ckv-${process.pid}-${name}`,
  account: ACCOUNT,
  partition: 'aws',
  primary: PRIMARY,
  standby: STANDBY,
  zoneName: 'example.com',
  apiSubdomain: 'api',
  breakGlassRoleArn: `arn:aws:iam::${ACCOUNT}:role/WalletBreakGlass`,
  minCheckerRegions: 3,
  notificationsEmail: 'ops@example.com',
  coldKey: { maxSessionSeconds: 3600, signerPrincipalArns: [`arn:aws:iam::${ACCOUNT}:role/TreasuryOfficers`] },
});

const clientsOf = (): VerifyClients => ({
  kms: (region) => kms[region],
  cloudwatch: () => {
    throw new Error('cold-key-policy calls KMS only');
  },
  sns: () => {
    throw new Error('cold-key-policy calls KMS only');
  },
  dynamodb: () => {
    throw new Error('cold-key-policy calls KMS only');
  },
  route53: undefined as never,
});

type PolicyDoc = { Statement: Array<Statement & { Sid?: string }> };

/** The policy the keys stack (primary) or the keys-replica stack (standby) deploys on the cold key. */
function deployedPolicy(env: VerifyEnvironment, region: string): PolicyDoc {
  return walletKeyPolicy({
    purpose: 'cold',
    partition: env.partition,
    account: env.account,
    region,
    breakGlassRoleArn: env.breakGlassRoleArn,
    allowedReplicaRegions: [region === PRIMARY ? STANDBY : PRIMARY],
    coldSignerRoleArn: coldSignerRoleArn(env.partition, env.account, env.envName),
    coldMaxMfaAgeSeconds: env.coldKey!.maxSessionSeconds,
    publicKeyReaderRoleArns: [env.breakGlassRoleArn],
  }).toJSON() as PolicyDoc;
}

interface Deploy {
  keySpec?: KeySpec;
  replica?: boolean;
  /** Changes the standby copy's policy (the primary keeps the deployed one). */
  standbyPolicy?: (doc: PolicyDoc) => PolicyDoc;
}

/** Creates the cold key as the two keys stacks do: primary + replica, each with its policy, the alias in both. */
async function deploy(env: VerifyEnvironment, o: Deploy = {}): Promise<string> {
  const created = await kms[PRIMARY].send(
    new CreateKeyCommand({
      KeySpec: o.keySpec ?? 'ECC_SECG_P256K1',
      KeyUsage: 'SIGN_VERIFY',
      MultiRegion: true,
      Policy: JSON.stringify(deployedPolicy(env, PRIMARY)),
    }),
  );
  const keyId = created.KeyMetadata!.KeyId!;
  if (o.replica !== false) {
    await kms[PRIMARY].send(new ReplicateKeyCommand({ KeyId: keyId, ReplicaRegion: STANDBY }));
    const standby = deployedPolicy(env, STANDBY);
    await kms[STANDBY].send(
      new PutKeyPolicyCommand({
        KeyId: keyId,
        PolicyName: 'default',
        Policy: JSON.stringify(o.standbyPolicy ? o.standbyPolicy(standby) : standby),
      }),
    );
  }
  const alias = coldKeyAlias(env.envName);
  // moto 5 answers the standby's CreateAlias with AlreadyExists (it shares the alias with the replica);
  // real KMS keeps aliases per region (test/integration/cold-key-runbook.test.ts).
  for (const region of o.replica === false ? [PRIMARY] : [PRIMARY, STANDBY]) {
    await kms[region].send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: keyId })).catch((err: Error) => {
      if (region === PRIMARY || err.name !== 'AlreadyExistsException') throw err;
    });
  }
  return keyId;
}

const check = (env: VerifyEnvironment) =>
  coldKeyPolicyCheck.run({ env, clients: clientsOf(), now: new Date(), tlsEndpoint: undefined as never });
const failures = (details: readonly string[]) => details.filter((d) => d.startsWith('FAIL'));

test('the cold key as deployed passes: spec, both copies, every Sign and CreateGrant probe, no grants', async () => {
  const env = envFor('ok');
  await deploy(env);
  const r = await check(env);
  expect(failures(r.details)).toEqual([]);
  expect(r.ok).toBe(true);
  expect(r.details).toEqual(
    expect.arrayContaining([
      `ok   ${PRIMARY} ${coldKeyAlias(env.envName)}: ECC_SECG_P256K1 / SIGN_VERIFY`,
      `ok   ${STANDBY} ${coldKeyAlias(env.envName)}: multi-region REPLICA, copies in ${PRIMARY}, ${STANDBY}`,
      `ok   ${STANDBY} kms:Sign by ColdSigner with MFA: allow (SignOnlyByColdSignerWithMfa)`,
      `ok   ${STANDBY} kms:Sign by ColdSigner without MFA (long-term credentials): explicit-deny (DenySignWithoutMfa)`,
      `ok   ${PRIMARY} kms:CreateGrant by ${env.breakGlassRoleArn} with MFA: explicit-deny (DenyGrantsExceptForAwsServices)`,
      `ok   ${PRIMARY} grants: none`,
      `ok   ${STANDBY} grants: none`,
    ]),
  );
});

test('fails a copy whose policy lets another principal sign (the standby: each copy has its own policy)', async () => {
  const env = envFor('extra');
  const hot = signerRoleArn(env.partition, env.account, env.envName, STANDBY);
  await deploy(env, {
    standbyPolicy: (doc) => ({
      Statement: [
        ...doc.Statement,
        { Sid: 'AlsoHotSigner', Effect: 'Allow' as const, Principal: { AWS: hot }, Action: 'kms:Sign' },
      ].map((st) =>
        st.Sid === 'DenySignToEveryoneButColdSigner'
          ? {
              ...st,
              Condition: {
                ArnNotEquals: { 'aws:PrincipalArn': [coldSignerRoleArn('aws', ACCOUNT, env.envName), hot] },
              },
            }
          : st,
      ),
    }),
  });
  const r = await check(env);
  expect(r.ok).toBe(false);
  expect(failures(r.details)).toEqual([
    `FAIL ${STANDBY} kms:Sign by ${hot} with MFA: allow (AlsoHotSigner), expected explicit-deny`,
  ]);
});

test('fails a copy without the MFA condition and the MFA denies', async () => {
  const env = envFor('nomfa');
  const signer = coldSignerRoleArn('aws', ACCOUNT, env.envName);
  await deploy(env, {
    standbyPolicy: (doc) => ({
      Statement: doc.Statement.filter((st) => st.Sid !== 'DenySignWithoutMfa').map((st) =>
        st.Sid === 'SignOnlyByColdSignerWithMfa'
          ? { ...st, Condition: { ArnEquals: { 'aws:PrincipalArn': signer } } }
          : st,
      ),
    }),
  });
  const r = await check(env);
  expect(r.ok).toBe(false);
  expect(failures(r.details)).toEqual([
    `FAIL ${STANDBY} kms:Sign by ColdSigner without MFA (long-term credentials): allow (SignOnlyByColdSignerWithMfa), expected explicit-deny`,
    `FAIL ${STANDBY} kms:Sign by ColdSigner with MFA false: allow (SignOnlyByColdSignerWithMfa), expected explicit-deny`,
  ]);
});

test('fails a copy without the explicit deny to everyone but the ColdSigner (an IAM allow could then sign)', async () => {
  const env = envFor('nodeny');
  await deploy(env, {
    standbyPolicy: (doc) => ({ Statement: doc.Statement.filter((st) => st.Sid !== 'DenySignToEveryoneButColdSigner') }),
  });
  const r = await check(env);
  expect(r.ok).toBe(false);
  // Without the deny, the key policy merely does not allow the hot signer (implicit deny: KMS refuses it
  // today). The check requires the explicit deny docs/cold-key.md promises, which no later allow in the
  // key policy can undo.
  expect(failures(r.details)).toContainEqual(
    `FAIL ${STANDBY} kms:Sign by ${signerRoleArn('aws', ACCOUNT, env.envName, PRIMARY)} with MFA: implicit-deny, expected explicit-deny`,
  );
});

test('fails a key with a grant, naming it', async () => {
  const env = envFor('grant');
  const keyId = await deploy(env);
  const grantee = signerRoleArn('aws', ACCOUNT, env.envName, PRIMARY);
  const g = await kms[PRIMARY].send(
    new CreateGrantCommand({ KeyId: keyId, GranteePrincipal: grantee, Operations: ['Sign'] }),
  );
  const r = await check(env);
  expect(r.ok).toBe(false);
  expect(failures(r.details)).toContainEqual(
    `FAIL ${PRIMARY} grants: ${g.GrantId} to ${grantee} (Sign), expected none (revoke with kms revoke-grant as break-glass)`,
  );
});

test('fails a key of another spec (ECC_NIST_P256 signs, but not for an Ethereum address)', async () => {
  const env = envFor('spec');
  await deploy(env, { keySpec: 'ECC_NIST_P256' });
  const r = await check(env);
  expect(failures(r.details)).toEqual([
    `FAIL ${PRIMARY} ${coldKeyAlias(env.envName)}: ECC_NIST_P256 / SIGN_VERIFY, expected ECC_SECG_P256K1 / SIGN_VERIFY`,
    `FAIL ${STANDBY} ${coldKeyAlias(env.envName)}: ECC_NIST_P256 / SIGN_VERIFY, expected ECC_SECG_P256K1 / SIGN_VERIFY`,
  ]);
});

test('fails a multi-region key without its replica in the standby', async () => {
  const env = envFor('norep');
  await deploy(env, { replica: false });
  const r = await check(env);
  expect(r.ok).toBe(false);
  expect(failures(r.details)).toContainEqual(
    `FAIL ${PRIMARY} ${coldKeyAlias(env.envName)}: multi-region PRIMARY, copies in ${PRIMARY}, expected copies in ${PRIMARY} and ${STANDBY}`,
  );
});

test('skips (passes, saying why) where security.coldKey is off: there is no cold key to read', async () => {
  const env: VerifyEnvironment = { ...envFor('off'), coldKey: undefined };
  const r = await coldKeyPolicyCheck.run({
    env,
    clients: clientsOf(),
    now: new Date(),
    tlsEndpoint: undefined as never,
  });
  expect(r).toEqual({ ok: true, details: [expect.stringContaining('security.coldKey is not enabled')] });
});

test('the verify role needs only an IAM allow: the cold key policy delegates its three reads to IAM (and nothing that signs)', () => {
  const env = envFor('iam');
  const verifier = `arn:aws:iam::${ACCOUNT}:role/WalletVerify`;
  for (const region of [PRIMARY, STANDBY]) {
    const doc = deployedPolicy(env, region);
    for (const action of COLD_KEY_READ_ACTIONS) {
      const { decision, statement } = evaluatePolicy(doc, { principalArn: verifier, action });
      expect([action, decision, statement?.Sid]).toEqual([action, 'allow', 'KeyAdministrationThroughIam']);
    }
    expect(evaluatePolicy(doc, { principalArn: verifier, action: 'kms:Sign' }).decision).toBe('explicit-deny');
  }
});
