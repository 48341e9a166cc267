import { REMEDIATION_ACTOR_PREFIX } from '../../lib/contract/remediation';
import { WalletEventEmitter } from '../../lib/status/wallet-events';
import { ExecutionPorts } from './execute';

/**
 * Remediation's status-page events: the ports that change something (lease, switch, degraded mode)
 * wrapped so that each change that succeeded is announced on both wallet regions' buses. The
 * decision and execute() are untouched; the emitter returns at once and never throws, so an event
 * that cannot be put never delays or fails a failover (the handler flushes it before returning).
 */
export function announcingPorts(
  ports: ExecutionPorts,
  emitter: Pick<WalletEventEmitter, 'emit'>,
  context: { readonly envName: string; readonly region: string; readonly now: () => Date },
): ExecutionPorts {
  const actor = `${REMEDIATION_ACTOR_PREFIX}${context.region}`;
  return {
    ...ports,
    leases: {
      leases: () => ports.leases.leases(),
      async move(request) {
        const move = await ports.leases.move(request);
        if (move.changed) {
          emitter.emit('leaseMoved', {
            envName: context.envName,
            at: move.after.updatedAt,
            actor: request.actor,
            reason: request.reason,
            address: request.address,
            fromRegion: move.before.activeRegion,
            toRegion: move.after.activeRegion,
            epoch: move.after.epoch,
          });
        }
        return move;
      },
    },
    switch: {
      async throwOn(reason) {
        const thrown = await ports.switch.throwOn(reason);
        emitter.emit('switchChanged', {
          envName: context.envName,
          at: thrown.timestamp,
          actor,
          reason,
          position: thrown.position,
        });
        return thrown;
      },
    },
    regionControl: {
      get: (region) => ports.regionControl.get(region),
      async setDegraded(region, degraded, reason, who, options) {
        const result = await ports.regionControl.setDegraded(region, degraded, reason, who, options);
        if (result.changed) {
          emitter.emit('degradedModeChanged', {
            envName: context.envName,
            at: context.now().toISOString(),
            actor: who,
            reason,
            region,
            degraded,
          });
        }
        return result;
      },
    },
  };
}
