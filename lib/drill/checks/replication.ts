import { PreCheck, readFailed } from './check';

const title = 'replication latency under the RPO target';

const replication: PreCheck = {
  id: 'replication',
  explanation:
    'Under MREC, the ledger replication latency into the region taking over is within the RPO target (MRSC replicates synchronously: RPO 0).',
  run: ({ status, config, to, fromRegion, toRegion }) => {
    const reading = status.replication[to];
    if (config.data.consistency === 'MRSC') {
      return {
        id: 'replication',
        title,
        ok: true,
        level: 'blocker',
        detail: 'MRSC: writes are replicated synchronously (RPO 0); replication latency does not apply',
      };
    }
    const lag = reading.ok ? reading.value.latencySeconds : undefined;
    const ok = lag !== undefined && lag <= config.targets.rpoSeconds;
    return {
      id: 'replication',
      title,
      ok,
      level: 'blocker',
      detail: !reading.ok
        ? `${readFailed(`ReplicationLatency in ${fromRegion}`, reading)} (the sending region may be down)`
        : lag === undefined
          ? `no ReplicationLatency data for ${fromRegion} -> ${toRegion} in the last 10 minutes`
          : `ReplicationLatency ${fromRegion} -> ${toRegion}: ${lag.toFixed(1)} s (target ${config.targets.rpoSeconds} s)`,
      fix: ok
        ? undefined
        : 'wait for replication to catch up; after an unplanned loss of the primary under MREC, reconcile nonces and quarantine in-flight transactions before the standby signs',
    };
  },
};
export default replication;
