import { createECDH, createHash } from 'node:crypto';
import { WalletConfig } from '../../config/schema';
import { dnsAlarmName, DnsAlarmKind, regionalAlarmName, RegionalAlarmKind } from '../../contract/alarms';
import { CANARY_DIMENSIONS, CANARY_METRIC_NAMESPACE, CANARY_METRICS, canaryName } from '../../contract/canary';
import { CHAIN_DIMENSIONS, CHAIN_METRICS, chainMetricNamespace } from '../../contract/chain';
import { configuredChainProviders, configuredMinHealthyStandby } from '../chain-config';
import {
  FAILOVER_SWITCH_ALARM,
  FAILOVER_SWITCH_METRIC,
  FAILOVER_SWITCH_NAMESPACE,
  failoverSwitchAlarmName,
  failoverSwitchDimensions,
} from '../../contract/failover-switch';
import { coldKeyAlias } from '../../contract/cold-key';
import { ledgerKeys } from '../../contract/ledger';
import {
  backupKeyAlias,
  dataKeyAlias,
  ledgerTableName,
  RegionRole,
  signingDeadLetterQueueName,
  signingKeyAlias,
  signingQueueName,
} from '../../contract/names';
import { addressFromSpki } from '../address';
import { rateSeconds } from '../../config/schema';
import {
  DEFAULT_ASSUMPTIONS,
  failoverAnswer,
  ModelAssumptions,
  primaryRecordHealthy,
  route53EndpointHealthy,
} from '../../failover/timing';
import { createRng, Rng } from '../../failover/random';
import { SimulatedFis } from './fis';
import { SimulatedRemediation } from './remediation';
import { EventQueue } from './events';
import { Item } from './expressions';
import {
  Checker,
  HC_IDS,
  HealthCheckKey,
  MetricPoint,
  metricKey,
  SimAlarm,
  SimKeyCopy,
  SimMultiRegionKey,
} from './state';
import { SIM_TIMINGS } from './timings';
import { SimulatedSqs } from './sqs';
import { answerCommand, StoredObject, WalletBusEvent, WireState } from './wire';

/**
 * A simulated AWS for one wallet environment, in virtual time: the physics. It answers the same SDK
 * commands the drill sends to real AWS (lib/drill/sim/sdk.ts plugs it into the clients; the request
 * and response shapes live in ./wire.ts) and behaves like the real services where the drill depends on it:
 *
 * - Route 53 endpoint health checks: checkers in each checker region probe `/health` every interval
 *   (with random phase and jitter); a checker flips after `failureThreshold` consecutive results;
 *   the endpoint is healthy while more than 18% of checkers report healthy. A third check, with its
 *   own checkers, asks the primary's `/health?lease=held`, which also fails while the PRIMARY's
 *   replica shows the lease elsewhere: each region keeps its own view of the lease, which a write in
 *   the other region reaches after the MREC lease lag (at once under MRSC), or never while the lease
 *   replication is partitioned.
 * - The failover switch: PutMetricData points, a CloudWatch alarm (Maximum over 60 s, one period)
 *   evaluated after each period closes; the CLOUDWATCH_METRIC health check follows the metric
 *   stream with InsufficientDataHealthStatus LastKnownStatus (a new check starts healthy).
 * - The CALCULATED primary check: healthy only while the primary endpoint is healthy AND the lease
 *   check is healthy AND the switch is not thrown. Failover DNS: PRIMARY when that check is healthy, else SECONDARY when the
 *   standby check is healthy, else PRIMARY (both unhealthy): lib/failover/timing.ts failoverAnswer.
 * - Resolvers that cache the answer for the record TTL; canaries that resolve through them.
 * - Route 53 HealthCheckStatus metrics and alarms in us-east-1, DynamoDB replication latency
 *   (MREC), the lease item, STS caller identity.
 * - KMS multi-Region keys (signing, data, backup): a copy per region, one primary region, and
 *   UpdatePrimaryRegion's asynchronous update (both copies `Updating` for a few seconds, then the
 *   new primary; SIM_TIMINGS.kmsPrimaryUpdate).
 */

export type ScenarioFault = (world: World) => void;

interface Resolver {
  readonly ttlMs: number;
  readonly phaseMs: number;
  cached: RegionRole;
  /** Refreshes that changed the answer, oldest first. */
  readonly changes: Array<{ at: number; role: RegionRole }>;
}

/** A command the world refuses (fault injection). */
interface Fault {
  readonly command: string;
  remaining: number;
  readonly error: () => Error;
  readonly when?: (input: Record<string, unknown>, region: string) => boolean;
}

export interface WorldOptions {
  readonly config: WalletConfig;
  readonly seed: number;
  /** Virtual time (epoch ms) at which the drill starts, after the warm-up. */
  readonly startMs: number;
  /** Virtual seconds simulated before `startMs` so checkers, metrics and caches are warm. @default 600 */
  readonly warmUpSeconds?: number;
  /** Which region is active at the start (`standby` = failed over earlier). @default 'primary' */
  readonly position?: RegionRole;
  readonly assumptions?: ModelAssumptions;
  /** The caller's default region as STS would see it. @default the standby region */
  readonly callerRegion?: string;
  /** Faults applied at world creation (scenarios). */
  readonly faults?: readonly ScenarioFault[];
  /**
   * The primary's endpoint check asks `/health?lease=held` (the deployed design). False models the
   * design before it (plain `/health`), for before/after figures. @default true
   */
  readonly leaseFollowingCheck?: boolean;
}

const MINUTE = 60_000;

