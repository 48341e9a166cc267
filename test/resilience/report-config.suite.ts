import { groupByEnvironment, readAssembly } from '../../lib/resilience/assembly';
import { loadPriceBook } from '../../lib/resilience/prices';
import { buildReport, ResilienceReport } from '../../lib/resilience/report';
import { referenceMonteCarlo } from '../failover/reference-monte-carlo';
import { buildTestWallet, exampleWallet, TestWallet } from '../helpers/app';
import { testConfig } from '../helpers/config';

/**
 * The report on real synthesized templates: the app is built in-process from a test config that
 * changes ONE setting at a time, synthesized to a temp dir, and read back like `cdk.out`. Each test
 * asserts the figures move exactly as the arithmetic says.
 */

type Patch = Parameters<typeof testConfig>[0];

function reportFor(patch: Patch = {}, wallet: TestWallet = buildTestWallet(testConfig(patch))): ResilienceReport {
  const envs = groupByEnvironment(readAssembly(wallet.app.synth().directory));
  expect(envs.map((e) => e.envName)).toEqual(['example']);
  return buildReport(envs[0], {
    simulator: referenceMonteCarlo(),
    runs: 2000,
    seed: 7,
    prices: loadPriceBook(),
    pricesLabel: 'data/prices.json',
    // These tests follow one setting into the figures; the forecast has its own tests (risk.test.ts).
    forecastYears: 200,
  });
}

const item = (r: ResilienceReport, name: string) => r.cost.lineItems.find((i) => i.item === name);

let base: ResilienceReport;
beforeAll(() => {
  // The example config unchanged: the shared (read-only, already synthesized) example wallet.
  base = reportFor({}, exampleWallet());
});

test('example config: detection, cut-over and worst case come from the templates', () => {
  expect(base.rto.settings).toEqual({
    intervalSeconds: 10,
    failureThreshold: 3,
    checkerRegions: 3,
    ttlSeconds: 5,
    switchPeriodSeconds: 60,
    switchEvaluationPeriods: 1,
    canaryPeriodSeconds: 60,
    leaseFollowingCheck: true,
  });
  expect({
    endpoint: base.rto.endpointDetectionSeconds,
    switch: base.rto.switchDetectionSeconds,
    dns: base.rto.dnsCutoverSeconds,
    worst: base.rto.worstCaseSeconds,
    synth: base.rto.synthBudgetSeconds,
    unplanned: base.rto.paths.unplanned.worstCaseSeconds,
    planned: base.rto.paths.planned.worstCaseSeconds,
    // planned: the earlier of the lease check (30 s) and the switch (60 s), + TTL
  }).toEqual({ endpoint: 30, switch: 60, dns: 5, worst: 95, synth: 95, unplanned: 35, planned: 35 });
  expect(base.targets).toMatchObject({ rtoSeconds: 300, rpoSeconds: 0, backupRpoSeconds: null });
  expect(base.rto.meetsTarget).toBe(true);
  expect(base.findings.filter((f) => f.level === 'fail')).toEqual([]);
});

test('example config: RPO 0 from MRSC; the ledger is backed up hourly with a copy to the standby region', () => {
  expect(base.rpo.data).toEqual([
    expect.objectContaining({ resource: 'example-wallet-ledger', mode: 'MRSC', rpoSeconds: 0, meetsTarget: true }),
  ]);
  // Hourly frequent rule: the largest gap between runs (60 min) + the 60 min start window.
  expect(base.backupCoverage).toEqual([
    expect.objectContaining({
      resource: 'example-wallet-ledger',
      crossRegionCopy: true,
      copyRegions: ['us-west-2'],
      backupRpoSeconds: 7200,
    }),
  ]);
  expect(base.findings.map((f) => f.code)).not.toContain('BACKUP_NO_CROSS_REGION_COPY');
});

