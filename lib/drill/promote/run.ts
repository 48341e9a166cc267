import { WalletConfig } from '../../config/schema';
import { addressFromSpki } from '../address';
import { CheckResult } from '../checks/check';
import { Clock } from '../clock';
import { EXIT } from '../exit-codes';
import { KeyAdmin, Read } from './admin';
import {
  checkBreakGlassCaller,
  checkNoExperimentRunning,
  checkPrimaryRegionReachable,
  KEY_CHECKS,
  KeyAction,
  keyAction,
  KeySurvey,
  promotedIn,
} from './checks';
import { PROMOTABLE_KEYS, PromotableKey } from './keys';

/**
 * `wallet-drill promote-keys`: make the standby region's replica of every wallet multi-Region key its
 * primary (kms:UpdatePrimaryRegion), for a primary region lost for days. Dry run by default: the survey,
 * the pre-checks and the plan, nothing changed. With `execute`, one request per key, sent to the current
 * primary's region, then a bounded wait until DescribeKey in the standby shows it PRIMARY and Enabled,
 * then the address re-derived from GetPublicKey in the new primary region.
 *
 * A request whose response is lost (or that KMS refuses because the update already runs) is not
 * repeated blindly: the keys are read again, and an update that is running or done counts as sent.
 */

export type PromotionOutcome =
  'planned' | 'refused' | 'nothing-to-do' | 'promoted' | 'failed' | 'timed-out' | 'interrupted' | 'cancelled';

export interface KeyOutcome {
  readonly name: string;
  readonly alias: string;
  readonly keyId?: string;
  readonly action: KeyAction | 'blocked';
  /** How the UpdatePrimaryRegion request went (execute only). */
  request?: 'sent' | 'response-lost-but-applied' | 'already-in-progress' | 'failed' | 'not-sent';
  /** The address before (both copies agreed, pre-check) and from GetPublicKey in the new primary region after. */
  addressBefore?: string;
  addressAfter?: string;
  sameAddress?: boolean;
  requestedAt?: string;
  promotedAt?: string;
  /** Seconds from the request (or the start of the wait) until DescribeKey showed the new primary. */
  waitSeconds?: number;
  /** The old primary's copy after the update, as DescribeKey in the primary region shows it. */
  oldPrimaryNow?: string;
  error?: string;
}

export interface PromotionRecord {
  readonly kind: 'promote-keys';
  readonly id: string;
  readonly envName: string;
  readonly target: 'aws' | 'simulated';
  readonly scenario?: string;
  readonly caller?: string;
  readonly fromRegion: string;
  readonly toRegion: string;
  readonly execute: boolean;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly outcome: PromotionOutcome;
  readonly passed: boolean;
  readonly exitCode: number;
  readonly message: string;
  readonly checks: readonly CheckResult[];
  readonly keys: readonly KeyOutcome[];
  /** The requests the run makes (or made), in order: the plan a dry run prints. */
  readonly plan: readonly string[];
  /** What a person must do next (a partial run, a timeout, an interrupt). */
  readonly manualSteps: readonly string[];
  readonly calls: ReadonlyArray<{ service: string; region: string; command: string; kind: string }>;
}

export interface PromoteOptions {
  readonly config: WalletConfig;
  readonly admin: KeyAdmin;
  readonly clock: Clock;
  readonly target: 'aws' | 'simulated';
  readonly scenario?: string;
  readonly execute: boolean;
  /** The running experiments of this environment (FIS), or why they could not be listed. */
  readonly experiments: () => Promise<Read<readonly string[]>>;
  /** @default PROMOTABLE_KEYS */
  readonly keys?: readonly PromotableKey[];
  /** Bound on the wait for each key's new primary. @default 120 */
  readonly timeoutSeconds?: number;
  /** @default 2 */
  readonly pollSeconds?: number;
  /** Ctrl-C: no further request is sent and the wait stops. */
  readonly signal?: AbortSignal;
  /** Asked once after the pre-checks pass (no --yes); false cancels. */
  readonly confirm?: (plan: readonly KeyOutcome[]) => Promise<boolean>;
  readonly onProgress?: (line: string) => void;
}

const iso = (ms: number) => new Date(ms).toISOString();