export class World {
  public readonly config: WalletConfig;
  public readonly assumptions: ModelAssumptions;
  public readonly events: EventQueue;
  public readonly rng: Rng;
  public readonly startMs: number;
  public readonly regions: Record<RegionRole, string>;
  /** The account STS reports; tests change it to prove the allow-list check. */
  public callerAccount: string;
  /**
   * The caller ARN STS reports. @default - a WalletOperator role session in {@link callerAccount}
   * (`wallet-drill promote-keys --sim-caller` sets it; the break-glass session by default there).
   */
  public callerArn: string | undefined;
  public callerRegion: string | undefined;

  private readonly endpointUp: Record<RegionRole, boolean> = { primary: true, standby: true };
  private readonly unreachable = new Set<string>();
  private readonly publicNameFailing: Record<RegionRole, boolean> = { primary: false, standby: false };
  /** Checker regions that cannot reach a region's endpoint (a partial network partition). */
  private readonly failingFrom: Record<RegionRole, Set<string>> = { primary: new Set(), standby: new Set() };
  private readonly checkers: Record<Probe, Checker[]> = { primary: [], standby: [], primaryLease: [] };
  private readonly aggregate: Record<Probe, boolean> = { primary: true, standby: true, primaryLease: true };
  /**
   * Randomness of the lease-following check and the lease lag, apart from {@link rng} so that adding
   * them left every other timing of a seed as it was.
   */
  private readonly leaseRng: Rng;
  private readonly status: Record<HealthCheckKey, boolean> = {
    primaryEndpoint: true,
    primaryLease: true,
    standbyEndpoint: true,
    failoverSwitch: true,
    primaryRecord: true,
  };
  private readonly statusHistory: Record<HealthCheckKey, MetricPoint[]>;
  private readonly metrics = new Map<string, MetricPoint[]>();
  private readonly alarms = new Map<string, SimAlarm>();
  private switchAlarmExists = true;
  /**
   * Healthy RPC providers the chain watcher reports per region (issue 16): every configured provider
   * at the start; undefined = the watcher publishes nothing there (no providers configured, or stopped).
   */
  private readonly chainHealthy: Record<RegionRole, number | undefined>;
  private answer: RegionRole = 'primary';
  /** Authoritative answer changes, oldest first. */
  public readonly answerChanges: Array<{ at: number; role: RegionRole }> = [];
  private readonly resolvers: Record<string, Resolver> = {};
  private readonly table = new Map<string, Item>();

  /** Puts a ledger item as if the wallet had written it (a test's or scenario's stranded transaction). */
  putLedgerItem(item: Item & { pk: string; sk: string }): void {
    this.table.set(`${item.pk}|${item.sk}`, { ...item });
  }

  /** The ledger items matching a predicate (copies). */
  ledgerItems(match: (item: Item) => boolean): Item[] {
    return [...this.table.values()].filter(match).map((item) => ({ ...item }));
  }
  /** What the drill put on each region's default bus (the status page's wallet events), in order. */
  public readonly walletEvents: WalletBusEvent[] = [];
  /** The status buckets' objects, by `bucket/key` (the drill's incident and its page check). */
  public readonly objects = new Map<string, StoredObject>();
  /** The environment's multi-Region KMS keys, signing key first. */
  private readonly kmsKeys: SimMultiRegionKey[];
  private readonly publicKeySpki: Buffer;
  /** UpdatePrimaryRegion's durations, apart from {@link rng} so every other timing of a seed stays as it was. */
  private readonly kmsRng: Rng;
  /** Commands whose effect lands but whose response is lost (the SDK then times out or retries). */
  private readonly lostResponses: Array<{ command: string; remaining: number }> = [];
  private replicationLagMs: (now: number) => number;
  /** Each region's replica's view of the lease holder (region name), and the write sequence it reflects. */
  private readonly leaseSeen: Record<RegionRole, { holder: string; seq: number }>;
  private leaseSeq = 0;
  /** Lag (ms) of a lease write reaching the other region's replica; undefined = partitioned (never). */
  private leaseLagMs: () => number | undefined;
  public readonly leaseFollowingCheck: boolean;
  private readonly faults: Fault[] = [];
  /** AWS FIS: experiment templates and experiments whose faults act on this world (lib/drill/sim/fis.ts). */
  public readonly fis: SimulatedFis;
  /** Both wallet regions' signing queues and DLQs (the hand-off after a lease move). */
  public readonly sqs: SimulatedSqs;
  /** The standby's remediation Lambda: fails over on its own in `auto` mode (lib/drill/sim/remediation.ts). */
  public readonly remediation: SimulatedRemediation;
  /** Every command the world answered or refused, for tests. */
  public readonly log: Array<{ at: number; service: string; region: string; command: string; input: unknown }> = [];

