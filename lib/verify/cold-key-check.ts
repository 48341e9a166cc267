import {
  DescribeKeyCommand,
  GetKeyPolicyCommand,
  GrantListEntry,
  KeyMetadata,
  KMSClient,
  ListGrantsCommand,
} from '@aws-sdk/client-kms';
import { coldKeyAlias, coldSignerRoleArn } from '../contract/cold-key';
import { healthRoleArn, remediationRoleArn, signerRoleArn } from '../contract/names';
import { Decision, evaluatePolicy, Statement } from '../security/policy-eval';
import type { CheckOutcome, VerifyCheck, VerifyContext } from './checks';

/**
 * `cold-key-policy` (issue 21, docs/cold-key.md): the deployed cold key, read back with three read-only
 * calls per region, is what the templates promise. Where `security.coldKey` is off there is no cold key
 * (the cold signer is external) and the check says so.
 *
 * - DescribeKey (by alias): `ECC_SECG_P256K1` / `SIGN_VERIFY`, multi-region, the same `mrk-` id in both
 *   regions, and a multi-region set that holds both regions (the replica is present).
 * - GetKeyPolicy (by key ARN: "Specify the key ID or key ARN of the KMS key", GetKeyPolicy, KMS API
 *   Reference; an alias is not accepted): evaluated request by request with lib/security/policy-eval.ts.
 *   kms:Sign is allowed to the ColdSigner role in an MFA session, and explicitly denied to it without MFA
 *   (long-term credentials carry no MFA key), with MFA `false`, with an MFA older than
 *   `maxSessionSeconds`; explicitly denied to every other principal even with MFA (the hot signers,
 *   remediation, health, break-glass, the officers themselves, the root, any other role, a service);
 *   kms:CreateGrant explicitly denied to all. Each copy has its own policy ("Each multi-Region key is an
 *   independent resource with a unique key ARN and key policy", KMS Developer Guide, "Control access to
 *   multi-Region keys"), so both are read.
 * - ListGrants (by key ARN, every page): no grant at all; a grant is a second way to sign that the key
 *   policy does not show.
 *
 * Who may read: the three actions are in the key policy's `KeyAdministrationThroughIam` statement (the
 * account root, lib/constructs/key-policy.ts `KEY_ADMIN_ACTIONS`), so an IAM allow on the verify role
 * is enough on real AWS ("Required permissions: kms:ListGrants (key policy)": the key policy must
 * delegate to IAM, and it does; test/verify/cold-key-check.test.ts evaluates that).
 */
export const COLD_KEY_CHECK_ID = 'cold-key-policy';

/** The read-only KMS actions the check calls (the verify role needs them; the key policy delegates them to IAM). */
export const COLD_KEY_READ_ACTIONS = ['kms:DescribeKey', 'kms:GetKeyPolicy', 'kms:ListGrants'] as const;

export const COLD_KEY_SPEC = { keySpec: 'ECC_SECG_P256K1', keyUsage: 'SIGN_VERIFY' } as const;

/** An MFA session a few minutes old: the request the ColdSigner makes when it signs a top-up. */
const MFA_SESSION = { 'aws:MultiFactorAuthPresent': 'true', 'aws:MultiFactorAuthAge': '300' };

type Line = [boolean, string];

const outcome = (lines: Line[]): CheckOutcome => ({
  ok: lines.every(([ok]) => ok),
  details: lines.map(([ok, line]) => `${ok ? 'ok  ' : 'FAIL'} ${line}`),
});

interface Probe {
  readonly label: string;
  readonly principalArn?: string;
  readonly service?: string;
  readonly action: 'kms:Sign' | 'kms:CreateGrant';
  readonly context?: Record<string, string>;
  readonly expect: Decision;
}

/** The requests every cold key copy's policy must answer as expected. */
export function coldKeyProbes(ctx: Pick<VerifyContext, 'env'>): Probe[] {
  const { env } = ctx;
  const cold = env.coldKey;
  if (cold === undefined) return [];
  const signer = coldSignerRoleArn(env.partition, env.account, env.envName);
  const regions = [env.primary, env.standby];
  const stale = String(cold.maxSessionSeconds + 1);
  const others = [
    ...regions.map((r) => signerRoleArn(env.partition, env.account, env.envName, r)),
    ...regions.map((r) => remediationRoleArn(env.partition, env.account, env.envName, r)),
    ...regions.map((r) => healthRoleArn(env.partition, env.account, env.envName, r)),
    env.breakGlassRoleArn,
    ...cold.signerPrincipalArns,
    `arn:${env.partition}:iam::${env.account}:role/any-other-role`,
    `arn:${env.partition}:iam::${env.account}:root`,
  ];
  return [
    { label: 'ColdSigner with MFA', principalArn: signer, action: 'kms:Sign', context: MFA_SESSION, expect: 'allow' },
    {
      label: 'ColdSigner without MFA (long-term credentials)',
      principalArn: signer,
      action: 'kms:Sign',
      expect: 'explicit-deny',
    },
    {
      label: 'ColdSigner with MFA false',
      principalArn: signer,
      action: 'kms:Sign',
      context: { 'aws:MultiFactorAuthPresent': 'false' },
      expect: 'explicit-deny',
    },
    {
      label: `ColdSigner with an MFA ${stale} s old (maxSessionSeconds ${cold.maxSessionSeconds})`,
      principalArn: signer,
      action: 'kms:Sign',
      context: { ...MFA_SESSION, 'aws:MultiFactorAuthAge': stale },
      expect: 'explicit-deny',
    },
    ...[...new Set(others)].map((principalArn): Probe => ({
      label: `${principalArn} with MFA`,
      principalArn,
      action: 'kms:Sign',
      context: MFA_SESSION,
      expect: 'explicit-deny',
    })),
    {
      label: 'service lambda.amazonaws.com',
      service: 'lambda.amazonaws.com',
      action: 'kms:Sign',
      expect: 'explicit-deny',
    },
    ...[signer, env.breakGlassRoleArn, `arn:${env.partition}:iam::${env.account}:root`].map((principalArn): Probe => ({
      label: `${principalArn} with MFA`,
      principalArn,
      action: 'kms:CreateGrant',
      context: MFA_SESSION,
      expect: 'explicit-deny',
    })),
  ];
}

