import { DNS_ALARM_REGION, dnsAlarmName, regionalAlarmName } from '../../contract/alarms';
import { FAILOVER_RULE, FAILOVER_TRIGGERS, remediationActor, RuleAlarm } from '../../contract/remediation';
import { RegionRole } from '../../contract/names';
import { SIM_TIMINGS } from './timings';

/**
 * The standby's remediation Lambda in the simulated AWS: in `auto` mode it fails over on its own when the
 * primary is impaired, exactly by the rule written down in lib/contract/remediation.ts (FAILOVER_RULE; the
 * Lambda's implementation is lambda/remediation/decide.ts, which lib/ may not import): a trigger alarm goes
 * to ALARM, the event reaches the Lambda after {@link SIM_TIMINGS}.remediationReaction, the Lambda reads the
 * rule's alarms as they are THEN, and if the primary is impaired, the standby healthy, the lease still in the
 * primary and the failover budget not spent, it moves the lease (epoch + 1) and throws the switch (one
 * PutMetricData in the standby). There is no automatic failback. `notify-only` mode only pages.
 *
 * Modelled here and not in the world's alarms: `<region> region-impaired` (a composite the world does not
 * evaluate) is read as ALARM exactly while that region's endpoint is down, which is what its children see.
 */
export interface RemediationWorld {
  readonly now: number;
  readonly envName: string;
  readonly regions: Readonly<Record<RegionRole, string>>;
  readonly mode: 'auto' | 'notify-only';
  readonly maxFailoversPerWindow: number;
  readonly windowMinutes: number;
  uniform(min: number, max: number): number;
  at(at: number, fn: () => void): void;
  /** The alarm's state as DescribeAlarms would return it now (undefined: no such alarm). */
  alarmState(region: string, name: string): string | undefined;
  isEndpointUp(role: RegionRole): boolean;
  /** The lease's region role and epoch. */
  lease(): { readonly role: RegionRole; readonly epoch: number };
  /** Conditional lease move (false when the epoch changed in between). */
  moveLease(to: RegionRole, expectedEpoch: number, actor: string, reason: string): boolean;
  /** One PutMetricData of the switch metric in the standby (1 = thrown). */
  throwSwitch(): void;
}

/** One remediation run, for the record and the tests. */
export interface RemediationRun {
  readonly at: number;
  readonly trigger: string;
  readonly verdict:
    | 'fail-over'
    | 'notify-only'
    | 'primary-not-impaired'
    | 'standby-unhealthy'
    | 'already-failed-over'
    | 'failover-limit-reached'
    | 'lease-changed';
  readonly reasons: readonly string[];
  readonly actor?: string;
  readonly epoch?: number;
}

export class SimulatedRemediation {
  public readonly runs: RemediationRun[] = [];
  private readonly failovers: number[] = [];
  private readonly last = new Map<string, string | undefined>();

  constructor(private readonly w: RemediationWorld) {}

  /** The trigger alarms the standby's rules receive (own region, and forwarded from the primary and us-east-1). */
  private triggers(): Array<{ region: string; name: string }> {
    const { envName, regions } = this.w;
    return [
      ...FAILOVER_TRIGGERS.standbyRegional.map((k) => ({
        region: regions.standby,
        name: regionalAlarmName(envName, regions.standby, k),
      })),
      ...FAILOVER_TRIGGERS.primaryRegional.map((k) => ({
        region: regions.primary,
        name: regionalAlarmName(envName, regions.primary, k),
      })),
      ...FAILOVER_TRIGGERS.dns.map((k) => ({ region: DNS_ALARM_REGION, name: dnsAlarmName(envName, k) })),
    ];
  }

  /** Called after the world updated its alarms: each trigger that went to ALARM sends one event. */
  observe(): void {
    for (const t of this.triggers()) {
      const key = `${t.region}|${t.name}`;
      const state = this.state(t);
      const before = this.last.get(key);
      this.last.set(key, state);
      if (state !== 'ALARM' || before === 'ALARM') continue;
      const { min, max } = SIM_TIMINGS.remediationReaction.seconds;
      this.w.at(this.w.now + this.w.uniform(min, max) * 1000, () => this.decide(t.name));
    }
  }

  private state(a: { region: string; name: string }): string {
    const { envName, regions } = this.w;
    for (const role of ['primary', 'standby'] as const) {
      if (a.region === regions[role] && a.name === regionalAlarmName(envName, regions[role], 'regionImpaired')) {
        return this.w.isEndpointUp(role) ? 'OK' : 'ALARM';
      }
    }
    return this.w.alarmState(a.region, a.name) ?? 'UNKNOWN';
  }

  private ruleAlarm(rule: RuleAlarm): { region: string; name: string } {
    const { envName, regions } = this.w;
    if (rule.region === 'dns') return { region: DNS_ALARM_REGION, name: dnsAlarmName(envName, rule.kind) };
    const region = regions[rule.region];
    return { region, name: regionalAlarmName(envName, region, rule.kind) };
  }

  private decide(trigger: string): void {
    const now = this.w.now;
    const reasons: string[] = [];
    const seen = (rule: RuleAlarm) => {
      const a = this.ruleAlarm(rule);
      const s = this.state(a);
      reasons.push(`${a.name} (${a.region}) is ${s}`);
      return s;
    };
    const record = (verdict: RemediationRun['verdict'], extra: Partial<RemediationRun> = {}): void => {
      this.runs.push({ at: now, trigger, verdict, reasons, ...extra });
    };
    const { primaryImpaired, standbyHealthy } = FAILOVER_RULE;
    const impaired =
      seen(primaryImpaired.required) === 'ALARM' && primaryImpaired.anyOf.some((r) => seen(r) === 'ALARM');
    if (!impaired) return record('primary-not-impaired');
    const healthy =
      standbyHealthy.mustBeOk.every((r) => seen(r) === 'OK') &&
      standbyHealthy.mustNotBeAlarm.every((r) => seen(r) !== 'ALARM');
    if (!healthy) return record('standby-unhealthy');
    const lease = this.w.lease();
    if (lease.role === 'standby') return record('already-failed-over');
    if (this.w.mode !== 'auto') return record('notify-only');
    const windowMs = this.w.windowMinutes * 60_000;
    if (this.failovers.filter((t) => t > now - windowMs).length >= this.w.maxFailoversPerWindow) {
      return record('failover-limit-reached');
    }
    const actor = remediationActor(this.w.regions.standby, trigger);
    if (!this.w.moveLease('standby', lease.epoch, actor, `remediation: primary impaired (${trigger})`)) {
      return record('lease-changed');
    }
    this.failovers.push(now);
    this.w.throwSwitch();
    record('fail-over', { actor, epoch: lease.epoch + 1 });
  }
}
