import { PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { WalletConfig } from '../config/schema';
import { WALLET_EVENT_UNDELIVERED_METRIC } from '../contract/status';
import { LeaseMove } from '../failover/lease';
import { SwitchThrown } from '../failover/switch';
import { WalletEventEmitter } from '../status/wallet-events';
import { DrillClients } from './clients';

/**
 * The drill's status-page events (lib/status/wallet-events.ts): the lease move and the switch,
 * marked `drill: true`, on both wallet regions' default buses through the drill's guarded clients
 * (the simulated target's world answers them). An event that cannot be put never stops the drill:
 * it is retried, counted (PutMetricData in the standby region, WALLET_EVENT_UNDELIVERED_METRIC) and
 * reported in the drill record.
 */
export function drillStatusEvents(
  config: WalletConfig,
  clients: DrillClients,
  sleep?: (ms: number) => Promise<void>,
): WalletEventEmitter {
  const m = WALLET_EVENT_UNDELIVERED_METRIC;
  return new WalletEventEmitter({
    regions: [config.regions.primary, config.regions.standby],
    client: (region) => clients.events(region),
    // The outcomes go into the drill record (flushed by the drill); nothing to print here.
    log: () => undefined,
    ...(sleep !== undefined ? { sleep } : {}),
    onUndelivered: async (outcome) => {
      await clients.cloudwatch(config.regions.standby).send(
        new PutMetricDataCommand({
          Namespace: m.namespace,
          MetricData: [
            {
              MetricName: m.name,
              Value: 1,
              Unit: 'Count',
              Dimensions: [
                { Name: m.dimensions.environment, Value: config.envName },
                { Name: m.dimensions.region, Value: outcome.region },
              ],
            },
          ],
        }),
      );
    },
  });
}

export function announceLeaseMove(
  emitter: WalletEventEmitter,
  config: WalletConfig,
  move: LeaseMove,
  who: { readonly actor: string; readonly reason: string },
): void {
  if (!move.changed) return;
  emitter.emit('leaseMoved', {
    envName: config.envName,
    at: move.after.updatedAt,
    actor: who.actor,
    reason: who.reason,
    drill: true,
    address: move.after.address,
    fromRegion: move.before.activeRegion,
    toRegion: move.after.activeRegion,
    epoch: move.after.epoch,
  });
}

export function announceSwitch(emitter: WalletEventEmitter, config: WalletConfig, thrown: SwitchThrown): void {
  emitter.emit('switchChanged', {
    envName: config.envName,
    at: thrown.timestamp,
    actor: 'wallet-drill',
    reason: thrown.reason,
    drill: true,
    position: thrown.position,
  });
}