async function allGrants(kms: KMSClient, keyId: string): Promise<GrantListEntry[]> {
  const grants: GrantListEntry[] = [];
  let marker: string | undefined;
  do {
    const page = await kms.send(new ListGrantsCommand({ KeyId: keyId, Marker: marker }));
    grants.push(...(page.Grants ?? []));
    marker = page.Truncated === true ? page.NextMarker : undefined;
  } while (marker !== undefined);
  return grants;
}

async function describe(kms: KMSClient, alias: string): Promise<KeyMetadata | undefined> {
  try {
    return (await kms.send(new DescribeKeyCommand({ KeyId: alias }))).KeyMetadata;
  } catch (err) {
    if ((err as Error).name === 'NotFoundException') return undefined;
    throw err;
  }
}

const multiRegionSet = (m: KeyMetadata): string[] => {
  const c = m.MultiRegionConfiguration;
  return [
    ...new Set([c?.PrimaryKey?.Region, ...(c?.ReplicaKeys ?? []).map((k) => k.Region)].filter((r) => r !== undefined)),
  ] as string[];
};

export const coldKeyPolicyCheck: VerifyCheck = {
  id: COLD_KEY_CHECK_ID,
  title:
    'the cold key (security.coldKey): secp256k1 multi-region in both regions, Sign only to the ColdSigner with MFA, the explicit denies, no grants',
  doc: 'https://docs.aws.amazon.com/kms/latest/developerguide/multi-region-keys-auth.html',
  run: async ({ env, clients }) => {
    if (env.coldKey === undefined) {
      return {
        ok: true,
        details: ['skip security.coldKey is not enabled: no cold KMS key (the cold signer is external)'],
      };
    }
    const alias = coldKeyAlias(env.envName);
    const regions = [env.primary, env.standby];
    const lines: Line[] = [];
    const found: Record<string, KeyMetadata> = {};
    for (const region of regions) {
      const meta = await describe(clients.kms(region), alias);
      if (meta === undefined) {
        lines.push([
          false,
          `${region} ${alias}: not found (DescribeKey NotFoundException): the cold key copy is missing`,
        ]);
        continue;
      }
      found[region] = meta;
      const specOk = meta.KeySpec === COLD_KEY_SPEC.keySpec && meta.KeyUsage === COLD_KEY_SPEC.keyUsage;
      lines.push([
        specOk,
        `${region} ${alias}: ${meta.KeySpec} / ${meta.KeyUsage}${specOk ? '' : `, expected ${COLD_KEY_SPEC.keySpec} / ${COLD_KEY_SPEC.keyUsage}`}`,
      ]);
      const set = multiRegionSet(meta);
      const complete = meta.MultiRegion === true && regions.every((r) => set.includes(r));
      lines.push([
        complete,
        `${region} ${alias}: ${meta.MultiRegion === true ? `multi-region ${meta.MultiRegionConfiguration?.MultiRegionKeyType ?? '?'}, copies in ${set.join(', ') || 'none'}` : 'NOT multi-region'}${complete ? '' : `, expected copies in ${regions.join(' and ')}`}`,
      ]);
    }
    const ids = [...new Set(Object.values(found).map((m) => m.KeyId))];
    if (Object.keys(found).length === regions.length) {
      lines.push([ids.length === 1, `same key in both regions: ${ids.join(' vs ')}`]);
    }
    const probes = coldKeyProbes({ env });
    for (const [region, meta] of Object.entries(found)) {
      const kms = clients.kms(region);
      const keyId = meta.Arn ?? (meta.KeyId as string);
      const raw = (await kms.send(new GetKeyPolicyCommand({ KeyId: keyId, PolicyName: 'default' }))).Policy;
      const policy = JSON.parse(raw ?? '{"Statement":[]}') as { Statement: Statement[] };
      for (const p of probes) {
        const { decision, statement } = evaluatePolicy(policy, {
          principalArn: p.principalArn,
          service: p.service,
          action: p.action,
          context: p.context,
        });
        lines.push([
          decision === p.expect,
          `${region} ${p.action} by ${p.label}: ${decision}${statement?.Sid ? ` (${statement.Sid})` : ''}${decision === p.expect ? '' : `, expected ${p.expect}`}`,
        ]);
      }
      const grants = await allGrants(kms, keyId);
      lines.push([
        grants.length === 0,
        `${region} grants: ${grants.length === 0 ? 'none' : grants.map((g) => `${g.GrantId ?? '?'} to ${g.GranteePrincipal ?? '?'} (${(g.Operations ?? []).join(', ')})`).join('; ')}${grants.length === 0 ? '' : ', expected none (revoke with kms revoke-grant as break-glass)'}`,
      ]);
    }
    return outcome(lines);
  },
};
