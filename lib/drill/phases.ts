import { WalletConfig } from '../config/schema';
import { dnsCache, leaseDetection, propagation, round, switchDetection } from '../failover/timing';
import type { DrillOptions } from './drill';
import { Plan } from './plan';
import { iso, Measurements, PhaseId, TimelineEvent } from './record';
import { settingsFromConfig } from './settings';
import { Target } from './target';

/**
 * The drill's waiting and measuring, after the switch: poll the target until Route 53, DNS and the
 * canary show the failover (with the guards that abort it), then turn those observations into the
 * record's measurements.
 */

/** Stops a drill: runDrill catches it and restores what the drill changed. */
export class DrillAbort extends Error {
  constructor(
    public readonly kind: 'interrupted' | 'timeout' | 'guard' | 'error',
    message: string,
  ) {
    super(message);
    this.name = 'DrillAbort';
  }
}

/** When each phase was observed (milliseconds), and whether Route 53 had moved before the switch. */
export interface Observed {
  route53?: { at: number; evidence: string };
  dns?: { at: number };
  canary?: { at: number };
  alreadyBeforeSwitch: boolean;
}

function defaultTimeouts(o: DrillOptions): [number, number, number] {
  if (o.phaseTimeoutSeconds !== undefined) return [o.phaseTimeoutSeconds, o.phaseTimeoutSeconds, o.phaseTimeoutSeconds];
  const s = settingsFromConfig(o.config);
  // A failover sees the earlier of the lease check and the switch; a failback needs BOTH back healthy
  // (the CALCULATED check), so the timeout allows for the slower of the two.
  const detect =
    Math.max(switchDetection(s, o.assumptions).worstSeconds, leaseDetection(s, o.assumptions).worstSeconds) +
    propagation(o.assumptions).worstSeconds;
  const poll = o.pollSeconds ?? 5;
  return [
    Math.ceil(2 * detect + 60),
    Math.ceil(2 * propagation(o.assumptions).worstSeconds + 4 * poll + 30),
    Math.ceil(2 * (dnsCache(s).worstSeconds + s.canaryPeriodSeconds) + 60),
  ];
}

/** Polls the target until each phase is observed, in order; throws DrillAbort to stop. */
export async function waitForPhases(
  o: DrillOptions,
  plan: Plan,
  t0: number,
  pollMs: number,
  mark: (id: PhaseId, label: string, at: number, evidence: string) => TimelineEvent,
): Promise<Observed> {
  const { target } = o;
  const clock = target.clock;
  const expected = plan.direction === 'failover' ? 0 : 1;
  const minuteOfSwitch = Math.floor(t0 / 60_000) * 60_000;
  const timeouts = defaultTimeouts(o);
  const labels = [
    plan.direction === 'failover'
      ? 'Route 53 marks the primary record unhealthy'
      : 'Route 53 marks the primary record healthy',
    `authoritative DNS answer names ${plan.to} (${plan.toRegion})`,
    `${plan.to} canary reaches ${plan.toRegion} through the public name`,
  ];
  const observed: Observed = {
    alreadyBeforeSwitch: plan.direction === 'failover' && plan.status.dns.ok && plan.status.dns.value.role === plan.to,
  };
  let phase = 0;
  let phaseStart = clock.now();
  const expectedEpoch = plan.status.lease.ok ? (plan.status.lease.value?.epoch ?? 0) : 0;
  for (;;) {
    if (o.signal.aborted) throw new DrillAbort('interrupted', `interrupted (Ctrl-C) while waiting: ${labels[phase]}`);
    const now = clock.now();
    // Guards: the region taking over stays healthy and keeps the lease.
    const health = await safe(() => target.endpointHealth(plan.to));
    if (health !== undefined && !health.healthy) {
      throw new DrillAbort(
        'guard',
        `guard failed: ${plan.toRegion} became unhealthy (${health.healthyCheckers} of ${health.totalCheckers} checkers report healthy)`,
      );
    }
    const lease = await safe(() => target.readLease(plan.to));
    if (lease !== undefined && (lease.activeRegion !== plan.toRegion || lease.epoch < expectedEpoch)) {
      throw new DrillAbort(
        'guard',
        `guard failed: the lease changed under the drill (now ${lease.activeRegion} at epoch ${lease.epoch})`,
      );
    }
    const dns = await safe(() => target.dnsAnswer());
    if (phase === 0) {
      if (dns?.role === plan.to) {
        observed.route53 = {
          at: now,
          evidence:
            'inferred: DNS already answers with the target, which Route 53 does only once the primary record changed',
        };
      } else {
        const series = await safe(() => target.healthCheckSeries(minuteOfSwitch - 60_000));
        const point = series?.primaryRecord.find((p) => p.at >= minuteOfSwitch && p.value === expected);
        if (point !== undefined) {
          observed.route53 = {
            at: now,
            evidence: `Route 53 HealthCheckStatus ${point.value} for the minute from ${iso(point.at)}`,
          };
        }
      }
      if (observed.route53 !== undefined) {
        mark('route53-changed', labels[0], observed.route53.at, observed.route53.evidence);
        phase = 1;
        phaseStart = now;
      }
    }
    if (phase === 1 && dns?.role === plan.to) {
      observed.dns = { at: now };
      mark('dns-changed', labels[1], now, `TestDNSAnswer ${dns.recordName}: ${dns.recordData.join(', ')}`);
      phase = 2;
      phaseStart = now;
    }
    if (phase === 2) {
      // The public-name canary publishes one point per run at standard resolution: the first minute
      // after the switch with an answer from the target region bounds the cut-over from above.
      const canary = await safe(() => target.canary(plan.to, t0));
      const green = canary?.answeredBySelf.find((p) => p.value >= 1 && p.at + 60_000 > t0);
      if (green !== undefined) {
        const at = Math.min(green.at + 60_000, now);
        observed.canary = { at };
        mark(
          'canary-green',
          labels[2],
          at,
          `public-name canary in ${plan.toRegion}: PublicNameAnswer answered by ${plan.toRegion} in the minute from ${iso(green.at).slice(11, 16)} UTC (upper bound)`,
        );
        return observed;
      }
    }
    const elapsed = (clock.now() - phaseStart) / 1000;
    if (elapsed >= timeouts[phase]) {
      throw new DrillAbort('timeout', `phase timeout: "${labels[phase]}" not observed within ${timeouts[phase]} s`);
    }
    o.onEvent?.({
      kind: 'waiting',
      label: labels[phase],
      elapsedSeconds: Math.round(elapsed),
      timeoutSeconds: timeouts[phase],
    });
    await clock.sleep(pollMs, o.signal);
  }
}