async function addressOf(admin: KeyAdmin, region: string, keyId: string): Promise<Read<string>> {
  const pk = await admin.publicKey(region, keyId);
  if (!pk.ok) return pk;
  try {
    return { ok: true, value: addressFromSpki(pk.value).toLowerCase() };
  } catch (err) {
    return { ok: false, failure: 'error', error: (err as Error).message };
  }
}

/** Reads one key in both regions (and its addresses), before anything changes. */
export async function surveyKey(config: WalletConfig, admin: KeyAdmin, key: PromotableKey): Promise<KeySurvey> {
  const alias = key.alias(config.envName);
  const { primary: p, standby: s } = config.regions;
  const standby = await admin.describeKey(s, alias);
  const primary = await admin.describeKey(p, alias);
  if (!key.address) return { key, alias, primary, standby };
  return {
    key,
    alias,
    primary,
    standby,
    standbyAddress: standby.ok ? await addressOf(admin, s, alias) : undefined,
    primaryAddress: primary.ok ? await addressOf(admin, p, alias) : undefined,
  };
}

export async function runPromotion(o: PromoteOptions): Promise<PromotionRecord> {
  const { config, admin, clock } = o;
  const { primary, standby } = config.regions;
  const startedMs = clock.now();
  const progress = o.onProgress ?? (() => undefined);
  const timeoutMs = (o.timeoutSeconds ?? 120) * 1000;
  const pollMs = (o.pollSeconds ?? 2) * 1000;

  const caller = await admin.callerArn();
  const callerCheck = checkBreakGlassCaller(config, caller);
  const checks: CheckResult[] = [callerCheck];
  const outcomes: KeyOutcome[] = [];
  const manualSteps: string[] = [];
  const plan: string[] = [];

  const finish = (outcome: PromotionOutcome, exitCode: number, message: string): PromotionRecord => ({
    kind: 'promote-keys',
    id: `${config.envName}-promote-keys-${iso(startedMs).replace(/[:.]/g, '-')}`,
    envName: config.envName,
    target: o.target,
    ...(o.scenario === undefined ? {} : { scenario: o.scenario }),
    ...(caller.ok ? { caller: caller.value.arn } : {}),
    fromRegion: primary,
    toRegion: standby,
    execute: o.execute,
    startedAt: iso(startedMs),
    finishedAt: iso(clock.now()),
    outcome,
    passed: exitCode === EXIT.ok,
    exitCode,
    message,
    checks,
    keys: outcomes,
    plan,
    manualSteps,
    calls: admin.calls.map((c) => ({ service: c.service, region: c.region, command: c.command, kind: c.kind })),
  });

  // Without break-glass credentials nothing else is read: the refusal says what is needed.
  if (!callerCheck.ok) {
    return finish('refused', EXIT.checkFailed, `refused: ${callerCheck.detail}`);
  }

  const surveys: Array<{ survey: KeySurvey; action: KeyAction }> = [];
  for (const key of o.keys ?? PROMOTABLE_KEYS) {
    const survey = await surveyKey(config, admin, key);
    surveys.push({ survey, action: keyAction(config, survey) });
  }
  // A chaos experiment matters only when something is about to change (a second run with the old
  // primary region down still reports nothing to do).
  if (surveys.some((s) => s.action === 'promote' || s.action === 'in-progress')) {
    checks.push(checkNoExperimentRunning([primary, standby], await o.experiments()));
  }
  const reach = checkPrimaryRegionReachable(config, surveys);
  if (reach !== undefined) checks.push(reach);
  for (const { survey, action } of surveys) {
    const own = KEY_CHECKS.map((c) => c.run(config, survey, action)).filter((r): r is CheckResult => r !== undefined);
    checks.push(...own);
    const blocked = own.some((c) => !c.ok && c.level === 'blocker');
    const copy = survey.standby.ok ? survey.standby.value : survey.primary.ok ? survey.primary.value : undefined;
    const address = survey.standbyAddress?.ok ? survey.standbyAddress.value : undefined;
    outcomes.push({
      name: survey.key.name,
      alias: survey.alias,
      ...(copy === undefined ? {} : { keyId: copy.keyId }),
      action: blocked ? 'blocked' : action,
      ...(address === undefined ? {} : { addressBefore: address }),
    });
  }

  const blockers = checks.filter((c) => !c.ok && c.level === 'blocker');
  if (blockers.length > 0) {
    return finish(
      'refused',
      EXIT.checkFailed,
      `refused by ${blockers.length} pre-check(s): ${blockers.map((c) => c.id).join(', ')}; nothing was changed`,
    );
  }
  const work = outcomes.filter((k) => k.action === 'promote' || k.action === 'in-progress');
  for (const k of work) {
    plan.push(
      (k.action === 'in-progress'
        ? `${k.name}: an update is already running for ${k.keyId}: no request; `
        : `${k.name}: kms:UpdatePrimaryRegion KeyId=${k.keyId} PrimaryRegion=${standby}, sent to ${primary} (the current primary); `) +
        `wait until DescribeKey in ${standby} shows PRIMARY and Enabled (at most ${timeoutMs / 1000} s)` +
        (k.addressBefore === undefined ? '' : `; GetPublicKey in ${standby}: the address must stay ${k.addressBefore}`),
    );
  }
  if (work.length === 0) {
    return finish(
      'nothing-to-do',
      EXIT.ok,
      `nothing to do: every key is already primary in ${standby} (${outcomes.map((k) => `${k.name}: ${k.action}`).join(', ')})`,
    );
  }
  if (!o.execute) {
    return finish(
      'planned',
      EXIT.ok,
      `dry run: ${work.length} key(s) would be promoted to ${standby} (${work.map((k) => k.name).join(', ')}); add --execute to act`,
    );
  }
  if (o.confirm !== undefined && !(await o.confirm(work))) {
    return finish('cancelled', EXIT.abortedRestored, 'cancelled at the confirmation prompt; nothing was changed');
  }

  const requested: KeyOutcome[] = [];
  for (const k of work) {
    if (o.signal?.aborted) break;
    const keyId = k.keyId!;
    const sentMs = clock.now();
    k.requestedAt = iso(sentMs);
    if (k.action === 'in-progress') {
      k.request = 'already-in-progress';
    } else {
      progress(`UpdatePrimaryRegion ${keyId} (${k.name}) -> ${standby}, sent to ${primary}`);
      try {
        await admin.updatePrimaryRegion(primary, keyId, standby);
        k.request = 'sent';
      } catch (err) {
        // Lost response, or the SDK's retry meeting its own accepted request: read before deciding.
        const now = await admin.describeKey(standby, keyId);
        if (now.ok && (now.value.keyState === 'Updating' || promotedIn(now.value, standby))) {
          k.request = 'response-lost-but-applied';
          k.error = `${(err as Error).name}: ${(err as Error).message.split('\n')[0]} (the update was applied: ${now.value.keyState})`;
        } else {
          k.request = 'failed';
          k.error = `${(err as Error).name}: ${(err as Error).message.split('\n')[0]}`;
          break;
        }
      }
    }
    requested.push(k);
    const waited = await waitForPrimary(o, keyId, sentMs, timeoutMs, pollMs);
    if (waited.kind !== 'promoted') {
      k.error = waited.detail;
      break;
    }
    k.promotedAt = iso(waited.at);
    k.waitSeconds = Math.round((waited.at - sentMs) / 100) / 10;
    const after = k.addressBefore === undefined ? undefined : await addressOf(admin, standby, keyId);
    if (after !== undefined) {
      k.addressAfter = after.ok ? after.value : undefined;
      k.sameAddress = after.ok && after.value === k.addressBefore;
      if (!after.ok) k.error = `GetPublicKey in ${standby} after promotion failed: ${after.error}`;
    }
    const old = await admin.describeKey(primary, keyId);
    k.oldPrimaryNow = old.ok ? `${old.value.type} ${old.value.keyState}` : `unreadable (${old.error})`;
    progress(
      `${k.name}: primary in ${standby} after ${k.waitSeconds} s${k.addressAfter === undefined ? '' : `, address ${k.addressAfter}`}`,
    );
  }

  for (const k of work) if (k.request === undefined) k.request = 'not-sent';
  const failed = work.find((k) => k.request === 'failed');
  const unfinished = requested.filter((k) => k.promotedAt === undefined);
  const notSent = work.filter((k) => k.request === 'not-sent');
  const done = requested.filter((k) => k.promotedAt !== undefined);
  const rerun = `re-run \`wallet-drill promote-keys -c ${config.envName}\` (a dry run) to see where each key is; it is idempotent, and \`--execute --yes\` finishes what is left`;
  if (unfinished.length > 0 || notSent.length > 0 || failed !== undefined) {
    for (const k of unfinished) {
      manualSteps.push(
        `${k.name} (${k.keyId}): UpdatePrimaryRegion was accepted but DescribeKey in ${standby} did not show the new primary in time; ` +
          `check with \`aws kms describe-key --key-id ${k.keyId} --region ${standby}\` (MultiRegionKeyType PRIMARY, KeyState Enabled)`,
      );
    }
    if (failed !== undefined) manualSteps.push(`${failed.name} (${failed.keyId}): the request failed: ${failed.error}`);
    if (notSent.length > 0) manualSteps.push(`not requested: ${notSent.map((k) => k.name).join(', ')}`);
    manualSteps.push(rerun);
  }
  const mismatch = done.filter((k) => k.addressBefore !== undefined && k.sameAddress !== true);
  if (mismatch.length > 0) {
    manualSteps.unshift(
      `STOP SIGNING: the address changed for ${mismatch.map((k) => `${k.name} (before ${k.addressBefore}, after ${k.addressAfter ?? 'unreadable'})`).join(', ')}; suspend withdrawals and compare the key ids`,
    );
    return finish(
      'failed',
      EXIT.checkFailed,
      `promoted, but the address did not verify for ${mismatch.map((k) => k.name).join(', ')}`,
    );
  }
  const changed = requested.length > 0;
  if (o.signal?.aborted && (unfinished.length > 0 || notSent.length > 0)) {
    return finish(
      'interrupted',
      changed ? EXIT.abortedNotRestored : EXIT.abortedRestored,
      changed
        ? `interrupted after ${requested.length} request(s); ${notSent.length} key(s) not requested`
        : 'interrupted before any request; nothing was changed',
    );
  }
  if (failed !== undefined) {
    return finish(
      'failed',
      done.length > 0 || unfinished.length > 0 ? EXIT.abortedNotRestored : EXIT.checkFailed,
      `UpdatePrimaryRegion failed for ${failed.name}: ${failed.error}${done.length > 0 ? `; already promoted: ${done.map((k) => k.name).join(', ')}` : '; nothing was changed'}`,
    );
  }
  if (unfinished.length > 0) {
    return finish(
      'timed-out',
      EXIT.abortedNotRestored,
      `the new primary was not seen within ${timeoutMs / 1000} s for ${unfinished.map((k) => k.name).join(', ')}`,
    );
  }
  return finish(
    'promoted',
    EXIT.ok,
    `promoted ${done.length} key(s) to ${standby}: ${done.map((k) => (k.addressAfter === undefined ? k.name : `${k.name} (address ${k.addressAfter}, unchanged)`)).join(', ')}`,
  );
}

type Waited = { kind: 'promoted'; at: number } | { kind: 'timed-out' | 'interrupted'; detail: string };

/** Polls DescribeKey in the standby until it shows the new primary, Enabled (bounded). */
async function waitForPrimary(
  o: PromoteOptions,
  keyId: string,
  sentMs: number,
  timeoutMs: number,
  pollMs: number,
): Promise<Waited> {
  const { standby } = o.config.regions;
  let last: string;
  for (;;) {
    const now = await o.admin.describeKey(standby, keyId);
    if (now.ok && promotedIn(now.value, standby)) return { kind: 'promoted', at: o.clock.now() };
    last = now.ok ? `${now.value.type} ${now.value.keyState}, primary ${now.value.primaryRegion}` : now.error;
    if (o.signal?.aborted) return { kind: 'interrupted', detail: `interrupted while waiting (last seen: ${last})` };
    if (o.clock.now() - sentMs >= timeoutMs) {
      return {
        kind: 'timed-out',
        detail: `not PRIMARY in ${standby} after ${timeoutMs / 1000} s (last seen: ${last})`,
      };
    }
    await o.clock.sleep(pollMs, o.signal);
  }
}
