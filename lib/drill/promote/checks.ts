import { WalletConfig } from '../../config/schema';
import { CheckResult } from '../checks/check';
import { KeyCopy, Read } from './admin';
import { PromotableKey } from './keys';

/**
 * The pre-checks of `wallet-drill promote-keys`, one function each (each with a `fails` case in
 * test/drill/promote-keys.test.ts). Run-level checks see the caller and the experiments; key-level
 * checks see one key's survey: both copies as DescribeKey shows them and, for signing keys, the address
 * of each copy's public key. A failed blocker refuses the whole run before anything is changed.
 */

/** One key as the pre-checks see it, read from both regions before anything changes. */
export interface KeySurvey {
  readonly key: PromotableKey;
  readonly alias: string;
  /** The copy in the primary region (today's primary key). */
  readonly primary: Read<KeyCopy>;
  /** The copy in the standby region (the replica to promote). */
  readonly standby: Read<KeyCopy>;
  /** Address keys: the address of each copy's public key (GetPublicKey). */
  readonly primaryAddress?: Read<string>;
  readonly standbyAddress?: Read<string>;
}

/** What the run does with a key. */
export type KeyAction = 'promote' | 'already-promoted' | 'in-progress' | 'absent';

export interface KeyCheck {
  /** The `CheckResult.id` prefix (`<id>:<key name>`). */
  readonly id: string;
  /** What it proves, for the runbook's table. */
  readonly explanation: string;
  /** Its verdict, or undefined when it does not apply to this key and action. */
  readonly run: (config: WalletConfig, survey: KeySurvey, action: KeyAction) => CheckResult | undefined;
}

const STS_ARN = /^arn:(aws[\w-]*):sts::(\d{12}):assumed-role\/([^/]+)\/(.+)$/;
const IAM_ROLE_ARN = /^arn:(aws[\w-]*):iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/;

/**
 * How to get break-glass credentials, for every refusal. An assumed-role ARN carries the role's name but
 * not its path (arn:aws:sts::<account>:assumed-role/<name>/<session>), so the caller is matched on
 * partition, account and role name.
 */
export function breakGlassHowTo(config: WalletConfig): string {
  const role = config.security.breakGlassRoleArn;
  return (
    `assume the break-glass role ${role} (the only principal the key policies let call kms:UpdatePrimaryRegion): ` +
    `\`aws sts assume-role --role-arn ${role} --role-session-name <your-name>-promote-keys\` and export the three ` +
    `credentials it returns, or use a profile with \`role_arn = ${role}\` (and \`mfa_serial\` if the role requires MFA), ` +
    'then run the command again (docs/runbooks/key-recovery.md, "Break-glass procedure")'
  );
}

/** The caller is a session of the configured break-glass role (STS GetCallerIdentity). */
export function checkBreakGlassCaller(config: WalletConfig, caller: Read<{ arn: string }>): CheckResult {
  const title = 'caller is the break-glass role';
  const base = { id: 'break-glass-caller', title, level: 'blocker' as const };
  if (!caller.ok) {
    return {
      ...base,
      ok: false,
      detail: `could not read the caller identity (STS GetCallerIdentity): ${caller.error}`,
      fix: breakGlassHowTo(config),
    };
  }
  const role = IAM_ROLE_ARN.exec(config.security.breakGlassRoleArn);
  const session = STS_ARN.exec(caller.value.arn);
  const ok =
    role !== null && session !== null && session[1] === role[1] && session[2] === role[2] && session[3] === role[3];
  return {
    ...base,
    ok,
    detail: ok
      ? `${caller.value.arn} is a session of ${config.security.breakGlassRoleArn}`
      : `the caller is ${caller.value.arn || '(no ARN)'}, not a session of the break-glass role ${config.security.breakGlassRoleArn}` +
        (session === null ? ' (not an assumed-role session at all)' : ''),
    fix: ok ? undefined : breakGlassHowTo(config),
  };
}