/** The read's result, or undefined when it throws (an observation missed, not a reason to stop). */
export async function safe<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch {
    return undefined;
  }
}

/** The measurements of a completed drill, from what waitForPhases observed. */
export async function measure(
  target: Target,
  config: WalletConfig,
  plan: Plan,
  t0: number,
  observed: Observed,
  observedRpoSeconds: number | undefined,
): Promise<Measurements> {
  const secs = (at?: number) => (at === undefined ? undefined : round((at - t0) / 1000));
  // Narrow detection down with Route 53's per-minute HealthCheckStatus, now that it has been published.
  let bounds: [number, number] | undefined;
  const expected = plan.direction === 'failover' ? 0 : 1;
  const minuteOfSwitch = Math.floor(t0 / 60_000) * 60_000;
  const series = await safe(() => target.healthCheckSeries(minuteOfSwitch - 60_000));
  const point = series?.primaryRecord.find((p) => p.at >= minuteOfSwitch && p.value === expected);
  if (point !== undefined && observed.route53 !== undefined) {
    const earliest = Math.max(point.at, t0);
    const latest = Math.min(point.at + 60_000, observed.dns?.at ?? observed.route53.at, observed.route53.at);
    if (latest >= earliest) bounds = [round((earliest - t0) / 1000), round((latest - t0) / 1000)];
  }
  const rtoSeconds = secs(observed.canary?.at);
  return {
    detectionSeconds: secs(observed.route53?.at),
    detectionBoundsSeconds: bounds,
    dnsCutoverSeconds: secs(observed.dns?.at),
    rtoSeconds,
    observedRpoSeconds: observedRpoSeconds === undefined ? undefined : round(observedRpoSeconds),
    rtoTargetSeconds: config.targets.rtoSeconds,
    rpoTargetSeconds: config.targets.rpoSeconds,
    rtoMet: rtoSeconds === undefined ? undefined : rtoSeconds <= config.targets.rtoSeconds,
    rpoMet: observedRpoSeconds === undefined ? undefined : observedRpoSeconds <= config.targets.rpoSeconds,
    alreadyFailedOverBeforeSwitch: observed.alreadyBeforeSwitch,
  };
}