  constructor(options: WorldOptions) {
    this.config = options.config;
    this.assumptions = options.assumptions ?? DEFAULT_ASSUMPTIONS;
    this.rng = createRng(options.seed);
    this.leaseRng = createRng((options.seed ^ 0x1ea5e) >>> 0);
    this.startMs = options.startMs;
    const warmUp = (options.warmUpSeconds ?? 600) * 1000;
    this.events = new EventQueue(options.startMs - warmUp);
    this.regions = { primary: options.config.regions.primary, standby: options.config.regions.standby };
    this.callerAccount = options.config.account;
    this.callerRegion = options.callerRegion ?? options.config.regions.standby;
    this.statusHistory = {
      primaryEndpoint: [{ at: this.now, value: 1 }],
      primaryLease: [{ at: this.now, value: 1 }],
      standbyEndpoint: [{ at: this.now, value: 1 }],
      failoverSwitch: [{ at: this.now, value: 1 }],
      primaryRecord: [{ at: this.now, value: 1 }],
    };
    const keyRng = createHash('sha256').update(`wallet-sim-${options.seed}`).digest();
    const ecdh = createECDH('secp256k1');
    ecdh.setPrivateKey(keyRng);
    // DER SubjectPublicKeyInfo header for an uncompressed secp256k1 point.
    this.publicKeySpki = Buffer.concat([
      Buffer.from('3056301006072a8648ce3d020106052b8104000a034200', 'hex'),
      ecdh.getPublicKey(),
    ]);
    const keyId = `mrk-${keyRng.toString('hex').slice(0, 32)}`;
    this.kmsRng = createRng((options.seed ^ 0x6b6d73) >>> 0);
    const copies = (spki?: Buffer) =>
      new Map<string, SimKeyCopy>(
        [this.regions.primary, this.regions.standby].map((r) => [
          r,
          { enabled: true, keyState: 'Enabled', ...(spki === undefined ? {} : { publicKeySpki: spki }) },
        ]),
      );
    const otherId = (purpose: string) =>
      `mrk-${createHash('sha256').update(`wallet-sim-${options.seed}-${purpose}`).digest('hex').slice(0, 32)}`;
    this.kmsKeys = [
      {
        alias: signingKeyAlias(options.config.envName),
        keyId,
        keySpec: 'ECC_SECG_P256K1',
        keyUsage: 'SIGN_VERIFY',
        primaryRegion: this.regions.primary,
        copies: copies(this.publicKeySpki),
      },
      ...[dataKeyAlias(options.config.envName), backupKeyAlias(options.config.envName)].map(
        (alias): SimMultiRegionKey => ({
          alias,
          keyId: otherId(alias),
          keySpec: 'SYMMETRIC_DEFAULT',
          keyUsage: 'ENCRYPT_DECRYPT',
          primaryRegion: this.regions.primary,
          copies: copies(),
        }),
      ),
    ];
    // The cold key (security.coldKey, docs/cold-key.md) is deployed by the keys stacks like the others.
    if (options.config.security.coldKey?.enabled === true) this.addMultiRegionKey(coldKeyAlias(options.config.envName));
    this.replicationLagMs = () => this.rng.uniform(300, 1500);
    this.leaseFollowingCheck = options.leaseFollowingCheck ?? true;
    const lag = this.assumptions.mrecLeaseLagSeconds;
    this.leaseLagMs = () =>
      options.config.data.consistency === 'MREC' ? this.leaseRng.uniform(lag.min, lag.max) * 1000 : 0;
    const holder = this.regions[options.position ?? 'primary'];
    this.leaseSeen = { primary: { holder, seq: 0 }, standby: { holder, seq: 0 } };

    const providers = configuredChainProviders(options.config);
    this.chainHealthy = { primary: providers || undefined, standby: providers || undefined };
    this.fis = new SimulatedFis(this);
    this.sqs = new SimulatedSqs(
      options.config.account,
      [signingQueueName(options.config.envName), signingDeadLetterQueueName(options.config.envName)],
      [options.config.regions.primary, options.config.regions.standby],
      () => this.now,
    );
    this.remediation = this.createRemediation(options.seed);
    this.setUpCheckers();
    this.setUpAlarms();
    this.setUpResolversAndCanaries();
    this.everyMinute();
    const position = options.position ?? 'primary';
    if (position === 'standby') {
      // Failed over earlier: the switch was thrown 5 minutes into the warm-up and the lease moved.
      this.events.at(this.now + 5 * MINUTE, () =>
        this.putMetric(this.regions.standby, switchKey(this.config.envName), 1),
      );
    }
    this.initialPosition = position;
    for (const fault of options.faults ?? []) fault(this);
    this.events.runUntil(options.startMs);
  }

  private initialPosition: RegionRole = 'primary';

  get now(): number {
    return this.events.now;
  }

  // ---------------------------------------------------------------- scenario controls

  /**
   * How many RPC providers the chain watcher in a region counts healthy from the next minute on
   * (its HealthyProviders metric and the chain alarms follow); undefined stops the watcher there.
   */
  setChainHealthyProviders(role: RegionRole, healthy: number | undefined): void {
    this.chainHealthy[role] = healthy;
  }

  /** Makes a region's API pass or fail its health checks (from now on). */
  setEndpointUp(role: RegionRole, up: boolean): void {
    this.endpointUp[role] = up;
  }

  /** Makes a region's endpoint unreachable from some checker regions only (the 18% rule's reason). */
  setEndpointFailingFrom(role: RegionRole, checkerRegions: readonly string[]): void {
    this.failingFrom[role] = new Set(checkerRegions);
  }

  isEndpointUp(role: RegionRole): boolean {
    return this.endpointUp[role];
  }

  /** Makes every AWS API call to `region` time out (a regional outage), or restores it. */
  setRegionReachable(region: string, reachable: boolean): void {
    if (reachable) this.unreachable.delete(region);
    else this.unreachable.add(region);
  }

  setSwitchAlarmExists(exists: boolean): void {
    this.switchAlarmExists = exists;
    if (!exists) this.alarms.delete(failoverSwitchAlarmName(this.config.envName));
  }

  /** Replication latency (ms) the MREC table reports, as a function of virtual time. */
  setReplicationLag(lagMs: (now: number) => number): void {
    this.replicationLagMs = lagMs;
  }

  /**
   * How lease writes reach the other region's replica: a lag in ms per write, or `'partitioned'`
   * (they never arrive while it lasts; writes made during it stay lost to the other side).
   */
  setLeaseReplication(lag: (() => number) | 'partitioned'): void {
    this.leaseLagMs = lag === 'partitioned' ? () => undefined : lag;
  }

  /** The lease holder (region name) as `role`'s replica sees it. */
  leaseHolderSeenBy(role: RegionRole): string {
    return this.leaseSeen[role].holder;
  }

