import { EnvironmentStatus, readStatus } from '../../lib/drill/status';
import { PRE_CHECKS, preChecks } from '../../lib/drill/checks';
import { testConfig } from '../helpers/config';
import { chainConfig, mrecConfig, simTarget } from './helpers';

/** The pre-check table (lib/drill/checks): each named check passes on a healthy environment and can fail. */

const failed = { ok: false as const, error: 'simulated read failure' };

async function healthyStatus(config = testConfig()): Promise<EnvironmentStatus> {
  return readStatus(simTarget({ config }));
}

test('the table names each check once, explains it, and preChecks reports them in table order', async () => {
  const ids = PRE_CHECKS.map((c) => c.id);
  expect(new Set(ids).size).toBe(ids.length);
  for (const check of PRE_CHECKS) expect(check.explanation.length).toBeGreaterThan(20);
  const results = preChecks(await healthyStatus(), testConfig(), 'failover');
  // from-region only reports when the region being left is unreachable (chain-providers only where
  // chain.providers is configured, as in the example config: test/drill/chain-providers.test.ts).
  expect(results.map((r) => r.id)).toEqual(ids.filter((id) => id !== 'from-region'));
  expect(results.filter((r) => !r.ok)).toEqual([]);
});

/** A status change that must make exactly that check fail. */
const breakers: Record<string, (s: EnvironmentStatus) => EnvironmentStatus> = {
  caller: (s) => ({ ...s, identity: failed }),
  'health-checks': (s) => ({ ...s, healthChecks: failed }),
  'target-healthy': (s) => ({ ...s, endpoints: { ...s.endpoints, standby: failed } }),
  'target-canary': (s) => ({ ...s, canaries: { ...s.canaries, standby: failed } }),
  replication: (s) => ({ ...s, replication: { ...s.replication, standby: failed } }),
  'target-key': (s) => ({ ...s, keys: { ...s.keys, standby: failed } }),
  'chain-providers': (s) => ({ ...s, chainProviders: { ...s.chainProviders!, standby: failed } }),
  'switch-alarm': (s) => ({ ...s, switch: failed }),
  alarms: (s) => ({ ...s, alarms: failed }),
  lease: (s) => ({ ...s, lease: failed }),
  dns: (s) => ({ ...s, dns: failed }),
  'from-region': (s) => ({ ...s, keys: { ...s.keys, primary: failed } }),
};

test('every check in the table has a fails case here', () => {
  expect(Object.keys(breakers).sort()).toEqual(PRE_CHECKS.map((c) => c.id).sort());
});

describe.each(Object.keys(breakers))('fails %s', (id) => {
  test('when its reading fails, with the reason in the detail', async () => {
    // replication only reads ReplicationLatency under MREC.
    const config = id === 'replication' ? mrecConfig() : id === 'chain-providers' ? chainConfig() : testConfig();
    const status = breakers[id](await healthyStatus(config));
    const results = preChecks(status, config, 'failover');
    const result = results.find((r) => r.id === id);
    expect(result).toMatchObject({ ok: false, level: id === 'from-region' ? 'warning' : 'blocker' });
    if (id !== 'from-region') expect(result?.detail).toContain('simulated read failure');
    expect(results.filter((r) => !r.ok).map((r) => r.id)).toEqual(id === 'from-region' ? ['from-region'] : [id]);
  });
});