/**
 * No experiment of this environment is running in either region (AWS FIS: the drill has no lock of its
 * own; a chaos experiment is the one other actor that changes the environment on purpose).
 */
export function checkNoExperimentRunning(regions: readonly string[], running: Read<readonly string[]>): CheckResult {
  return {
    id: 'no-experiment-running',
    title: 'no chaos experiment of this environment is running',
    level: 'blocker',
    ok: running.ok && running.value.length === 0,
    detail: !running.ok
      ? `could not list the FIS experiments, so a running one cannot be ruled out: ${running.error}`
      : running.value.length === 0
        ? `none active in ${regions.join(', ')}`
        : `active: ${running.value.join('; ')}`,
    fix: !running.ok
      ? 'the caller needs fis:ListExperiments and fis:ListExperimentTemplates in both regions; a region that does not answer blocks the run until it does'
      : running.value.length === 0
        ? undefined
        : 'wait for the experiment to end or stop it (aws fis stop-experiment --id <id> --region <region>), then run again',
  };
}

/** The primary region's KMS answers for every key that still needs promotion (UpdatePrimaryRegion is sent there). */
export function checkPrimaryRegionReachable(
  config: WalletConfig,
  surveys: ReadonlyArray<{ survey: KeySurvey; action: KeyAction }>,
): CheckResult | undefined {
  const pending = surveys.filter((s) => s.action === 'promote');
  if (pending.length === 0) return undefined;
  const down = pending.filter((s) => !s.survey.primary.ok && s.survey.primary.failure === 'unreachable');
  const { primary, standby } = config.regions;
  return {
    id: 'primary-region-reachable',
    title: `KMS in the primary region ${primary} answers`,
    level: 'blocker',
    ok: down.length === 0,
    detail:
      down.length === 0
        ? `DescribeKey answered in ${primary} for ${pending.map((s) => s.survey.key.name).join(', ')}`
        : `KMS in ${primary} does not answer (${down.map((s) => `${s.survey.key.name}: ${(s.survey.primary as { error: string }).error}`).join('; ')}). ` +
          `UpdatePrimaryRegion is a call on the CURRENT primary key in ${primary} and needs kms:UpdatePrimaryRegion on both keys ` +
          `(KMS API reference), so no call from ${standby} can promote the replica while ${primary} is down`,
    fix:
      down.length === 0
        ? undefined
        : `nothing to do in KMS until ${primary} answers: the replicas in ${standby} keep signing and decrypting without promotion ` +
          '("A replica key is a fully-functional KMS key that can be used independently of its primary", KMS API reference, ReplicateKey). ' +
          'Fail over (wallet-drill failover) if not done, and run promote-keys again when KMS in the primary region answers (docs/runbooks/key-recovery.md)',
  };
}

const keyTitle = (s: KeySurvey, what: string) => `${s.key.name} key (${s.alias}): ${what}`;