  /**
   * Moves the lease by a write in `writtenIn`'s replica (what moveLease does through DynamoDB, for
   * tests and the Monte Carlo that do not run the drill): the table item and both views.
   */
  writeLease(writtenIn: RegionRole, holder: RegionRole): void {
    this.ensureLease();
    const item = this.table.get(this.leaseKey())!;
    this.table.set(this.leaseKey(), {
      ...item,
      activeRegion: this.regions[holder],
      epoch: Number(item.epoch) + 1,
      updatedAt: new Date(this.now).toISOString(),
    });
    this.leaseWritten(writtenIn);
  }

  /** A lease write in `writtenIn` just changed the item: that replica sees it now, the other after the lag. */
  private leaseWritten(writtenIn: RegionRole): void {
    const holder = String(this.table.get(this.leaseKey())?.activeRegion);
    const seq = ++this.leaseSeq;
    const apply = (role: RegionRole) => {
      if (this.leaseSeen[role].seq < seq) this.leaseSeen[role] = { holder, seq };
    };
    apply(writtenIn);
    const other: RegionRole = writtenIn === 'primary' ? 'standby' : 'primary';
    const lag = this.leaseLagMs();
    if (lag === undefined) return;
    if (lag <= 0) apply(other);
    else this.events.at(this.now + lag, () => apply(other));
  }

  /** Enables or disables a region's copy of a key (the signing key by default). */
  setKeyEnabled(role: RegionRole, enabled: boolean, alias = signingKeyAlias(this.config.envName)): void {
    const copy = this.kmsKey(alias).copies.get(this.regions[role])!;
    copy.enabled = enabled;
    copy.keyState = enabled ? 'Enabled' : 'Disabled';
  }

  /** A multi-Region key by alias (the live state: tests read and change it). */
  kmsKey(alias: string): SimMultiRegionKey {
    const key = this.kmsKeys.find((k) => k.alias === alias);
    if (key === undefined) {
      throw new Error(`the simulated KMS has no key ${alias}; it has ${this.kmsKeys.map((k) => k.alias).join(', ')}`);
    }
    return key;
  }

  /** Every multi-Region key's alias, in creation order. */
  kmsKeyAliases(): string[] {
    return this.kmsKeys.map((k) => k.alias);
  }

  /**
   * Adds a multi-Region key (a key another stack deploys, e.g. the cold key), primary in the primary
   * region and a replica in the standby unless `regions` says otherwise. Asymmetric keys get their own
   * secp256k1 key pair. Returns it.
   */
  addMultiRegionKey(
    alias: string,
    options: { asymmetric?: boolean; regions?: readonly string[]; primaryRegion?: string } = {},
  ): SimMultiRegionKey {
    const seed = createHash('sha256').update(`wallet-sim-extra-${alias}`).digest();
    let spki: Buffer | undefined;
    if (options.asymmetric !== false) {
      const ecdh = createECDH('secp256k1');
      ecdh.setPrivateKey(seed);
      spki = Buffer.concat([Buffer.from('3056301006072a8648ce3d020106052b8104000a034200', 'hex'), ecdh.getPublicKey()]);
    }
    const regions = options.regions ?? [this.regions.primary, this.regions.standby];
    const key: SimMultiRegionKey = {
      alias,
      keyId: `mrk-${seed.toString('hex').slice(0, 32)}`,
      keySpec: spki === undefined ? 'SYMMETRIC_DEFAULT' : 'ECC_SECG_P256K1',
      keyUsage: spki === undefined ? 'ENCRYPT_DECRYPT' : 'SIGN_VERIFY',
      primaryRegion: options.primaryRegion ?? regions[0],
      copies: new Map(
        regions.map((r) => [
          r,
          { enabled: true, keyState: 'Enabled', ...(spki === undefined ? {} : { publicKeySpki: spki }) },
        ]),
      ),
    };
    this.kmsKeys.push(key);
    return key;
  }

  /**
   * UpdatePrimaryRegion accepted: both copies turn `Updating` now; after SIM_TIMINGS.kmsPrimaryUpdate the
   * key in `to` is the primary and both return to the state they had ("The Enabled key state is restored
   * when the update is complete", KMS developer guide).
   */
  private startPrimaryUpdate(key: SimMultiRegionKey, to: string): void {
    const from = key.primaryRegion;
    const { min, max } = SIM_TIMINGS.kmsPrimaryUpdate.seconds;
    const completesAt = this.now + this.kmsRng.uniform(min, max) * 1000;
    key.updating = { from, to, completesAt };
    const restore = new Map([...key.copies].map(([r, c]) => [r, c.keyState]));
    for (const r of [from, to]) key.copies.get(r)!.keyState = 'Updating';
    this.events.at(completesAt, () => {
      key.primaryRegion = to;
      key.updating = undefined;
      for (const r of [from, to]) key.copies.get(r)!.keyState = restore.get(r)!;
    });
  }

  /**
   * The next `times` calls of `command` take effect but their response is lost: the caller sees a
   * timeout, as when the network drops the answer (and the SDK's retry then meets its own write).
   */
  loseResponse(command: string, times = 1): void {
    this.lostResponses.push({ command, remaining: times });
  }

  /** Adds an alarm in ALARM state (an unrelated incident). */
  addFiringAlarm(region: string, name: string, reason = 'Threshold Crossed (simulated)'): void {
    this.alarms.set(`${region}|${name}`, {
      name,
      region,
      composite: false,
      state: 'ALARM',
      reason,
      updatedAt: this.now,
    });
  }

  /** Sets a regional alarm's state (a fault's effect on an alarm the world does not evaluate itself). */
  setAlarm(region: string, name: string, firing: boolean, reason: string): void {
    const key = `${region}|${name}`;
    const state = firing ? 'ALARM' : 'OK';
    const existing = this.alarms.get(key);
    if (existing !== undefined && existing.state === state) return;
    this.alarms.set(key, { name, region, composite: false, state, reason, updatedAt: this.now });
  }

