import { preChecks } from '../../lib/drill/checks';
import { readStatus } from '../../lib/drill/status';
import { regionalAlarmName } from '../../lib/contract/alarms';
import { chainConfig, simTarget } from './helpers';

/**
 * Issue 16: the drill refuses to fail over into a region without healthy RPC providers, rehearsed
 * offline: the simulated AWS publishes the chain watcher's HealthyProviders per region.
 */

const MINUTE = 60_000;

async function checkAfter(
  set: (t: ReturnType<typeof simTarget>) => void,
  direction: 'failover' | 'failback' = 'failover',
) {
  const config = chainConfig();
  const target = simTarget({ config, position: direction === 'failover' ? 'primary' : 'standby' });
  set(target);
  // Two minute ticks: the new count is published and the alarms follow.
  target.world.events.runUntil(target.world.now + 2 * MINUTE);
  const status = await readStatus(target);
  const results = preChecks(status, config, direction);
  return { status, results, result: results.find((r) => r.id === 'chain-providers'), target };
}

test('healthy providers in the standby: the check passes and says how many', async () => {
  const { result } = await checkAfter(() => undefined);
  expect(result).toMatchObject({ ok: true, detail: '2 of 2 RPC providers healthy in us-west-2' });
});

test('fails: the standby has none -> refused (blocker), with the reason; its no-healthy-provider alarm fires too', async () => {
  const { result, results, status } = await checkAfter((t) => t.world.setChainHealthyProviders('standby', 0));
  expect(result).toMatchObject({
    ok: false,
    level: 'blocker',
    detail: 'no healthy RPC provider in us-west-2 (0 of 2): a failover there could sign but not broadcast',
  });
  expect(results.every((r) => r.ok || r.level === 'warning')).toBe(false);
  const firing = status.alarms.ok ? status.alarms.value.firing.map((a) => a.name) : [];
  expect(firing).toContain(regionalAlarmName('example', 'us-west-2', 'chainNoHealthyProvider'));
});

test('fails: the standby watcher stopped reporting (no data) -> refused: no evidence is not health', async () => {
  const { result } = await checkAfter((t) => t.world.setChainHealthyProviders('standby', undefined));
  // The last point is still within the 10-minute window after two minutes; let it age out.
  expect(result?.ok).toBe(true);
  const late = await (async () => {
    const config = chainConfig();
    const target = simTarget({ config });
    target.world.setChainHealthyProviders('standby', undefined);
    target.world.events.runUntil(target.world.now + 12 * MINUTE);
    return preChecks(await readStatus(target), config, 'failover').find((r) => r.id === 'chain-providers');
  })();
  expect(late).toMatchObject({ ok: false, level: 'blocker', detail: expect.stringContaining('not reporting') });
});

test('one healthy provider in the standby (below minHealthyStandby 2): a warning, not a refusal', async () => {
  const { result } = await checkAfter((t) => t.world.setChainHealthyProviders('standby', 1));
  expect(result).toMatchObject({
    ok: false,
    level: 'warning',
    detail: expect.stringContaining('minHealthyStandby (2)'),
  });
});

test('a failback checks the primary: none there -> refused', async () => {
  const { result } = await checkAfter((t) => t.world.setChainHealthyProviders('primary', 0), 'failback');
  expect(result).toMatchObject({ ok: false, level: 'blocker', detail: expect.stringContaining('us-east-2') });
});

test('without chain.providers the check does not apply and nothing is published', async () => {
  const { testConfig } = await import('../helpers/config');
  const config = testConfig({
    chain: { providers: undefined, rpcSecrets: undefined },
    // The example's hot/cold split needs chain.providers (lib/config/spending-cold.ts).
    spending: { cold: undefined, wallets: { 'w-sweep': undefined } },
  });
  const status = await readStatus(simTarget({ config }));
  expect(preChecks(status, config, 'failover').find((r) => r.id === 'chain-providers')).toBeUndefined();
  expect(status.chainProviders?.standby).toEqual({
    ok: true,
    value: expect.objectContaining({ healthyProviders: undefined }),
  });
});