/** Each key is a multi-Region key whose replica is in the standby region, with the same key id in both. */
export const multiRegionWithStandbyReplica: KeyCheck = {
  id: 'multi-region',
  explanation:
    'The key is a multi-Region key (mrk- id) with a copy in the standby region and the same key id in both regions, so the standby copy is a replica of this key and can become its primary.',
  run: (config, s, action) => {
    if (action === 'absent') return undefined;
    const { standby, primary } = config.regions;
    const problems: string[] = [];
    if (!s.standby.ok) {
      problems.push(`DescribeKey of ${s.alias} in ${standby} failed: ${s.standby.error}`);
    } else {
      const c = s.standby.value;
      if (!c.multiRegion || !c.keyId.startsWith('mrk-')) {
        problems.push(`${s.alias} in ${standby} is ${c.keyId}, a single-Region key (no replica can be promoted)`);
      } else if (action === 'promote' && c.type !== 'REPLICA') {
        problems.push(`${s.alias} in ${standby} is a ${c.type ?? 'unknown'} key, not a replica`);
      } else if (action === 'promote' && c.primaryRegion !== primary) {
        problems.push(`the primary of ${c.keyId} is in ${c.primaryRegion ?? 'an unknown region'}, not in ${primary}`);
      }
      if (s.primary.ok && s.primary.value.keyId !== c.keyId) {
        problems.push(
          `${s.alias} names ${s.primary.value.keyId} in ${primary} but ${c.keyId} in ${standby}: the aliases point at different keys`,
        );
      }
    }
    if (action === 'promote' && s.primary.ok && !s.primary.value.replicaRegions.includes(standby)) {
      problems.push(
        `the primary key in ${primary} lists replicas in [${s.primary.value.replicaRegions.join(', ')}], not ${standby}`,
      );
    }
    return {
      id: `multi-region:${s.key.name}`,
      title: keyTitle(s, `multi-Region with its replica in ${standby}`),
      level: s.key.required || s.standby.ok ? 'blocker' : 'warning',
      ok: problems.length === 0,
      detail:
        problems.length === 0 && s.standby.ok
          ? `${s.standby.value.keyId}: ${s.standby.value.type} in ${standby}, primary in ${s.standby.value.primaryRegion}`
          : problems.join('; '),
      fix:
        problems.length === 0
          ? undefined
          : `deploy the keys stacks for this config (the replica comes from ${config.envName}-wallet-keys-replica), or check --config`,
    };
  },
};

/** The replica in the standby region is Enabled (KMS: both keys must be Enabled when the update starts). */
export const replicaEnabled: KeyCheck = {
  id: 'replica-enabled',
  explanation:
    'The standby copy is Enabled: UpdatePrimaryRegion needs "Both the primary key and the replica key ... in the Enabled key state when the operation starts" (KMS developer guide).',
  run: (config, s, action) => {
    if (action !== 'promote' || !s.standby.ok) return undefined;
    const c = s.standby.value;
    const ok = c.enabled && c.keyState === 'Enabled';
    return {
      id: `replica-enabled:${s.key.name}`,
      title: keyTitle(s, `replica in ${config.regions.standby} Enabled`),
      level: 'blocker',
      ok,
      detail: `${c.keyId} in ${c.region}: ${c.keyState}${c.enabled ? '' : ' (disabled)'}`,
      fix: ok
        ? undefined
        : `enable the replica first (break-glass: aws kms enable-key --key-id ${c.keyId} --region ${c.region}), or cancel its deletion if it is PendingDeletion`,
    };
  },
};

/** The primary key is Enabled too (the same KMS rule, read in the primary region). */
export const primaryEnabled: KeyCheck = {
  id: 'primary-enabled',
  explanation: 'The primary copy is Enabled, the other half of the same KMS rule.',
  run: (config, s, action) => {
    if (action !== 'promote' || !s.primary.ok) return undefined;
    const c = s.primary.value;
    const ok = c.enabled && c.keyState === 'Enabled';
    return {
      id: `primary-enabled:${s.key.name}`,
      title: keyTitle(s, `primary in ${config.regions.primary} Enabled`),
      level: 'blocker',
      ok,
      detail: `${c.keyId} in ${c.region}: ${c.keyState}${c.enabled ? '' : ' (disabled)'}`,
      fix: ok
        ? undefined
        : `enable the primary first (break-glass: aws kms enable-key --key-id ${c.keyId} --region ${c.region}); KMS refuses UpdatePrimaryRegion otherwise`,
    };
  },
};

/**
 * Both copies are the same key: for signing keys the address of each copy's public key, for the
 * others the key id and key spec.
 */
