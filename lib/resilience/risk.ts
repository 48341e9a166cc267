import type { RtoPercentiles } from '../failover/rto-simulator';
import { createRng, Rng } from '../failover/random';
import { percentile, round } from '../failover/timing';

/**
 * Risk forecast (Monte Carlo): how much downtime a year brings and how likely the availability SLA is
 * missed, from how often each failure mode happens and how long the design takes to recover from it.
 *
 * Every rate below is an ASSUMPTION, printed in the resilience report with its reasoning and, where one
 * exists, the public source it leans on. Change a figure here (and say why in the commit). Recovery per
 * incident comes from the failover-timing model (the resilience report's simulated unplanned RTO, i.e. the
 * drill's simulated AWS over lib/failover/timing.ts assumptions), from the templates' alarm settings (bad
 * deploys), or from a stated duration distribution where the design has no automatic recovery (the chain
 * provider).
 */

export type FailureModeId = 'region-outage' | 'chain-provider' | 'bad-deploy';

export interface FailureModeAssumption {
  readonly id: FailureModeId;
  readonly title: string;
  /** Expected incidents per year (Poisson). */
  readonly perYear: number;
  readonly why: string;
  /** A public source the rate leans on, or null where none exists. */
  readonly source: string | null;
  /** Which objective the incident's downtime counts against. */
  readonly counts: 'api-availability' | 'time-to-sign';
}

export const FAILURE_MODES: Readonly<Record<FailureModeId, FailureModeAssumption>> = {
  'region-outage': {
    id: 'region-outage',
    title: 'primary region outage (the API in the primary region stops answering)',
    perYear: 0.5,
    why:
      'AWS publishes a post-event summary for each major service event; there have been a handful per year across all regions, ' +
      'most in us-east-1. We assume one event that takes the primary region API down every two years: pessimistic for one region, ' +
      'and it includes regional impairments too small for a public summary. Recovery: the unplanned failover (Route 53 endpoint ' +
      'checks), its duration drawn from the simulated unplanned RTO.',
    source: 'https://aws.amazon.com/premiumsupport/technology/pes/',
    counts: 'api-availability',
  },
  'chain-provider': {
    id: 'chain-provider',
    title: 'chain (RPC) provider failure: transactions cannot be broadcast',
    perYear: 4,
    why:
      'Hosted RPC providers publish incident histories on their status pages with several degradations a year; the Infura mainnet ' +
      'outage of 2020-11-11 (several hours) is the best-known. We assume four incidents a year that stop broadcasting. The signer has ' +
      'no second provider, so signing waits for the provider: duration log-normal, median 30 min, p95 3 h (assumed). Reads and intake stay up.',
    source: 'https://status.infura.io/ (incident history)',
    counts: 'time-to-sign',
  },
  'bad-deploy': {
    id: 'bad-deploy',
    title: 'bad deploy of the API (5xx) caught by the alarms during CodeDeploy traffic shifting',
    perYear: 5,
    why:
      'About 50 production deploys of the API a year (assumed) and a change-failure rate of 10% (the DORA State of DevOps research ' +
      'reports change-failure rates from about 5% for the best teams to 40% or more): five bad deploys a year. Recovery: CodeDeploy ' +
      'rolls back when the API 5xx alarm fires; until then 10% of ' +
      'traffic sees the failure during the canary (5 minutes, the default Canary10Percent5Minutes) and all of it afterwards. ' +
      'Rollback itself takes 30-90 s (assumed).',
    source: 'https://dora.dev/research/',
    counts: 'api-availability',
  },
};

/** Canary share and duration of the API's traffic shifting (config default `deployment.api`). */
export const CANARY_TRAFFIC = { fraction: 0.1, minutes: 5 } as const;
/** How long CodeDeploy takes to shift back once the alarm fires (assumed). */
export const ROLLBACK_SECONDS = { min: 30, max: 90 } as const;
/** Chain-provider outage duration, log-normal (assumed). */
export const CHAIN_OUTAGE_MINUTES = { median: 30, p95: 180 } as const;

export interface BadDeployDetection {
  /** Period of the API 5xx alarm (s) and how many periods must breach. */
  readonly periodSeconds: number;
  readonly datapointsToAlarm: number;
  /** Where the figures were read. */
  readonly source: string;
}