  /** Refuses the next `times` calls of `command` (optionally only matching calls). */
  failCommand(
    command: string,
    error: () => Error,
    options: { times?: number; when?: (input: Record<string, unknown>, region: string) => boolean } = {},
  ): void {
    this.faults.push({ command, remaining: options.times ?? 1, error, when: options.when });
  }

  /** Runs `fn` at virtual time `at`. */
  at(at: number, fn: () => void): void {
    this.events.at(at, fn);
  }

  /** The authoritative failover answer right now. */
  authoritativeAnswer(): RegionRole {
    return this.answer;
  }

  /** Route 53's current (published) status of a health check. */
  healthCheckStatus(key: HealthCheckKey): boolean {
    return this.status[key];
  }

  /** The answer a client resolver (cache age random per world) had each time it changed. */
  clientResolverChanges(): ReadonlyArray<{ at: number; role: RegionRole }> {
    return this.resolvers.client.changes;
  }

  // ---------------------------------------------------------------- Route 53 model

  private get intervalMs(): number {
    return this.config.dns.healthCheck.intervalSeconds * 1000;
  }

  private setUpCheckers(): void {
    const { regions } = this.config.dns.healthCheck;
    const jitter = this.assumptions.checkJitterSeconds * 1000;
    const probes: Probe[] = this.leaseFollowingCheck ? ['primary', 'standby', 'primaryLease'] : ['primary', 'standby'];
    for (const probe of probes) {
      const rng = probe === 'primaryLease' ? this.leaseRng : this.rng;
      let n = 0;
      for (const region of regions) {
        for (let i = 0; i < this.assumptions.checkersPerRegion; i++) {
          const checker: Checker = {
            region,
            ip: `15.177.${10 + regions.indexOf(region)}.${++n}`,
            reportsHealthy: true,
            consecutive: 0,
          };
          this.checkers[probe].push(checker);
          const phase = rng.uniform(0, this.intervalMs);
          const tick = (scheduled: number) => {
            this.runCheck(probe, checker);
            const next = scheduled + this.intervalMs;
            this.events.at(next + rng.uniform(-jitter, jitter), () => tick(next));
          };
          const first = this.now + phase;
          this.events.at(first, () => tick(first));
        }
      }
    }
  }

  /** What one checker's request gets: `/health` liveness; the lease probe also needs the primary's replica to show the lease here. */
  private endpointAnswersHealthy(probe: Probe, checkerRegion: string): boolean {
    const role: RegionRole = probe === 'standby' ? 'standby' : 'primary';
    const live = this.endpointUp[role] && !this.failingFrom[role].has(checkerRegion);
    if (probe !== 'primaryLease') return live;
    return live && this.leaseSeen.primary.holder === this.regions.primary;
  }

  private runCheck(probe: Probe, checker: Checker): void {
    const healthy = this.endpointAnswersHealthy(probe, checker.region);
    checker.lastHealthy = healthy;
    checker.lastCheckedAt = this.now;
    if (healthy === checker.reportsHealthy) {
      checker.consecutive = 0;
      return;
    }
    checker.consecutive++;
    if (checker.consecutive < this.config.dns.healthCheck.failureThreshold) return;
    checker.reportsHealthy = healthy;
    checker.consecutive = 0;
    const list = this.checkers[probe];
    const verdict = route53EndpointHealthy(list.filter((c) => c.reportsHealthy).length, list.length);
    if (verdict !== this.aggregate[probe]) {
      this.aggregate[probe] = verdict;
      this.publishStatus(PROBE_CHECK[probe], verdict, probe === 'primaryLease' ? this.leaseRng : this.rng);
    }
  }

  /** A health check's status reaches Route 53's answers after the propagation delay. */
  private publishStatus(key: HealthCheckKey, value: boolean, rng: Rng = this.rng): void {
    const { min, max } = this.assumptions.propagationSeconds;
    this.events.at(this.now + rng.uniform(min, max) * 1000, () => this.setStatus(key, value));
  }

  private setStatus(key: HealthCheckKey, value: boolean): void {
    if (this.status[key] === value) return;
    this.status[key] = value;
    this.statusHistory[key].push({ at: this.now, value: value ? 1 : 0 });
    if (key !== 'primaryRecord') {
      this.setStatus(
        'primaryRecord',
        primaryRecordHealthy({
          endpointHealthy: this.status.primaryEndpoint,
          leaseHere: this.status.primaryLease,
          switchNotThrown: this.status.failoverSwitch,
        }),
      );
    }
    this.updateAnswer();
  }

  private updateAnswer(): void {
    const answer: RegionRole = failoverAnswer({
      primaryHealthy: this.status.primaryRecord,
      secondaryHealthy: this.status.standbyEndpoint,
    });
    if (answer !== this.answer) {
      this.answer = answer;
      this.answerChanges.push({ at: this.now, role: answer });
    }
  }

  // ---------------------------------------------------------------- CloudWatch model

  private putMetric(region: string, key: string, value: number, at = this.now): void {
    const full = `${region}|${key}`;
    const list = this.metrics.get(full) ?? [];
    list.push({ at, value });
    this.metrics.set(full, list);
  }

  private points(region: string, key: string): MetricPoint[] {
    return this.metrics.get(`${region}|${key}`) ?? [];
  }

