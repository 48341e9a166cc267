import { PreCheck, readFailed } from './check';

const healthChecks: PreCheck = {
  id: 'health-checks',
  explanation: 'The Route 53 failover health checks the DNS stack creates exist, so the switch can move the answer.',
  run: ({ status }) => ({
    id: 'health-checks',
    title: 'Route 53 failover health checks exist',
    ok: status.healthChecks.ok,
    level: 'blocker',
    detail: status.healthChecks.ok
      ? `primary record ${status.healthChecks.value.primaryRecord}, switch ${status.healthChecks.value.failoverSwitch}`
      : readFailed('the health checks', status.healthChecks),
    fix: status.healthChecks.ok ? undefined : 'deploy the DNS stack for this config, or pass the right --config',
  }),
};
export default healthChecks;