test('example config: every KMS key and replica is billed as a key; health checks priced with their options', () => {
  // signing, data, backup and cold (security.coldKey) keys: a primary and a standby replica each, the
  // DNS alerts key, and one status key per wallet region
  expect(item(base, 'customer managed keys')).toMatchObject({ quantity: 11, monthly: 11 });
  // each region's /health and the primary's lease check (/health?lease=held)
  expect(item(base, 'endpoint health checks (basic, non-AWS endpoint)')).toMatchObject({ quantity: 3, monthly: 2.25 });
  for (const option of ['HTTPS', 'string matching', 'fast interval', 'latency measurement']) {
    expect(item(base, `health check option: ${option}`)).toMatchObject({ quantity: 3, monthly: 6 });
  }
  expect(item(base, 'calculated health checks')).toMatchObject({ quantity: 1 });
  expect(item(base, 'CloudWatch-alarm (metric) health checks')).toMatchObject({ quantity: 1 });
  // 5 Route 53 health-check alarms (with the lease check's), the failover switch, 7 backup alarms, the regional alarms of
  // issue 5 in both regions (canaries, API, signer, queue, KMS, replication, remediation), and the
  // us-east-1 alarm on forwarding the failover cues to the standby, the standby's
  // failover-switch-stale, the primary's fault-injection guard, the status page's
  // undelivered-notifications alarm in each wallet region, and the deploy alarms that watch a new
  // version (lib/constructs/safe-deployment.ts: 9 per region, 2 more for the standby's switch
  // re-publisher; 4 per status stack: errors and p99 of the status updater and webhook sender,
  // lib/stacks/status-stack.ts); under MRSC the two replication-latency alarms are metric math (two
  // write latencies each), billed per metric; the chain alarms (issue 16, the example config lists
  // chain.providers): no-healthy-provider and head-stale in each region, the standby's providers-low,
  // and the chain watcher's 2 deploy alarms per region (9; transactions-stuck is metric math); the
  // hot/cold sweep (issue 21, spending.cold): sweep-failed and the sweeper's 2 deploy alarms per region
  // (6; float-above-ceiling is metric math)
  expect(item(base, 'standard-resolution alarms')).toMatchObject({ quantity: 78 });
  // the burn-rate windows (lib/constructs/slo-alarms.ts) are metric math too: per region 4 SLOs x 3 alerts
  // x 2 windows, each reading 2 metrics
  expect(item(base, 'metric-math alarms (per metric)')!.quantity).toBeGreaterThanOrEqual(2 * 24 * 2);
  // both-regions-unhealthy (DNS), one region-impaired composite per region, and per region 4 SLOs x 3 alerts
  expect(item(base, 'composite alarms')).toMatchObject({ quantity: 3 + 2 * 12 });
  const sum = Math.round(base.cost.lineItems.reduce((s, i) => s + i.monthly, 0) * 100) / 100;
  expect(base.cost.totalMonthly).toBe(sum);
});

test("the chain watcher's compute is priced from the templates: every minute in both regions, 512 MB arm64, through its live alias", () => {
  // 43,800 runs x 42 s (holder) or 3 s (standby) x 0.5 GB
  expect(item(base, 'chain watcher (us-east-2, primary): compute')).toMatchObject({
    quantity: 919_800,
    priceId: 'lambda.duration.arm',
  });
  expect(item(base, 'chain watcher (us-west-2, standby): compute')).toMatchObject({ quantity: 65_700 });
  expect(item(base, 'chain watcher (us-east-2, primary): requests')).toMatchObject({ quantity: 0.044 });
});

test("the sweeper's compute is priced from the templates: spending.cold.checkEvery (rate(5 minutes)) in both regions, 512 MB arm64", () => {
  // 8,760 runs x 2 s (USAGE.sweeperSecondsPerRun, the lease holder's run in either region) x 0.5 GB
  for (const region of ['us-east-2', 'us-west-2']) {
    expect(item(base, `sweeper (${region}): compute`)).toMatchObject({
      quantity: 8_760,
      priceId: 'lambda.duration.arm',
    });
  }
  expect(base.cost.notes.filter((n) => n.includes('wallet-sweeper') && n.includes('not priced'))).toEqual([]);
});

