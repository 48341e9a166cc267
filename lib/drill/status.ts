import { Lease } from '../failover/lease';
import { RegionRole } from '../contract/names';
import {
  AlarmReport,
  CallerIdentity,
  CanaryState,
  ChainProviderState,
  DnsAnswer,
  EndpointHealth,
  HealthCheckIds,
  isCredentialsError,
  KeyState,
  NoCredentialsError,
  ReplicationState,
  StatusPoint,
  SwitchState,
  Target,
} from './target';

/** A value read from the target, or why it could not be read. */
export type Reading<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

/** Everything the drill looks at, read at one moment. Reading it never changes anything. */
export interface EnvironmentStatus {
  readonly at: number;
  readonly identity: Reading<CallerIdentity>;
  readonly healthChecks: Reading<HealthCheckIds>;
  readonly endpoints: Record<RegionRole, Reading<EndpointHealth>>;
  /** Latest Route 53 HealthCheckStatus per check (1 healthy, 0 unhealthy). */
  readonly route53: Reading<Record<keyof HealthCheckIds, StatusPoint | undefined>>;
  readonly switch: Reading<SwitchState>;
  readonly dns: Reading<DnsAnswer>;
  readonly canaries: Record<RegionRole, Reading<CanaryState>>;
  /** Replication towards each region (the one a failover or failback would move to). */
  readonly replication: Record<RegionRole, Reading<ReplicationState>>;
  readonly keys: Record<RegionRole, Reading<KeyState>>;
  readonly alarms: Reading<AlarmReport>;
  /** The chain watcher's healthy-provider count per region; absent when the target cannot read it. */
  readonly chainProviders?: Record<RegionRole, Reading<ChainProviderState>>;
  readonly address: Reading<string>;
  readonly lease: Reading<Lease | undefined>;
}

/** Runs one read; a failure becomes a Reading with the error (missing credentials stay fatal). */
export async function attempt<T>(read: () => Promise<T>): Promise<Reading<T>> {
  try {
    return { ok: true, value: await read() };
  } catch (err) {
    if (err instanceof NoCredentialsError) throw err;
    if (isCredentialsError(err)) throw new NoCredentialsError((err as Error).message.split('\n')[0]);
    return { ok: false, error: describeError(err) };
  }
}

export function describeError(err: unknown): string {
  const e = err as { name?: string; message?: string };
  const name = e?.name && e.name !== 'Error' ? `${e.name}: ` : '';
  return `${name}${(e?.message ?? String(err)).split('\n')[0]}`;
}

const both = async <T>(read: (role: RegionRole) => Promise<T>): Promise<Record<RegionRole, Reading<T>>> => {
  const [primary, standby] = await Promise.all([attempt(() => read('primary')), attempt(() => read('standby'))]);
  return { primary, standby };
};

/** Reads the whole environment through the target: read-only calls only. */
export async function readStatus(target: Target): Promise<EnvironmentStatus> {
  await target.preflight();
  const at = target.clock.now();
  const identity = await attempt(() => target.identity());
  const healthChecks = await attempt(() => target.healthCheckIds());
  const endpoints = await both((role) => target.endpointHealth(role));
  const route53 = await attempt(async () => {
    const series = await target.healthCheckSeries(at - 10 * 60_000);
    return {
      primaryEndpoint: series.primaryEndpoint.at(-1),
      standbyEndpoint: series.standbyEndpoint.at(-1),
      failoverSwitch: series.failoverSwitch.at(-1),
      primaryRecord: series.primaryRecord.at(-1),
    };
  });
  const switchState = await attempt(() => target.switchState());
  const dns = await attempt(() => target.dnsAnswer());
  const canaries = await both((role) => target.canary(role, at - 15 * 60_000));
  const replication = await both((role) => target.replication(role));
  const keys = await both((role) => target.signingKey(role));
  const alarms = await attempt(() => target.alarmsFiring());
  const readChain = target.chainProviders?.bind(target);
  const chainProviders = readChain === undefined ? undefined : await both((role) => readChain(role));
  const address = await attempt(() => target.signingAddress());
  // Read the lease in the standby region first: it is the one that must work during a failover.
  let lease = await attempt(() => target.readLease('standby'));
  if (!lease.ok) {
    const fromPrimary = await attempt(() => target.readLease('primary'));
    if (fromPrimary.ok) lease = fromPrimary;
  }
  return {
    at,
    identity,
    healthChecks,
    endpoints,
    route53,
    switch: switchState,
    dns,
    canaries,
    replication,
    keys,
    alarms,
    ...(chainProviders !== undefined ? { chainProviders } : {}),
    address,
    lease,
  };
}
