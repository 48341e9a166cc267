import { PreCheck, readFailed } from './check';

const switchAlarm: PreCheck = {
  id: 'switch-alarm',
  explanation:
    'The failover switch alarm exists in the standby region: without it Route 53 keeps its last known status and throwing the switch changes nothing.',
  run: ({ status, config }) => {
    const sw = status.switch;
    return {
      id: 'switch-alarm',
      title: `failover switch alarm exists in ${config.regions.standby}`,
      ok: sw.ok && sw.value.alarmExists,
      level: 'blocker',
      detail: sw.ok
        ? sw.value.alarmExists
          ? `${sw.value.alarmName}: ${sw.value.alarmState}; switch ${sw.value.position} (${sw.value.evidence})`
          : `alarm ${sw.value.alarmName} not found in ${sw.value.alarmRegion}: Route 53 would keep its last known status, so throwing the switch would change nothing`
        : readFailed('the switch alarm', sw),
      fix:
        sw.ok && sw.value.alarmExists
          ? undefined
          : 'redeploy the standby stack so the switch alarm exists, then re-plan',
    };
  },
};
export default switchAlarm;