test('interval 10 -> 30 s: endpoint detection and worst case grow by (30 - 10) x threshold; the fast-interval option goes', () => {
  const r = reportFor({ dns: { healthCheck: { intervalSeconds: 30 } } });
  expect(r.rto.endpointDetectionSeconds).toBe(30 * 3);
  expect(r.rto.worstCaseSeconds - base.rto.worstCaseSeconds).toBe((30 - 10) * 3);
  expect(r.rto.paths.unplanned.worstCaseSeconds - base.rto.paths.unplanned.worstCaseSeconds).toBe(60);
  // The planned path follows the lease check too: min(90 s, switch 60 s) + TTL.
  expect(r.rto.paths.planned.worstCaseSeconds).toBe(60 + 5);
  expect(item(r, 'health check option: fast interval')).toBeUndefined();
  expect(Math.round((base.cost.totalMonthly - r.cost.totalMonthly) * 100) / 100).toBe(3 * 2.0);
  expect(r.rto.paths.unplanned.simulated.p50).toBeGreaterThan(base.rto.paths.unplanned.simulated.p50);
});

test('threshold 3 -> 5: endpoint detection grows by interval x 2', () => {
  const r = reportFor({ dns: { healthCheck: { failureThreshold: 5 } } });
  expect(r.rto.endpointDetectionSeconds).toBe(10 * 5);
  expect(r.rto.worstCaseSeconds - base.rto.worstCaseSeconds).toBe(10 * (5 - 3));
  expect(r.rto.paths.planned.worstCaseSeconds).toBe(10 * 5 + 5);
  expect(r.cost.totalMonthly).toBe(base.cost.totalMonthly);
});

test('fails: with ALIAS records a TTL other than 60 s is refused (alias records take their target TTL)', () => {
  expect(() => reportFor({ dns: { recordType: 'ALIAS', recordTtlSeconds: 30 } })).toThrow(
    /dns\.recordTtlSeconds: has no effect with dns\.recordType "ALIAS"/,
  );
  const alias = reportFor({ dns: { recordType: 'ALIAS', recordTtlSeconds: undefined } });
  expect(alias.rto.dnsCutoverSeconds).toBe(60);
});

test('CNAME TTL 5 s -> 15 s: the DNS cut-over and the worst case grow by exactly 10 s; queries are priced', () => {
  const r = reportFor({ dns: { recordType: 'CNAME', recordTtlSeconds: 15 } });
  expect(r.rto.dnsCutoverSeconds).toBe(15);
  expect(r.rto.worstCaseSeconds - base.rto.worstCaseSeconds).toBe(10);
  expect(r.cost.lineItems.find((i) => i.priceId === 'route53.queries.standard')?.monthly).toBe(4);
});

test('consistency MRSC -> MREC (RPO target 60 s): RPO bounded by the ReplicationLatency alarm (30 s), met; a 20 s target fails naming data.consistency', () => {
  const r = reportFor({ regions: { witness: undefined }, data: { consistency: 'MREC' }, targets: { rpoSeconds: 60 } });
  expect(r.rpo.data).toEqual([expect.objectContaining({ mode: 'MREC', rpoSeconds: 30, meetsTarget: true })]);
  expect(r.rpo.data[0].basis).toContain('ReplicationLatency alarm');
  // The RTO side does not move.
  expect(r.rto.worstCaseSeconds).toBe(base.rto.worstCaseSeconds);
  // The alarm bound is min(RPO/2, 30 s) by default (docs/runbooks/alarms.md): a 20 s target puts it at 10 s.
  const tight = reportFor({
    regions: { witness: undefined },
    data: { consistency: 'MREC' },
    targets: { rpoSeconds: 20 },
  });
  expect(tight.rpo.data).toEqual([expect.objectContaining({ mode: 'MREC', rpoSeconds: 10, meetsTarget: true })]);
});