export const sameKeyMaterial: KeyCheck = {
  id: 'same-address',
  explanation:
    'Signing keys: the public keys of the primary and the replica give the same Ethereum address, so the wallet keeps its address after promotion. Other keys: the same key id and key spec in both regions.',
  run: (config, s, action) => {
    if (action !== 'promote') return undefined;
    const { primary, standby } = config.regions;
    if (!s.key.address) {
      if (!s.primary.ok || !s.standby.ok) return undefined;
      const ok = s.primary.value.keyId === s.standby.value.keyId && s.primary.value.keySpec === s.standby.value.keySpec;
      return {
        id: `same-address:${s.key.name}`,
        title: keyTitle(s, 'the same key in both regions'),
        level: 'blocker',
        ok,
        detail: `${primary}: ${s.primary.value.keyId} ${s.primary.value.keySpec}; ${standby}: ${s.standby.value.keyId} ${s.standby.value.keySpec}`,
        fix: ok ? undefined : 'the aliases name different keys: check the keys stacks of both regions',
      };
    }
    const a = s.primaryAddress;
    const b = s.standbyAddress;
    // A primary region that does not answer is primary-region-reachable's refusal, not a second one here.
    if (!s.primary.ok && s.primary.failure === 'unreachable') return undefined;
    const ok = a?.ok === true && b?.ok === true && a.value === b.value;
    const show = (r: Read<string> | undefined) =>
      r === undefined ? 'not read' : r.ok ? r.value : `unreadable (${r.error})`;
    return {
      id: `same-address:${s.key.name}`,
      title: keyTitle(s, 'the same address in both regions'),
      level: 'blocker',
      ok,
      detail: `${primary}: ${show(a)}; ${standby}: ${show(b)}`,
      fix: ok
        ? undefined
        : a?.ok === true && b?.ok === true
          ? 'the two copies are not the same key: do not promote; check what the aliases point at'
          : 'the break-glass role needs kms:GetPublicKey on the signing key in both regions (the keys stacks name it as a public-key reader); check its IAM policy',
    };
  },
};

/** Already promoted: nothing to do for this key (a second run is a no-op). */
export const notAlreadyPromoted: KeyCheck = {
  id: 'not-promoted',
  explanation:
    'The standby copy is not already the primary; if it is, the key is skipped (a second run reports nothing to do and exits 0).',
  run: (config, s, action) => {
    if (action !== 'already-promoted' && action !== 'promote' && action !== 'in-progress') return undefined;
    const c = s.standby.ok ? s.standby.value : undefined;
    return {
      id: `not-promoted:${s.key.name}`,
      title: keyTitle(s, 'not yet promoted'),
      level: 'warning',
      ok: action !== 'already-promoted',
      detail:
        action === 'already-promoted'
          ? `already the primary in ${config.regions.standby} (${c?.keyId}): nothing to do`
          : action === 'in-progress'
            ? `an update of the primary Region is in progress (${c?.keyId} is ${c?.keyState}): waiting for it, no new request`
            : `${c?.keyId} in ${config.regions.standby} is a replica of the primary in ${c?.primaryRegion}`,
    };
  },
};

/** The key-level checks in order. */
export const KEY_CHECKS: readonly KeyCheck[] = [
  multiRegionWithStandbyReplica,
  replicaEnabled,
  primaryEnabled,
  sameKeyMaterial,
  notAlreadyPromoted,
];

const isPrimaryIn = (c: KeyCopy, region: string) =>
  c.type === 'PRIMARY' && c.primaryRegion === region && c.enabled && c.keyState === 'Enabled';

/** What to do with a key, from its survey. */
export function keyAction(config: WalletConfig, s: KeySurvey): KeyAction {
  const notFound = (r: Read<KeyCopy>) => !r.ok && r.failure === 'not-found';
  if (
    !s.key.required &&
    notFound(s.standby) &&
    (notFound(s.primary) || (!s.primary.ok && s.primary.failure === 'unreachable'))
  )
    return 'absent';
  if (s.standby.ok && isPrimaryIn(s.standby.value, config.regions.standby)) return 'already-promoted';
  if (s.standby.ok && s.standby.value.keyState === 'Updating') return 'in-progress';
  return 'promote';
}

/** The standby copy is the primary now, Enabled (the end of the asynchronous update). */
export const promotedIn = (c: KeyCopy, region: string): boolean => isPrimaryIn(c, region);