  private setUpAlarms(): void {
    const env = this.config.envName;
    const switchName = failoverSwitchAlarmName(env);
    this.alarms.set(switchName, {
      name: switchName,
      region: this.regions.standby,
      composite: false,
      state: 'INSUFFICIENT_DATA',
      reason: 'Unchecked: Initial alarm creation',
      updatedAt: this.now,
    });
    // Evaluate each closed period of the switch metric, after the evaluation delay.
    const evaluate = (boundary: number) => {
      const { min, max } = this.assumptions.alarmEvaluationDelaySeconds;
      this.events.at(boundary + this.rng.uniform(min, max) * 1000, () => this.evaluateSwitch(boundary));
      this.events.at(boundary + MINUTE, () => evaluate(boundary + MINUTE));
    };
    evaluate(Math.ceil(this.now / MINUTE) * MINUTE);
  }

  private evaluateSwitch(boundary: number): void {
    const period = FAILOVER_SWITCH_ALARM.periodSeconds * 1000;
    const inPeriod = this.points(this.regions.standby, switchKey(this.config.envName)).filter(
      (p) => p.at >= boundary - period && p.at < boundary,
    );
    const state =
      inPeriod.length === 0
        ? 'INSUFFICIENT_DATA'
        : Math.max(...inPeriod.map((p) => p.value)) >= FAILOVER_SWITCH_ALARM.threshold
          ? 'ALARM'
          : 'OK';
    const alarm = this.alarms.get(failoverSwitchAlarmName(this.config.envName));
    if (alarm !== undefined && alarm.state !== state) {
      alarm.state = state;
      alarm.updatedAt = this.now;
      alarm.reason =
        state === 'INSUFFICIENT_DATA'
          ? 'Insufficient Data: 1 datapoint was unknown.'
          : `Threshold Crossed: 1 datapoint [${Math.max(...inPeriod.map((p) => p.value))}] was ${state === 'ALARM' ? 'greater than or equal to' : 'less than'} the threshold (1.0).`;
    }
    // Route 53 reads the metric stream, not the alarm: with no alarm it has no data at all, and
    // LastKnownStatus keeps the check where it was.
    if (!this.switchAlarmExists || state === 'INSUFFICIENT_DATA') return;
    this.publishStatus('failoverSwitch', state === 'OK');
  }

  /** Once a minute: Route 53 HealthCheckStatus points, us-east-1 alarms, replication latency. */
  private everyMinute(): void {
    const tick = (boundary: number) => {
      for (const key of Object.keys(HC_IDS) as HealthCheckKey[]) {
        const history = this.statusHistory[key];
        const before = [...history].reverse().find((p) => p.at <= boundary - MINUTE);
        const within = history.filter((p) => p.at > boundary - MINUTE && p.at < boundary);
        const min = Math.min(before?.value ?? 1, ...within.map((p) => p.value));
        this.putMetric('us-east-1', hcKey(HC_IDS[key]), min, boundary - MINUTE);
      }
      this.publishChainHealth(boundary - MINUTE);
      this.updateHealthCheckAlarms(boundary - MINUTE);
      if (this.config.data.consistency === 'MREC') {
        for (const [from, to] of [
          ['primary', 'standby'],
          ['standby', 'primary'],
        ] as const) {
          this.putMetric(
            this.regions[from],
            replicationKey(ledgerTableName(this.config.envName), this.regions[to]),
            this.replicationLagMs(boundary),
            boundary - MINUTE,
          );
        }
      }
      this.events.at(boundary + MINUTE, () => tick(boundary + MINUTE));
    };
    const first = Math.ceil(this.now / MINUTE) * MINUTE + MINUTE;
    this.events.at(first, () => tick(first));
  }

  /**
   * The chain watcher's HealthyProviders point of the minute in each region (lib/contract/chain.ts)
   * and the alarms on it (lib/constructs/wallet-alarms.ts chainAlarms: < 1, and in the standby
   * < minHealthyStandby; missing data breaching). Nothing where no providers are configured.
   */
  private publishChainHealth(pointAt: number): void {
    if (configuredChainProviders(this.config) === 0) return;
    const min = configuredMinHealthyStandby(this.config);
    for (const role of ['primary', 'standby'] as const) {
      const region = this.regions[role];
      const healthy = this.chainHealthy[role];
      if (healthy !== undefined) {
        const key = metricKey(chainMetricNamespace(this.config.envName), CHAIN_METRICS.healthyProviders, [
          { Name: CHAIN_DIMENSIONS.region, Value: region },
        ]);
        this.putMetric(region, key, healthy, pointAt);
      }
      this.setAlarm(
        region,
        regionalAlarmName(this.config.envName, region, 'chainNoHealthyProvider'),
        healthy === undefined || healthy < 1,
        healthy === undefined ? 'simulated: no data (breaching)' : `simulated: ${healthy} healthy provider(s)`,
      );
      if (role === 'standby') {
        this.setAlarm(
          region,
          regionalAlarmName(this.config.envName, region, 'chainStandbyProvidersLow'),
          healthy === undefined || healthy < min,
          `simulated: ${healthy ?? 'no data'} healthy provider(s), minimum ${min}`,
        );
      }
    }
  }