export interface ForecastInput {
  /** The simulated unplanned-failover RTO (the region outage's downtime per incident). */
  readonly unplannedRto: RtoPercentiles;
  readonly badDeploy: BadDeployDetection;
  /** The availability objective (fraction), e.g. 0.999. */
  readonly slaObjective: number;
  /** Simulated years. */
  readonly years: number;
  readonly seed: number;
  readonly modes?: Readonly<Record<FailureModeId, FailureModeAssumption>>;
}

export interface ModeForecast extends FailureModeAssumption {
  /** Downtime of one incident, minutes (for bad deploys: full-outage equivalent). */
  readonly perIncidentMinutes: { readonly p50: number; readonly p95: number; readonly max: number };
  /** Share of the simulated years with at least one incident of this mode. */
  readonly yearsWithIncident: number;
}

export interface RiskForecast {
  readonly years: number;
  readonly seed: number;
  readonly slaObjective: number;
  /** Downtime a year may have and still meet the objective, minutes. */
  readonly allowedMinutesPerYear: number;
  readonly allowedMinutesPerMonth: number;
  /** API downtime per year (region outages and bad deploys), minutes. */
  readonly annualApiDowntimeMinutes: {
    readonly mean: number;
    readonly p50: number;
    readonly p90: number;
    readonly p95: number;
    readonly p99: number;
  };
  /** Probability that the year's availability is below the objective. */
  readonly pMissYear: number;
  /** Probability that at least one month of the year is below the objective (a monthly SLA). */
  readonly pMissAnyMonth: number;
  /** Signing unavailable per year (chain provider), minutes: counted against time-to-sign, not the API. */
  readonly annualSigningDowntimeMinutes: { readonly p50: number; readonly p95: number };
  readonly modes: readonly ModeForecast[];
  readonly assumptions: readonly string[];
}

/** Knuth's Poisson sampler (fine for the small rates here). */
function poisson(rng: Rng, lambda: number): number {
  const limit = Math.exp(-lambda);
  let k = 0;
  let p = rng.next();
  while (p > limit) {
    k++;
    p *= rng.next();
  }
  return k;
}

/** Inverse CDF through the model's percentiles, linear between them. */
function fromPercentiles(rng: Rng, p: RtoPercentiles): number {
  const points: Array<[number, number]> = [
    [0, p.min],
    [0.5, p.p50],
    [0.95, p.p95],
    [0.99, p.p99],
    [1, p.max],
  ];
  const u = rng.next();
  for (let i = 1; i < points.length; i++) {
    const [u1, v1] = points[i];
    const [u0, v0] = points[i - 1];
    if (u <= u1) return v0 + ((u - u0) / (u1 - u0 || 1)) * (v1 - v0);
  }
  return p.max;
}

/** Standard normal from two uniforms (Box-Muller). */
const normal = (rng: Rng): number => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());

/** Seconds of full-outage-equivalent downtime of one incident. */
function incidentSeconds(mode: FailureModeId, rng: Rng, input: ForecastInput): number {
  switch (mode) {
    case 'region-outage':
      return fromPercentiles(rng, input.unplannedRto);
    case 'chain-provider': {
      const mu = Math.log(CHAIN_OUTAGE_MINUTES.median);
      const sigma = (Math.log(CHAIN_OUTAGE_MINUTES.p95) - mu) / 1.645;
      return Math.exp(mu + sigma * normal(rng)) * 60;
    }
    case 'bad-deploy': {
      // The alarm fires once `datapointsToAlarm` periods breached: the failure starts somewhere in the first.
      const { periodSeconds, datapointsToAlarm } = input.badDeploy;
      const detect = rng.uniform((datapointsToAlarm - 1) * periodSeconds, datapointsToAlarm * periodSeconds);
      const canary = CANARY_TRAFFIC.minutes * 60;
      const rollback = rng.uniform(ROLLBACK_SECONDS.min, ROLLBACK_SECONDS.max);
      const exposed =
        detect <= canary
          ? CANARY_TRAFFIC.fraction * (detect + rollback)
          : CANARY_TRAFFIC.fraction * canary + (detect - canary) + rollback;
      return exposed;
    }
  }
}

