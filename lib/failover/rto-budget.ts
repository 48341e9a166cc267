import { FAILOVER_SWITCH_ALARM } from '../contract/failover-switch';

/**
 * The DNS cache time of the API records. They are ALIAS records (to the API Gateway regional
 * domains), and Route 53 says: "If an alias record points to an AWS resource, you can't set the
 * time to live (TTL); Route 53 uses the default TTL for the resource" ("Choosing between alias and
 * non-alias records", Route 53 Developer Guide). AWS documents no figure for API Gateway regional
 * domains; the only documented alias TTL is the Route 53 FAQ's "alias records with a fixed TTL of
 * 60 seconds" for ELB and S3 website endpoints. The budget uses that 60 s, and the config refuses a
 * `dns.recordTtlSeconds` other than it when `dns.recordType` is "ALIAS" (the field has no effect
 * there, and ALIAS is the default); `npm run verify` reads the TTL the resolvers are actually given.
 * With "CNAME" records (opt-in) the TTL is the record's own and the budget uses `dns.recordTtlSeconds`.
 */
export const ALIAS_RECORD_TTL_SECONDS = 60;

/** Route 53 record TTL range in seconds: 0 to RFC 2181's upper bound 2^31 - 1, as Route 53 accepts. */
export const ROUTE53_MAX_TTL_SECONDS = 2147483647;

/** The inputs of the worst-case RTO arithmetic (all seconds except the threshold). */
export interface RtoBudgetInput {
  readonly intervalSeconds: number;
  readonly failureThreshold: number;
  readonly ttlSeconds: number;
  readonly rtoTargetSeconds: number;
  /** @default the switch contract's alarm period x evaluation periods */
  readonly switchDetectionSeconds?: number;
  /** True when the TTL is the records' own (CNAME), so lowering `dns.recordTtlSeconds` is a fix. */
  readonly ttlIsSetting?: boolean;
}

/** The worst-case recovery-time budget of the DNS failover path. */
export interface RtoBudget {
  /** Route 53 endpoint checks: request interval x failure threshold. */
  readonly endpointDetectionSeconds: number;
  /** The failover switch path: alarm period x evaluation periods. */
  readonly switchDetectionSeconds: number;
  /** How long resolvers may keep answering with the old region. */
  readonly dnsCacheSeconds: number;
  readonly worstCaseSeconds: number;
  readonly targetSeconds: number;
  readonly fits: boolean;
  /** The sum written out, e.g. `10 s x 3 + 60 s + 60 s = 150 s`. */
  readonly arithmetic: string;
}

/**
 * Worst case = endpoint detection + switch detection + DNS cache. The two detection paths are
 * added, not maxed: the worst incident is one the endpoint check does not catch (a region that
 * answers /health but cannot sign), found by canaries and then switched, so both delays apply.
 */
export function computeRtoBudget(input: RtoBudgetInput): RtoBudget {
  const endpointDetectionSeconds = input.intervalSeconds * input.failureThreshold;
  const switchDetectionSeconds =
    input.switchDetectionSeconds ?? FAILOVER_SWITCH_ALARM.periodSeconds * FAILOVER_SWITCH_ALARM.evaluationPeriods;
  const worstCaseSeconds = endpointDetectionSeconds + switchDetectionSeconds + input.ttlSeconds;
  return {
    endpointDetectionSeconds,
    switchDetectionSeconds,
    dnsCacheSeconds: input.ttlSeconds,
    worstCaseSeconds,
    targetSeconds: input.rtoTargetSeconds,
    fits: worstCaseSeconds <= input.rtoTargetSeconds,
    arithmetic:
      `health check ${input.intervalSeconds} s x ${input.failureThreshold} = ${endpointDetectionSeconds} s` +
      ` + switch alarm ${switchDetectionSeconds} s + DNS TTL ${input.ttlSeconds} s = ${worstCaseSeconds} s`,
  };
}

/** A message that shows the arithmetic and names the settings to change, or undefined if it fits. */
export function rtoBudgetProblem(budget: RtoBudget, input: RtoBudgetInput): string | undefined {
  if (budget.fits) return undefined;
  const over = budget.worstCaseSeconds - budget.targetSeconds;
  // The TTL is a setting only for CNAME records; alias records take their target's (ALIAS_RECORD_TTL_SECONDS).
  const fixes: string[] = [];
  if (input.ttlIsSetting === true && input.ttlSeconds > 0) {
    const lower = Math.max(0, input.ttlSeconds - over);
    fixes.push(`lower dns.recordTtlSeconds from ${input.ttlSeconds} to ${lower}`);
  } else if (input.ttlIsSetting === false && input.ttlSeconds > 0) {
    fixes.push('set dns.recordType to "CNAME" and a lower dns.recordTtlSeconds');
  }
  if (input.intervalSeconds === 30) {
    const saved = (30 - 10) * input.failureThreshold;
    fixes.push(`set dns.healthCheck.intervalSeconds to 10 (saves ${saved} s)`);
  }
  if (input.failureThreshold > 1) {
    const needed = Math.ceil(over / input.intervalSeconds);
    const lower = input.failureThreshold - needed;
    if (lower >= 1) fixes.push(`lower dns.healthCheck.failureThreshold from ${input.failureThreshold} to ${lower}`);
  }
  fixes.push(`raise targets.rtoSeconds to ${budget.worstCaseSeconds} or more`);
  return (
    `RTO budget does not fit: worst case ${budget.arithmetic} > targets.rtoSeconds ${budget.targetSeconds} s ` +
    `(over by ${over} s). Fix one of: ${fixes.join('; ')}.`
  );
}