  /** Alarms named as lib/contract/alarms.ts names them, in the region where each lives. */
  private updateHealthCheckAlarms(pointAt: number): void {
    const latest = (key: HealthCheckKey) => this.points('us-east-1', hcKey(HC_IDS[key])).at(-1)?.value ?? 1;
    const set = (name: string, region: string, firing: boolean, composite = false) => {
      const key = `${region}|${name}`;
      const existing = this.alarms.get(key);
      const state = firing ? 'ALARM' : 'OK';
      if (existing === undefined) {
        this.alarms.set(key, { name, region, composite, state, reason: 'simulated', updatedAt: pointAt });
      } else if (existing.state !== state) {
        existing.state = state;
        existing.updatedAt = this.now;
      }
      return firing;
    };
    const dns = (kind: DnsAlarmKind, firing: boolean, composite = false) =>
      set(dnsAlarmName(this.config.envName, kind), 'us-east-1', firing, composite);
    dns('primaryEndpointUnhealthy', latest('primaryEndpoint') < 1);
    if (this.leaseFollowingCheck) dns('primaryLeaseElsewhere', latest('primaryLease') < 1);
    const standbyDown = dns('standbyEndpointUnhealthy', latest('standbyEndpoint') < 1);
    dns('failoverSwitchThrown', latest('failoverSwitch') < 1);
    const primaryOut = dns('primaryRecordUnhealthy', latest('primaryRecord') < 1);
    dns('bothRegionsUnhealthy', primaryOut && standbyDown, true);
    for (const role of ['primary', 'standby'] as const) {
      const peer: RegionRole = role === 'primary' ? 'standby' : 'primary';
      const regional = (kind: RegionalAlarmKind, firing: boolean) =>
        set(regionalAlarmName(this.config.envName, this.regions[role], kind), this.regions[role], firing);
      regional('deepHealthCanary', !this.endpointUp[role]);
      regional('peerDeepHealth', !this.endpointUp[peer]);
      regional('publicNameCanary', this.publicNameFailing[role]);
    }
    this.remediation.observe();
  }

  private createRemediation(seed: number): SimulatedRemediation {
    // Its own random stream, so adding it changes no other draw (every notify-only rehearsal stays as it was).
    const rng = createRng(seed + 7919);
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the getter below reads the live clock
    const world = this;
    const r = this.config.remediation;
    const standby = this.regions.standby;
    return new SimulatedRemediation({
      get now() {
        return world.now;
      },
      envName: this.config.envName,
      regions: this.regions,
      // Minimal model configs (the resilience report's timing runs) carry no remediation section: page only.
      mode: r?.mode ?? 'notify-only',
      maxFailoversPerWindow: r?.maxFailoversPerWindow ?? 1,
      windowMinutes: r?.windowMinutes ?? 60,
      uniform: (min, max) => rng.uniform(min, max),
      at: (at, fn) => this.events.at(at, fn),
      alarmState: (region, name) => (this.alarms.get(`${region}|${name}`) ?? this.alarms.get(name))?.state,
      isEndpointUp: (role) => this.endpointUp[role],
      lease: () => {
        const item = this.leaseItem() as Item;
        return { role: item.activeRegion === standby ? 'standby' : 'primary', epoch: Number(item.epoch) };
      },
      moveLease: (to, expectedEpoch, actor, reason) => {
        const item = this.leaseItem() as Item;
        if (Number(item.epoch) !== expectedEpoch) return false;
        this.table.set(this.leaseKey(), {
          ...item,
          activeRegion: this.regions[to],
          epoch: expectedEpoch + 1,
          updatedAt: new Date(this.now).toISOString(),
          updatedBy: actor,
          reason,
        });
        return true;
      },
      throwSwitch: () => this.putMetric(standby, switchKey(this.config.envName), 1),
    });
  }

  // ---------------------------------------------------------------- resolvers and canaries

  private setUpResolversAndCanaries(): void {
    const ttlMs = this.config.dns.recordTtlSeconds * 1000;
    const resolver = (name: string) => {
      const r: Resolver = { ttlMs, phaseMs: this.rng.uniform(0, Math.max(ttlMs, 1)), cached: this.answer, changes: [] };
      this.resolvers[name] = r;
      if (ttlMs > 0) {
        // A busy resolver re-fetches as soon as its cached answer expires.
        const refresh = (at: number) => {
          this.refreshResolver(r);
          this.events.at(at + ttlMs, () => refresh(at + ttlMs));
        };
        this.events.at(this.now + r.phaseMs, () => refresh(this.now + r.phaseMs));
      }
      return r;
    };
    resolver('client');
    const period = rateSeconds(this.config.canary.schedule) * 1000;
    for (const role of ['primary', 'standby'] as const) {
      const r = resolver(`canary-${role}`);
      const every = (run: () => void) => {
        const tick = (at: number) => {
          run();
          this.events.at(at + period, () => tick(at + period));
        };
        const first = this.now + this.rng.uniform(0, period);
        this.events.at(first, () => tick(first));
      };
      every(() => this.runDeepHealthCanary(role));
      every(() => this.runPublicNameCanary(role, r));
    }
  }

  private refreshResolver(r: Resolver): void {
    if (r.cached !== this.answer) {
      r.cached = this.answer;
      r.changes.push({ at: this.now, role: this.answer });
    }
  }

  private lookup(r: Resolver): RegionRole {
    if (r.ttlMs === 0) this.refreshResolver(r);
    return r.cached;
  }

  /** The region's own `/health/deep` (Synthetics SuccessPercent of `<env>-wallet-deep-health`). */
  private runDeepHealthCanary(role: RegionRole): void {
    const ok = this.endpointUp[role];
    this.events.at(this.now + this.assumptions.canaryRunSeconds * 1000, () =>
      this.putMetric(this.regions[role], syntheticsKey(canaryName(this.config.envName, 'deep-health')), ok ? 100 : 0),
    );
  }

  /**
   * The public name through this region's resolver: a run that got an answer publishes
   * `PublicNameAnswer` = 1 with the answering region (lambda/canaries/public-name).
   */
  private runPublicNameCanary(role: RegionRole, resolver: Resolver): void {
    const region = this.regions[role];
    const served = this.lookup(resolver);
    const ok = this.endpointUp[served];
    this.events.at(this.now + this.assumptions.canaryRunSeconds * 1000, () => {
      this.publicNameFailing[role] = !ok;
      this.putMetric(region, syntheticsKey(canaryName(this.config.envName, 'public-name')), ok ? 100 : 0);
      if (ok) this.putMetric(region, publicNameKey(this.config.envName, region, this.regions[served]), 1);
    });
  }