/** Runs the forecast: `years` independent years, each a Poisson number of incidents per mode. */
export function forecastRisk(input: ForecastInput): RiskForecast {
  if (!Number.isInteger(input.years) || input.years < 1) {
    throw new Error(`years must be a whole number of 1 or more; received ${input.years}`);
  }
  const modes = input.modes ?? FAILURE_MODES;
  const ids = Object.keys(modes) as FailureModeId[];
  const rng = createRng(input.seed);
  const api: number[] = [];
  const signing: number[] = [];
  const perIncident: Record<FailureModeId, number[]> = { 'region-outage': [], 'chain-provider': [], 'bad-deploy': [] };
  const years: Record<FailureModeId, number> = { 'region-outage': 0, 'chain-provider': 0, 'bad-deploy': 0 };
  const allowedYear = (1 - input.slaObjective) * 365 * 24 * 60;
  const allowedMonth = (1 - input.slaObjective) * 30 * 24 * 60;
  let missYear = 0;
  let missMonth = 0;
  for (let y = 0; y < input.years; y++) {
    const months = new Array<number>(12).fill(0);
    let apiMinutes = 0;
    let signMinutes = 0;
    for (const id of ids) {
      const n = poisson(rng, modes[id].perYear);
      if (n > 0) years[id]++;
      for (let i = 0; i < n; i++) {
        const minutes = incidentSeconds(id, rng, input) / 60;
        perIncident[id].push(minutes);
        if (modes[id].counts === 'api-availability') {
          apiMinutes += minutes;
          months[Math.floor(rng.next() * 12)] += minutes;
        } else {
          signMinutes += minutes;
        }
      }
    }
    api.push(apiMinutes);
    signing.push(signMinutes);
    if (apiMinutes > allowedYear) missYear++;
    if (months.some((m) => m > allowedMonth)) missMonth++;
  }
  const sorted = (v: number[]) => [...v].sort((a, b) => a - b);
  const apiSorted = sorted(api);
  const signSorted = sorted(signing);
  const r2 = (v: number) => round(v, 2);
  return {
    years: input.years,
    seed: input.seed,
    slaObjective: input.slaObjective,
    allowedMinutesPerYear: r2(allowedYear),
    allowedMinutesPerMonth: r2(allowedMonth),
    annualApiDowntimeMinutes: {
      mean: r2(api.reduce((s, v) => s + v, 0) / api.length),
      p50: r2(percentile(apiSorted, 50)),
      p90: r2(percentile(apiSorted, 90)),
      p95: r2(percentile(apiSorted, 95)),
      p99: r2(percentile(apiSorted, 99)),
    },
    pMissYear: round(missYear / input.years, 4),
    pMissAnyMonth: round(missMonth / input.years, 4),
    annualSigningDowntimeMinutes: { p50: r2(percentile(signSorted, 50)), p95: r2(percentile(signSorted, 95)) },
    modes: ids.map((id) => {
      const s = sorted(perIncident[id]);
      return {
        ...modes[id],
        perIncidentMinutes:
          s.length === 0
            ? { p50: 0, p95: 0, max: 0 }
            : { p50: r2(percentile(s, 50)), p95: r2(percentile(s, 95)), max: r2(s[s.length - 1]) },
        yearsWithIncident: round(years[id] / input.years, 4),
      };
    }),
    assumptions: [
      `incidents of each mode arrive as a Poisson process at the stated yearly rate, independently of each other; ${input.years} simulated years, seed ${input.seed}`,
      `region outage: downtime = the simulated unplanned-failover RTO (p50 ${input.unplannedRto.p50} s, p95 ${input.unplannedRto.p95} s, max ${input.unplannedRto.max} s), drawn by linear interpolation between its percentiles; the standby is assumed healthy`,
      `bad deploy: the API 5xx alarm fires after ${input.badDeploy.datapointsToAlarm} breaching period(s) of ${input.badDeploy.periodSeconds} s (${input.badDeploy.source}); ${CANARY_TRAFFIC.fraction * 100}% of traffic is exposed during the ${CANARY_TRAFFIC.minutes}-minute canary, all of it after; rollback ${ROLLBACK_SECONDS.min}-${ROLLBACK_SECONDS.max} s; downtime counted as full-outage equivalent`,
      `chain provider: signing waits for the provider (no second provider), log-normal duration median ${CHAIN_OUTAGE_MINUTES.median} min, p95 ${CHAIN_OUTAGE_MINUTES.p95} min; counted against time to sign, not the API`,
      `SLA: API availability ${input.slaObjective * 100}% (the api-availability SLO), per year (${r2(allowedYear)} min) and per 30-day month (${r2(allowedMonth)} min); API downtime falls into a uniformly random month`,
    ],
  };
}