  // ---------------------------------------------------------------- SDK command handling

  private leaseKey(address = this.signingAddress()): string {
    const k = ledgerKeys.lease(address);
    return `${k.pk}|${k.sk}`;
  }

  private cachedAddress?: string;

  /** The address of the simulated signing key (derived like the aws target does). */
  signingAddress(): string {
    if (this.cachedAddress === undefined) {
      this.cachedAddress = addressFromSpki(this.publicKeySpki).toLowerCase();
    }
    return this.cachedAddress;
  }

  private ensureLease(): void {
    const key = this.leaseKey();
    if (this.table.has(key)) return;
    const address = this.signingAddress();
    this.table.set(key, {
      ...ledgerKeys.lease(address),
      address,
      activeRegion: this.regions[this.initialPosition],
      epoch: 7,
      nextNonce: 42,
      updatedAt: new Date(this.startMs - 3_600_000).toISOString(),
      updatedBy: 'simulated-setup',
      reason: this.initialPosition === 'standby' ? 'failover drill (simulated, earlier)' : 'initial lease',
    });
  }

  /** The lease item as stored (for tests). */
  leaseItem(): Item | undefined {
    this.ensureLease();
    return this.table.get(this.leaseKey());
  }

  /** Answers one SDK command, as the service in `region` would. */
  handle(service: string, region: string, command: string, input: Record<string, unknown>): Record<string, unknown> {
    this.log.push({ at: this.now, service, region, command, input });
    const fault = this.faults.find(
      (f) => f.command === command && f.remaining > 0 && (f.when?.(input, region) ?? true),
    );
    if (fault !== undefined) {
      fault.remaining--;
      throw fault.error();
    }
    if (this.unreachable.has(region)) {
      throw Object.assign(new Error(`connect ETIMEDOUT ${service}.${region}.amazonaws.com:443 (simulated outage)`), {
        name: 'TimeoutError',
        code: 'ETIMEDOUT',
      });
    }
    if (service === 'fis') return this.fis.handle(region, command, input);
    if (service === 'sqs') return this.sqs.handle(region, command, input);
    const before = service === 'dynamodb' ? this.table.get(this.leaseKey()) : undefined;
    const answer = answerCommand(this.wireState(), service, region, command, input);
    const lost = this.lostResponses.find((l) => l.command === command && l.remaining > 0);
    if (lost !== undefined) {
      lost.remaining--;
      throw Object.assign(new Error(`socket hang up: ${service}.${region}.amazonaws.com (simulated lost response)`), {
        name: 'TimeoutError',
        code: 'ECONNRESET',
      });
    }
    if (service === 'dynamodb' && command !== 'GetItemCommand' && command !== 'QueryCommand') {
      const after = this.table.get(this.leaseKey());
      const role = (Object.keys(this.regions) as RegionRole[]).find((r) => this.regions[r] === region);
      if (after !== before && role !== undefined) this.leaseWritten(role);
    }
    return answer;
  }

  /** What the wire format (./wire.ts) reads and writes: the state behind the services' answers. */
  private wireState(): WireState {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- getters below read live values
    const world = this;
    return {
      config: this.config,
      regions: this.regions,
      get now() {
        return world.now;
      },
      get callerAccount() {
        return world.callerAccount;
      },
      get callerArn() {
        return world.callerArn ?? `arn:aws:sts::${world.callerAccount}:assumed-role/WalletOperator/drill`;
      },
      get answer() {
        return world.answer;
      },
      leaseFollowingCheck: this.leaseFollowingCheck,
      status: this.status,
      checkers: this.checkers,
      alarms: this.alarms,
      kmsKeys: this.kmsKeys,
      startPrimaryUpdate: (key, to) => this.startPrimaryUpdate(key, to),
      table: this.table,
      walletEvents: this.walletEvents,
      objects: this.objects,
      ensureLease: () => this.ensureLease(),
      putMetric: (region, key, value, at) => this.putMetric(region, key, value, at),
      points: (region, key) => this.points(region, key),
    };
  }
}

/**
 * What the simulated checkers probe: each region's `/health` (its endpoint check) and the primary's
 * `/health?lease=held` (the lease check, only with the lease-following design).
 */
type Probe = RegionRole | 'primaryLease';
const PROBE_CHECK: Record<Probe, HealthCheckKey> = {
  primary: 'primaryEndpoint',
  standby: 'standbyEndpoint',
  primaryLease: 'primaryLease',
};

const switchKey = (envName: string) =>
  metricKey(FAILOVER_SWITCH_NAMESPACE, FAILOVER_SWITCH_METRIC, failoverSwitchDimensions(envName));
const hcKey = (id: string) => metricKey('AWS/Route53', 'HealthCheckStatus', [{ Name: 'HealthCheckId', Value: id }]);
const syntheticsKey = (name: string) =>
  metricKey('CloudWatchSynthetics', 'SuccessPercent', [{ Name: 'CanaryName', Value: name }]);
const publicNameKey = (envName: string, vantage: string, answeredBy: string) =>
  metricKey(CANARY_METRIC_NAMESPACE, CANARY_METRICS.publicNameAnswer, [
    { Name: CANARY_DIMENSIONS.environment, Value: envName },
    { Name: CANARY_DIMENSIONS.vantage, Value: vantage },
    { Name: CANARY_DIMENSIONS.answeredBy, Value: answeredBy },
  ]);
const replicationKey = (table: string, receiving: string) =>
  metricKey('AWS/DynamoDB', 'ReplicationLatency', [
    { Name: 'TableName', Value: table },
    { Name: 'ReceivingRegion', Value: receiving },
  ]);
